import { constants, sign, verify } from 'node:crypto';
import type { PrivateKey, PublicKey } from './keys.js';
import type { SignatureScheme } from './signature-scheme.js';

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
  // RSA signs PKCS#1 v1.5 with SHA-256 (what Sigstore clients and cosign verify for RSA keys).
  return sign(digestOf(key.scheme), data, key.keyObject);
}

/**
 * Whether a key of this type and size could have made a signature of this length: checked
 * before any public-key operation, so junk signatures cost no verification.
 * Ed25519: 64 bytes (RFC 8032 5.1.6). RSA: exactly the modulus length (RFC 8017 8.1.2 and
 * 8.2.2 step 1; OpenSSL would also take a shorter PSS signature, a second encoding of one
 * signature). ECDSA: IEEE P1363 r||s, or a DER SEQUENCE of two INTEGERs of at most the
 * field size plus a sign byte.
 */
export function signatureFits(key: PublicKey, signature: Uint8Array): boolean {
  const length = signature.byteLength;
  const fieldBytes = Math.ceil(key.bits / 8);
  switch (key.scheme) {
    case 'ed25519':
      return length === 64;
    case 'rsa-sha256':
      return length === fieldBytes;
    case 'ecdsa-p256-sha256':
    case 'ecdsa-p384-sha384':
    case 'ecdsa-p521-sha512':
      return (
        length === 2 * fieldBytes ||
        (signature[0] === 0x30 && length >= 8 && length <= 2 * fieldBytes + 9)
      );
    default: {
      const never: never = key.scheme;
      throw new Error(`unknown scheme ${String(never)}`);
    }
  }
}

// RSA verification accepts SHA-256, SHA-384 and SHA-512, each with PKCS#1 v1.5 and PSS
// (securesystemslib's rsassa-pss-* and rsa-pkcs1v15-* schemes): the digest algorithm is
// bound into both encodings, so accepting all adds no forgery. SHA-1 and MD5 never verify.
const RSA_DIGESTS = ['sha256', 'sha384', 'sha512'] as const;

/**
 * Verifies a signature; never throws. ECDSA accepts DER and IEEE P1363 (raw r||s, as in the
 * DSSE spec's test vector); both encode the same (r, s), so accepting both adds no forgery.
 * The ECDSA hash follows the curve (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512); RSA
 * accepts PKCS#1 v1.5 and PSS with any salt length over SHA-256/384/512.
 */
export function verifyBytes(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  if (!signatureFits(key, signature)) return false;
  try {
    switch (key.scheme) {
      case 'ed25519':
        return verify(null, data, key.keyObject, signature);
      case 'rsa-sha256':
        return RSA_DIGESTS.some(
          (digest) =>
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
            ),
        );
      case 'ecdsa-p256-sha256':
      case 'ecdsa-p384-sha384':
      case 'ecdsa-p521-sha512': {
        const digest = digestOf(key.scheme);
        if (signature.byteLength === 2 * Math.ceil(key.bits / 8)) {
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
