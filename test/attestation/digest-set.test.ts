import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DigestSet,
  digestSetsMatch,
  MATCHING_ALGORITHMS,
  parseDigestSet,
} from '../../src/attestation/digest-set.js';

const hex = (c: string, n: number): string => c.repeat(n);
const A256 = hex('a', 64);
const B256 = hex('b', 64);
const A512 = hex('a', 128);
const B512 = hex('b', 128);

describe('digestSetsMatch (in-toto digest_set.md, DESIGN 6.5)', () => {
  it.each<readonly [string, DigestSet, DigestSet, boolean]>([
    ['an equal common strong algorithm', { sha256: A256 }, { sha256: A256 }, true],
    [
      'one of several common strong algorithms',
      { sha256: A256, sha1: hex('1', 40) },
      { sha256: A256 },
      true,
    ],
    ['sha512 only (npm subjects)', { sha512: A512 }, { sha256: A256, sha512: A512 }, true],
    ['sha3_256', { sha3_256: A256 }, { sha3_256: A256 }, true],
    ['uppercase against lowercase hex', { sha256: A256.toUpperCase() }, { sha256: A256 }, true],
    ['md5 alone, even when equal', { md5: hex('a', 32) }, { md5: hex('a', 32) }, false],
    ['sha1 alone, even when equal', { sha1: hex('a', 40) }, { sha1: hex('a', 40) }, false],
    [
      'md5 and sha1 together, equal',
      { md5: hex('a', 32), sha1: hex('a', 40) },
      { md5: hex('a', 32), sha1: hex('a', 40) },
      false,
    ],
    ['no common algorithm', { sha256: A256 }, { sha512: A512 }, false],
    ['a custom digest, equal', { gce_image_id: '897' }, { gce_image_id: '897' }, true],
    ['a custom digest, equal but for case', { custom: 'Ab' }, { custom: 'ab' }, false],
    [
      'a custom digest against a hashed file',
      { gce_image_id: '897' },
      { sha256: A256, sha512: A512 },
      false,
    ],
    [
      'sha256 agrees but a shared custom digest differs',
      { sha256: A256, custom: 'x' },
      { sha256: A256, custom: 'y' },
      false,
    ],
    ['a prototype name, equal', { constructor: '1' }, { constructor: '1' }, true],
    ['a prototype name on one side only', { constructor: '1' }, { sha256: A256 }, false],
    ['gitCommit only, equal', { gitCommit: hex('a', 40) }, { gitCommit: hex('a', 40) }, false],
    ['a disagreement on sha256', { sha256: A256 }, { sha256: B256 }, false],
    [
      'sha256 agrees but sha512 disagrees',
      { sha256: A256, sha512: A512 },
      { sha256: A256, sha512: B512 },
      false,
    ],
    ['empty sets', {}, {}, false],
  ])('%s -> %s', (_what, a, b, want) => {
    expect(digestSetsMatch(a, b)).toBe(want);
    expect(digestSetsMatch(b, a)).toBe(want);
  });

  it('matches iff a strong or custom algorithm is shared and every shared one agrees (property)', () => {
    const customs = ['blake2b', 'gce_image_id', 'constructor', '__proto__', 'toString'];
    const alg = fc.constantFrom(...MATCHING_ALGORITHMS, 'md5', 'sha1', 'gitCommit', ...customs);
    const value = fc.constantFrom('aa', 'AA', 'bb');
    const set = fc
      .array(fc.tuple(alg, value), { maxLength: 4 })
      .map((entries) => Object.fromEntries(entries) as DigestSet);
    const has = (s: DigestSet, k: string) => Object.hasOwn(s, k);
    fc.assert(
      fc.property(set, set, (a, b) => {
        const strong = [...MATCHING_ALGORITHMS].filter((k) => has(a, k) && has(b, k));
        const custom = customs.filter((k) => has(a, k) && has(b, k));
        const agree =
          strong.every((k) => a[k]?.toLowerCase() === b[k]?.toLowerCase()) &&
          custom.every((k) => a[k] === b[k]);
        expect(digestSetsMatch(a, b)).toBe(strong.length + custom.length > 0 && agree);
        expect(digestSetsMatch(b, a)).toBe(digestSetsMatch(a, b));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseDigestSet', () => {
  it('normalises known algorithms to lowercase and keeps unknown ones as given', () => {
    expect(parseDigestSet({ sha256: A256.toUpperCase(), custom: 'AbC' }, '$.digest')).toEqual({
      sha256: A256,
      custom: 'AbC',
    });
  });

  it.each([
    ['not an object', [A256], '$.digest'],
    ['null', null, '$.digest'],
    ['a non-string value', { sha256: 1 }, '$.digest.sha256'],
    ['an empty value', { sha256: '' }, '$.digest.sha256'],
    ['non-hex sha256', { sha256: 'g'.repeat(64) }, '$.digest.sha256'],
    ['short sha256', { sha256: A256.slice(1) }, '$.digest.sha256'],
    ['gitCommit of 41 hex digits', { gitCommit: hex('a', 41) }, '$.digest.gitCommit'],
  ])('rejects %s as MALFORMED at its path', (_what, value, path) => {
    expect(() => parseDigestSet(value, '$.digest')).toThrowWithCode('MALFORMED', path);
  });
});

describe('digest algorithms named like Object.prototype members', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'keeps %s as an own, ordinary custom algorithm (no INTERNAL, nothing dropped)',
    (alg) => {
      const parsed = parseDigestSet(JSON.parse(`{"${alg}": "v", "sha256": "${A256}"}`), '$');
      expect(Object.hasOwn(parsed, alg)).toBe(true);
      expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(parsed))).toEqual(
        JSON.parse(`{"${alg}": "v", "sha256": "${A256}"}`),
      );
      expect(digestSetsMatch(parsed, { sha256: A256 })).toBe(true);
    },
  );
});
