import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPath, parseStrictJson } from '../../src/encoding/strict-json.js';
import { VouchError } from '../../src/errors.js';

const limits = (maxBytes: number, maxDepth: number) => ({ maxBytes, maxDepth });

/** Escapes every UTF-16 unit of a key as \uXXXX: the same key, spelt differently. */
const escaped = (key: string): string =>
  `"${[...Array(key.length).keys()].map((i) => `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;

type Segment = string | number;

/** JSON text that reaches `path` through objects and arrays (with siblings before it). */
function nested(path: readonly Segment[], leaf: string): string {
  const [head, ...rest] = path;
  if (head === undefined) return leaf;
  if (typeof head === 'number') return `[${'{"k":[0]},'.repeat(head)}${nested(rest, leaf)}]`;
  return `{${JSON.stringify(`${head}~`)}:{"k":[1,{"k":2}]},${JSON.stringify(head)}:${nested(rest, leaf)}}`;
}

describe('parseStrictJson', () => {
  describe('when the JSON is valid and unique-keyed', () => {
    it('returns what JSON.parse returns (property)', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
          const text = JSON.stringify(value);
          expect(parseStrictJson(text)).toEqual(JSON.parse(text));
          expect(parseStrictJson(Buffer.from(text))).toEqual(JSON.parse(text));
        }),
        { numRuns: 300 },
      );
    });

    it('reads any JSON text, whitespace and escapes included, as JSON.parse does (property)', () => {
      fc.assert(
        fc.property(fc.json({ maxDepth: 8 }), (text) => {
          expect(parseStrictJson(text)).toEqual(JSON.parse(text));
        }),
        { numRuns: 1000 },
      );
    });

    it('allows the same key in different objects', () => {
      expect(parseStrictJson('[{"a":1},{"a":{"a":2}}]')).toEqual([{ a: 1 }, { a: { a: 2 } }]);
    });

    it('is not confused by quotes, escapes and brackets inside strings', () => {
      const text = '{"a\\"":"}\\\\","a":"[[[{{{\\"","b":"\\\\\\"a\\""}';
      expect(parseStrictJson(text, limits(1000, 1))).toEqual(JSON.parse(text));
    });
  });

  describe('when a key repeats', () => {
    it('finds a duplicate in a large object, past the short-list scan', () => {
      const members = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
      members.push('"k30":0');
      expect(() => parseStrictJson(`{${members.join(',')}}`)).toThrowWithCode(
        'JSON_DUPLICATE_KEY',
        '$.k30',
      );
      expect(() => parseStrictJson(`{${members.slice(0, 40).join(',')}}`)).not.toThrow();
    });

    it.each([
      ['{"a":1,"a":2}', '$.a'],
      ['{"a":{"b":1,"b":2}}', '$.a.b'],
      ['[{"x":1},{"x":1,"x":2}]', '$[1].x'],
      ['{"a":[0,1,{"c":1,"c":2}]}', '$.a[2].c'],
      ['{"a":{"b":1},"a":2}', '$.a'],
      ['{"a b":1,"a b":2}', '$["a b"]'],
      ['{"a":1,"\\u0061":2}', '$.a'],
      ['{"\\n":1,"\\u000a":2}', '$["\\n"]'],
      ['{"x":{"":1,"":2}}', '$.x[""]'],
    ])('rejects %s at %s', (text, path) => {
      expect(() => parseStrictJson(text)).toThrowWithCode('JSON_DUPLICATE_KEY', path);
    });

    it('names the path of the repeated key wherever it is (property)', () => {
      const segment = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.nat({ max: 3 }));
      fc.assert(
        fc.property(
          fc.array(segment, { maxLength: 6 }),
          fc.string({ unit: 'binary', maxLength: 6 }),
          (path, key) => {
            const leaf = `{"k~":[{"k":1}],${JSON.stringify(key)}:1,${escaped(key)}:2}`;
            expect(() => parseStrictJson(nested(path, leaf))).toThrowWithCode(
              'JSON_DUPLICATE_KEY',
              formatPath([...path, key]),
            );
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('when the text is JSON-like but possibly broken', () => {
    // Balanced trees whose strings may hold valid or invalid escapes: closed text that reaches
    // the depth check before JSON.parse has judged it.
    const quoted = fc
      .array(fc.constantFrom('a', 'u', '0', 'x', '\\\\', '\\"', '\\u', '\\x', '\\u0061'), {
        maxLength: 4,
      })
      .map((units) => `"${units.join('')}"`);
    const { value } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        quoted,
        fc.constant('1'),
        tie('array'),
        tie('object'),
      ),
      array: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
      object: fc
        .array(fc.tuple(quoted, tie('value')), { maxLength: 3 })
        .map((members) => `{${members.map(([k, v]) => `${k}:${v}`).join(',')}}`),
    }));

    it('returns what JSON.parse returns or throws a VouchError, nothing else (property)', () => {
      fc.assert(
        fc.property(value, (text) => {
          let parsed: unknown;
          try {
            parsed = parseStrictJson(text, limits(1000, 3));
          } catch (err) {
            expect(err).toBeInstanceOf(VouchError);
            return;
          }
          expect(parsed).toEqual(JSON.parse(text));
        }),
        { numRuns: 3000 },
      );
    });
  });

  describe('when the document is cut short', () => {
    it('rejects every truncation JSON.parse rejects as JSON_SYNTAX, and reads the rest (property)', () => {
      fc.assert(
        fc.property(fc.json({ maxDepth: 6 }), fc.nat(), (text, cut) => {
          const prefix = text.slice(0, cut % (text.length + 1));
          let parsed: { value: unknown } | undefined;
          try {
            parsed = { value: JSON.parse(prefix) };
          } catch {
            parsed = undefined;
          }
          if (parsed === undefined) {
            expect(() => parseStrictJson(prefix)).toThrowWithCode('JSON_SYNTAX');
          } else {
            expect(parseStrictJson(prefix)).toEqual(parsed.value);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it.each([
      ['an open string', '{"a":"b'],
      ['an escaped closing quote', '{"a":"b\\"'],
      ['an open bracket', '{"a":[1,2'],
      ['a bracket closed before it opens', ']['],
    ])('rejects %s as JSON_SYNTAX', (_what, text) => {
      expect(() => parseStrictJson(text)).toThrowWithCode('JSON_SYNTAX');
    });
  });

  describe('when the document is too deep', () => {
    it.each([
      ['a bad escape', '{"\\x":'],
      ['a bad unicode escape', '{"\\u00zz":'],
    ])('reports a key with %s before deep nesting as JSON_SYNTAX', (_what, head) => {
      const text = `${head}${'['.repeat(70)}${']'.repeat(70)}}`;
      expect(() => parseStrictJson(text)).toThrowWithCode('JSON_SYNTAX');
    });

    it('accepts exactly maxDepth levels and rejects one more, with the path', () => {
      expect(parseStrictJson('[[[]]]', limits(100, 3))).toEqual([[[]]]);
      expect(() => parseStrictJson('[[[[]]]]', limits(100, 3))).toThrowWithCode(
        'JSON_TOO_DEEP',
        '$[0][0][0]',
      );
      expect(() => parseStrictJson('{"a":[{"b":{}}]}', limits(100, 3))).toThrowWithCode(
        'JSON_TOO_DEEP',
        '$.a[0].b',
      );
    });

    it('does not count brackets inside strings', () => {
      expect(parseStrictJson('["[[[[{{{{"]', limits(100, 1))).toEqual(['[[[[{{{{']);
    });
  });

  describe('when the document is too large or badly encoded', () => {
    it('counts UTF-8 bytes, not characters', () => {
      expect(parseStrictJson('"é"', limits(4, 1))).toBe('é');
      expect(() => parseStrictJson('"éé"', limits(4, 1))).toThrowWithCode('TOO_LARGE');
      expect(() => parseStrictJson(Buffer.from('"éé"'), limits(4, 1))).toThrowWithCode('TOO_LARGE');
    });

    it('rejects invalid UTF-8 and reports syntax errors', () => {
      expect(() => parseStrictJson(Buffer.from([0x22, 0xff, 0x22]))).toThrowWithCode(
        'BAD_ENCODING',
      );
      expect(() => parseStrictJson('{"a":}')).toThrowWithCode('JSON_SYNTAX');
      expect(() => parseStrictJson('')).toThrowWithCode('JSON_SYNTAX');
    });
  });
});

describe('formatPath', () => {
  it('uses dots for identifiers and brackets for everything else', () => {
    expect(formatPath([])).toBe('$');
    expect(formatPath(['a', 0, 'b_1', 'a-b', '', '1x'])).toBe('$.a[0].b_1["a-b"][""]["1x"]');
  });
});
