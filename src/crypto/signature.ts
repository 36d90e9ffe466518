import { constants, sign, verify } from 'node:crypto';
import type { PrivateKey, PublicKey, SignatureScheme } from './keys.js';

// Field size in bytes per curve, for IEEE P1363 (raw r||s) signatures.
const P1363_LENGTH: Partial<Record<SignatureScheme, number>> = {
  'ecdsa-p256-sha256': 64,
  'ecdsa-p384-sha384': 96,
  'ecdsa-p521-sha512': 132,
};

function digestOf(scheme: SignatureScheme): string | null {
  switch (scheme) {
    case 'ed25519':
      return null;
    case 'ecdsa-p256-sha256':
    case 'rsa-sha256':
      return 'sha256';
    case 'ecdsa-p384-sha384':
      return 'sha384';
    case 'ecdsa-p521-sha512':
      return 'sha512';
    default: {
      const never: never = scheme;
      throw new Error(`unknown scheme ${String(never)}`);
    }
  }
}

/** Signs bytes; ECDSA signatures are DER (what Sigstore and in-toto tooling emit). */
export function signBytes(key: PrivateKey, data: Uint8Array): Buffer {
  // RSA signs PKCS#1 v1.5 (what Sigstore clients and cosign verify for RSA keys).
  return sign(digestOf(key.scheme), data, key.keyObject);
}

/**
 * Verifies a signature; never throws. ECDSA accepts DER and IEEE P1363 (raw r||s, as in the
 * DSSE spec's test vector); both encode the same (r, s), so accepting both adds no forgery.
 * RSA accepts PKCS#1 v1.5 and PSS with any salt length (securesystemslib's default scheme is
 * rsassa-pss-sha256); both are sound with SHA-256.
 */
export function verifyBytes(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const digest = digestOf(key.scheme);
    switch (key.scheme) {
      case 'ed25519':
        return verify(null, data, key.keyObject, signature);
      case 'rsa-sha256':
        return (
          verify(digest, data, key.keyObject, signature) ||
          verify(
            digest,
            data,
            {
              key: key.keyObject,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_AUTO,
            },
            signature,
          )
        );
      case 'ecdsa-p256-sha256':
      case 'ecdsa-p384-sha384':
      case 'ecdsa-p521-sha512': {
        if (signature.byteLength === P1363_LENGTH[key.scheme]) {
          const ok = verify(
            digest,
            data,
            { key: key.keyObject, dsaEncoding: 'ieee-p1363' },
            signature,
          );
          if (ok || signature[0] !== 0x30) return ok;
        }
        return verify(digest, data, key.keyObject, signature);
      }
      default: {
        const never: never = key.scheme;
        throw new Error(`unknown scheme ${String(never)}`);
      }
    }
  } catch {
    // Malformed DER or a key/signature type mismatch: not a valid signature.
    return false;
  }
}
