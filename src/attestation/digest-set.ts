import { VouchError } from '../errors.js';

/** Algorithm name → digest value (lowercase hex once normalised). */
export type DigestSet = Readonly<Record<string, string>>;

// in-toto ResourceDescriptor digest algorithms with fixed hex lengths (spec/v1/digest_set.md).
// A Map: an algorithm named `constructor` or `__proto__` must find nothing, not Object.prototype.
const HEX_LENGTH: ReadonlyMap<string, readonly number[]> = new Map([
  ['sha224', [56]],
  ['sha256', [64]],
  ['sha384', [96]],
  ['sha512', [128]],
  ['sha512_224', [56]],
  ['sha512_256', [64]],
  ['sha3_224', [56]],
  ['sha3_256', [64]],
  ['sha3_384', [96]],
  ['sha3_512', [128]],
  ['sha1', [40]],
  ['md5', [32]],
  ['ripemd160', [40]],
  ['sm3', [64]],
  ['gitCommit', [40, 64]],
  ['gitTree', [40, 64]],
  ['gitBlob', [40, 64]],
  ['gitTag', [40, 64]],
]);

/** Algorithms strong enough to identify an artifact; md5 and sha1 are never enough. */
export const MATCHING_ALGORITHMS: ReadonlySet<string> = new Set([
  'sha256',
  'sha384',
  'sha512',
  'sha3_256',
  'sha3_384',
  'sha3_512',
]);

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Validates a digest set: known algorithms must be hex of the right length; values normalised to
 * lowercase. Other names (custom digests such as `gce_image_id`) are kept exactly as given.
 */
export function parseDigestSet(value: unknown, path: string): DigestSet {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VouchError('MALFORMED', 'digest must be an object of algorithm: value', { path });
  }
  const entries: [string, string][] = [];
  for (const [alg, digest] of Object.entries(value)) {
    const at = `${path}.${alg}`;
    if (typeof digest !== 'string' || digest === '') {
      throw new VouchError('MALFORMED', 'digest value must be a non-empty string', { path: at });
    }
    const lengths = HEX_LENGTH.get(alg);
    if (lengths === undefined) {
      entries.push([alg, digest]);
      continue;
    }
    if (!HEX.test(digest))
      throw new VouchError('MALFORMED', `${alg} digest is not hex`, { path: at });
    if (!lengths.includes(digest.length)) {
      throw new VouchError(
        'MALFORMED',
        `${alg} digest has ${digest.length} hex digits, expected ${lengths.join(' or ')}`,
        { path: at },
      );
    }
    entries.push([alg, digest.toLowerCase()]);
  }
  // fromEntries defines own properties, so even `__proto__` stays an ordinary key.
  return Object.fromEntries(entries);
}

/**
 * A custom digest: a name outside the in-toto algorithm list (`gce_image_id`, as
 * slsa-verifier's VSAs use). It identifies an artifact only by exact string equality, and only
 * an artifact that is itself given by that digest: a file is hashed, never custom-named.
 */
export function isCustomAlgorithm(alg: string): boolean {
  return !HEX_LENGTH.has(alg) && !MATCHING_ALGORITHMS.has(alg);
}

/**
 * True iff the two sets share at least one accepted algorithm (a strong hash or a custom
 * digest) and every shared accepted algorithm has the same value (hex case-insensitively,
 * custom digests exactly). A disagreement on any of them is a mismatch.
 */
export function digestSetsMatch(a: DigestSet, b: DigestSet): boolean {
  let common = 0;
  for (const alg of MATCHING_ALGORITHMS) {
    const x = own(a, alg);
    const y = own(b, alg);
    if (x === undefined || y === undefined) continue;
    // Values are usually lowercase already (parseDigestSet): compare before lowercasing.
    if (x !== y && x.toLowerCase() !== y.toLowerCase()) return false;
    common++;
  }
  for (const [alg, x] of Object.entries(a)) {
    if (!isCustomAlgorithm(alg)) continue;
    const y = own(b, alg);
    if (y === undefined) continue;
    if (x !== y) return false;
    common++;
  }
  return common > 0;
}

function own(set: DigestSet, alg: string): string | undefined {
  return Object.hasOwn(set, alg) ? set[alg] : undefined;
}
