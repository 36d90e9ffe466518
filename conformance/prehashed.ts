import type { KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';

// node:crypto cannot verify a signature over a digest it did not compute (OpenSSL's
// EVP_PKEY_verify is not exposed), and the protocol's digest mode gives only sha256:<hex>.
const CURVES = new Map([
  ['prime256v1', p256],
  ['secp384r1', p384],
]);

/**
 * Verifies a DER ECDSA signature over a precomputed digest (the conformance protocol's digest
 * mode for message-signature bundles). Other key types cannot be checked without the artifact:
 * false, never a guess.
 */
export function verifyPrehashed(
  key: KeyObject,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  const curve = CURVES.get(key.asymmetricKeyDetails?.namedCurve ?? '');
  if (key.asymmetricKeyType !== 'ec' || curve === undefined) return false;
  const point = key.export({ format: 'jwk' });
  if (point.x === undefined || point.y === undefined) return false;
  const publicKey = Buffer.concat([
    Buffer.of(0x04),
    Buffer.from(point.x, 'base64url'),
    Buffer.from(point.y, 'base64url'),
  ]);
  try {
    // Sigstore clients do not normalise s, so high-s signatures are valid here.
    return curve.verify(signature, digest, publicKey, {
      prehash: false,
      lowS: false,
      format: 'der',
    });
  } catch {
    return false;
  }
}
