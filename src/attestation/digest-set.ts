import { VouchError } from '../errors.js';

/** Algorithm name → digest value (lowercase hex once normalised). */
export type DigestSet = Readonly<Record<string, string>>;

// in-toto ResourceDescriptor digest algorithms with fixed hex lengths (spec/v1/digest_set.md).
const HEX_LENGTH: Readonly<Record<string, readonly number[]>> = {
  sha224: [56],
  sha256: [64],
  sha384: [96],
  sha512: [128],
  sha512_224: [56],
  sha512_256: [64],
  sha3_224: [56],
  sha3_256: [64],
  sha3_384: [96],
  sha3_512: [128],
  sha1: [40],
  md5: [32],
  ripemd160: [40],
  sm3: [64],
  gitCommit: [40, 64],
  gitTree: [40, 64],
  gitBlob: [40, 64],
  gitTag: [40, 64],
};

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

/** Validates a digest set: known algorithms must be hex of the right length; values normalised to lowercase. */
export function parseDigestSet(value: unknown, path: string): DigestSet {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VouchError('MALFORMED', 'digest must be an object of algorithm: value', { path });
  }
  const out: Record<string, string> = {};
  for (const [alg, digest] of Object.entries(value)) {
    const at = `${path}.${alg}`;
    if (typeof digest !== 'string' || digest === '') {
      throw new VouchError('MALFORMED', 'digest value must be a non-empty string', { path: at });
    }
    const lengths = HEX_LENGTH[alg];
    if (lengths !== undefined) {
      if (!HEX.test(digest))
        throw new VouchError('MALFORMED', `${alg} digest is not hex`, { path: at });
      if (!lengths.includes(digest.length)) {
        throw new VouchError(
          'MALFORMED',
          `${alg} digest has ${digest.length} hex digits, expected ${lengths.join(' or ')}`,
          {
            path: at,
          },
        );
      }
      out[alg] = digest.toLowerCase();
    } else {
      // Unknown algorithms pass through (in-toto bindings); they never take part in matching.
      out[alg] = digest;
    }
  }
  return out;
}

/**
 * True iff the two sets share at least one accepted algorithm and every shared accepted
 * algorithm has the same value. A disagreement on any strong algorithm is a mismatch.
 */
export function digestSetsMatch(a: DigestSet, b: DigestSet): boolean {
  let common = 0;
  for (const alg of MATCHING_ALGORITHMS) {
    const x = a[alg];
    const y = b[alg];
    if (x === undefined || y === undefined) continue;
    // Values are usually lowercase already (parseDigestSet): compare before lowercasing.
    if (x !== y && x.toLowerCase() !== y.toLowerCase()) return false;
    common++;
  }
  return common > 0;
}
