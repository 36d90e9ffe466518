import fc from 'fast-check';

// Fragments that have broken parsers before: structure, escapes, prototype names, numbers at the
// edge of IEEE doubles, lone surrogates, terminal escapes, very deep or very long values.
const SNIPPETS = [
  '"',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '\\',
  '\\u0000',
  '\\ud800',
  '\u0000',
  '\ud800',
  '\u001b[2J',
  '\u202e',
  'null',
  'true',
  '-0',
  '1e999',
  '0.1e-400',
  '9007199254740993',
  '"__proto__":{"a":1},',
  '"constructor":{"name":"x"},',
  '"toString":"x",',
  '"payloadType":"x",',
  '"payload":"",',
  '"signatures":[],',
  '"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",',
  '"_type":"https://in-toto.io/Statement/v0.1",',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
  '{"a":'.repeat(80),
  'A'.repeat(5000),
  '====',
  '-_',
];

type Mutation =
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; length: number; to: number };

const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SNIPPETS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
const at = fc.nat();

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at, text }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at, text }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at,
    length: fc.integer({ min: 1, max: 200 }),
    to: fc.nat(),
  }),
);

function apply(base: string, m: Mutation): string {
  const i = base.length === 0 ? 0 : m.at % (base.length + 1);
  switch (m.kind) {
    case 'replace':
      return base.slice(0, i) + m.text + base.slice(i + m.text.length);
    case 'delete':
      return base.slice(0, i) + base.slice(i + m.length);
    case 'insert':
      return base.slice(0, i) + m.text + base.slice(i);
    case 'duplicate': {
      const slice = base.slice(i, i + m.length);
      const to = m.to % (base.length + 1);
      return base.slice(0, to) + slice + base.slice(to);
    }
  }
}

/** The base text with one to four mutations applied (byte level, structure-blind). */
export function mutatedText(base: string): fc.Arbitrary<string> {
  return fc
    .array(mutation, { minLength: 1, maxLength: 4 })
    .map((ms) => ms.reduce((s, m) => apply(s, m), base));
}

/** Any JSON value a hostile producer could write, with prototype names among the keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, 1e308, -1, 0.5, ''),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('Critical', 'HIGH', 'constructor', '__proto__', 'toString', 'CVE-2026-0001'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.string({ maxLength: 10 }),
            fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'),
          ),
          tie('value'),
        ),
        { maxLength: 4 },
      )
      .map((entries) => Object.fromEntries(entries)),
  ),
})).value;

/**
 * A JSON document with some values replaced by hostile ones, following its structure: the
 * mutations a parser that survives byte noise may still mishandle (right syntax, wrong types).
 */
export function mutatedJson(base: unknown): fc.Arbitrary<unknown> {
  const paths = jsonPaths(base);
  return fc
    .array(fc.tuple(fc.constantFrom(...paths), hostileJson, fc.boolean()), {
      minLength: 1,
      maxLength: 3,
    })
    .map((edits) => {
      let doc = structuredClone(base);
      for (const [path, value, remove] of edits) doc = setAt(doc, path, value, remove);
      return doc;
    });
}

type JsonPath = readonly (string | number)[];

function jsonPaths(value: unknown, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) jsonPaths(v, [...prefix, i], out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) jsonPaths(v, [...prefix, k], out);
  }
  return out;
}

function setAt(doc: unknown, path: JsonPath, value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  let parent = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    // Own properties only: an earlier edit may have put a `__proto__` key on this path.
    if (typeof parent !== 'object' || parent === null || !Object.hasOwn(parent, key)) return doc;
    const next = parent[key];
    if (typeof next !== 'object' || next === null) return doc;
    parent = next as Record<string | number, unknown>;
  }
  if (typeof parent !== 'object' || parent === null) return doc;
  const last = path[path.length - 1] as string | number;
  if (remove && !Array.isArray(parent)) delete parent[last];
  else
    Object.defineProperty(parent, last, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return doc;
}
