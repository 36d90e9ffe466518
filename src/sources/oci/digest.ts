import { createHash } from 'node:crypto';
import { VouchError } from '../../errors.js';

/** `sha256:<64 hex>` or `sha512:<128 hex>`, lowercase: the OCI image spec's registered digests. */
export type OciDigest = `sha256:${string}` | `sha512:${string}`;

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** The digest, or undefined if it is not a registered algorithm with canonical hex. */
export function parseDigest(text: string): OciDigest | undefined {
  return DIGEST.test(text) ? (text as OciDigest) : undefined;
}

/** The digest of bytes, computed here: a registry's `Docker-Content-Digest` is never trusted. */
export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): OciDigest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` as OciDigest;
}

/**
 * Image spec "Verification": content fetched by digest must hash to that digest before use.
 * A registry serving other bytes under a digest (a swapped blob) is caught only here.
 */
export function assertDigest(bytes: Uint8Array, expected: OciDigest, what: string): void {
  const algorithm = expected.startsWith('sha512:') ? 'sha512' : 'sha256';
  const actual = digestOf(bytes, algorithm);
  if (actual !== expected) {
    throw new VouchError('REGISTRY_INVALID', `${what} does not match its digest: got ${actual}`, {
      hint: 'the registry served other bytes than the digest names (corrupt or tampered)',
    });
  }
}

/**
 * Referrers tag schema (distribution spec): `<alg>-<ref>` for digest `<alg>:<ref>`, the
 * algorithm truncated to 32 characters and the encoded part to 64 (tags are at most 128).
 */
export function referrersTag(digest: OciDigest): string {
  const [algorithm = '', encoded = ''] = digest.split(':');
  return `${algorithm.slice(0, 32)}-${encoded.slice(0, 64)}`;
}

/** cosign's attestation tag for an image digest (`sha256-<hex>.att`). */
export function cosignAttestationTag(digest: OciDigest): string {
  return `${digest.replace(':', '-')}.att`;
}
