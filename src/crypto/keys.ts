import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { VouchError } from '../errors.js';
import { ed25519Weakness } from './ed25519-point.js';
import { singlePemBlock } from './pem.js';
import { readSslibKey } from './securesystemslib-key.js';
import type { SignatureScheme } from './signature-scheme.js';
import {
  OID_EC_PUBLIC_KEY,
  OID_ED25519,
  readSpki,
  type SpkiParts,
  SUPPORTED_EC_CURVES,
} from './spki.js';

/** Algorithms `vouch keygen` generates. */
export const KEYGEN_ALGORITHMS = ['ecdsa-p256', 'ed25519', 'rsa-3072'] as const;
export type KeygenAlgorithm = (typeof KEYGEN_ALGORITHMS)[number];

export interface PublicKey {
  readonly keyObject: KeyObject;
  readonly scheme: SignatureScheme;
  /**
   * Hex sha256 of the canonical SubjectPublicKeyInfo DER: named curve and uncompressed point
   * for EC, re-encoded from (n, e) for RSA. One key has one keyid however it was encoded.
   */
  readonly keyid: string;
  /** The canonical SPKI DER the keyid is computed over. */
  readonly spkiDer: Buffer;
  readonly pem: string;
  /** Key size in bits: RSA modulus, EC field (256, 384, 521), 256 for Ed25519. */
  readonly bits: number;
}

export interface PrivateKey {
  readonly keyObject: KeyObject;
  readonly scheme: SignatureScheme;
  readonly publicKey: PublicKey;
}

// Importing a key costs about ten verifications; policies name the same keys every time.
const publicKeyCache = new Map<string, PublicKey>();

/**
 * Loads a public key from key file text: one SPKI ("BEGIN PUBLIC KEY") or PKCS#1 ("BEGIN RSA
 * PUBLIC KEY") PEM block, or a securesystemslib key dict (cached by its text).
 */
export function loadPublicKey(text: string, source = 'public key'): PublicKey {
  const cached = publicKeyCache.get(text);
  if (cached) return cached;
  let key: PublicKey;
  if (text.trimStart().startsWith('{')) {
    const sslib = readSslibKey(text, source);
    key = keyFromSpki(sslib.spkiDer, source);
    if (sslib.scheme !== undefined && sslib.scheme !== key.scheme) {
      throw new VouchError(
        'KEY_UNREADABLE',
        `${source}: its scheme is for ${sslib.scheme} keys, the key is ${key.scheme}`,
        { hint: 'make the scheme match the key' },
      );
    }
  } else {
    key = keyFromSpki(spkiFromPemText(text, source), source);
  }
  publicKeyCache.set(text, key);
  return key;
}

/** Wraps a DER SubjectPublicKeyInfo (as in Sigstore trust material). */
export function publicKeyFromSpki(der: Uint8Array, source = 'public key'): PublicKey {
  return keyFromSpki(der, source);
}

function spkiFromPemText(text: string, source: string): Buffer {
  const { label, der } = singlePemBlock(text, source);
  switch (label) {
    case 'PUBLIC KEY':
      return der;
    case 'RSA PUBLIC KEY':
      // PKCS#1 RSAPublicKey (RFC 8017 A.1.1): the same key as its SPKI form.
      return importOrUnreadable(
        () =>
          createPublicKey({ key: der, format: 'der', type: 'pkcs1' }).export({
            format: 'der',
            type: 'spki',
          }),
        source,
      );
    default:
      // createPublicKey would quietly derive a public key from a private one: a trust list
      // that names a private key file is a mistake (and a leaked secret), not a key to trust.
      throw new VouchError(
        'KEY_UNREADABLE',
        label.includes('PRIVATE KEY')
          ? `${source} is a private key`
          : `${source} is a ${label} PEM, not a public key`,
        { hint: 'give the public key (the .pub file vouch keygen wrote)' },
      );
  }
}

/**
 * The one way a public key enters Vouch: structural checks on the DER (before node:crypto
 * touches a key that could crash it), import, strength checks, then the canonical encoding.
 */
function keyFromSpki(der: Uint8Array, source: string): PublicKey {
  const parts = checkSpkiBeforeImport(der, source);
  // Other curves never reach OpenSSL's decoder (its refusals would read as bad points).
  const curve = typeof parts.parameters === 'object' ? parts.parameters.oid : '';
  if (parts.algorithm === OID_EC_PUBLIC_KEY && !SUPPORTED_EC_CURVES.has(curve)) {
    throw new VouchError('KEY_UNSUPPORTED', `${source}: EC curve ${curve} is not supported`, {
      hint: 'use P-256, P-384 or P-521',
    });
  }
  let imported: KeyObject;
  try {
    imported = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch (cause) {
    // OpenSSL refuses EC points that are not on the named curve (SEC 1 3.2.2.1) at import,
    // and point encodings of the wrong length or form; both are no usable public key.
    if (parts.algorithm === OID_EC_PUBLIC_KEY) {
      throw weak(`${source}: the EC point is malformed or not on the curve`, cause);
    }
    throw new VouchError('KEY_UNREADABLE', `${source} is not a DER SubjectPublicKeyInfo`, {
      cause,
    });
  }
  const { scheme, bits } = schemeOf(imported, source);
  // A JWK carries only the key's numbers: re-importing it gives the canonical SPKI (named
  // curve, uncompressed point; RSA (n, e) re-encoded), so every encoding of a key has one keyid.
  const keyObject = createPublicKey({ key: imported.export({ format: 'jwk' }), format: 'jwk' });
  const spkiDer = keyObject.export({ format: 'der', type: 'spki' });
  return {
    keyObject,
    scheme,
    keyid: createHash('sha256').update(spkiDer).digest('hex'),
    spkiDer,
    pem: keyObject.export({ format: 'pem', type: 'spki' }).toString(),
    bits,
  };
}

/**
 * Refuses, from the DER bytes alone, an SPKI that node:crypto must never import: explicit EC
 * parameters, the EC point at infinity (node 20 imports it, then aborts the process on
 * `asymmetricKeyDetails` or a JWK export and segfaults on a P1363 verification), and weak
 * Ed25519 points. For any key read from untrusted input (e.g. a certificate) before use.
 */
export function checkSpkiBeforeImport(der: Uint8Array, source: string): SpkiParts {
  const parts = readSpki(der, source);
  if (parts.algorithm === OID_EC_PUBLIC_KEY) {
    // RFC 5480 2.1.1: explicit curve parameters are not allowed in PKIX; they also give one
    // key a second encoding (and are how CVE-2020-0601 forged a curve).
    if (parts.parameters === 'explicit') {
      throw new VouchError(
        'KEY_UNSUPPORTED',
        `${source}: explicit EC curve parameters are not supported`,
        {
          hint: 'encode the key with its named curve, e.g. openssl ec -pubin -param_enc named_curve',
        },
      );
    }
    // SEC 1 2.3.3: a single 0x00 octet is the point at infinity, never a public key.
    if (parts.key.byteLength === 0 || parts.key[0] === 0) {
      throw weak(`${source}: the EC point is the point at infinity`);
    }
  }
  if (parts.algorithm === OID_ED25519) {
    const why = ed25519Weakness(parts.key);
    if (why !== undefined) throw weak(`${source}: the Ed25519 public key ${why}`);
  }
  return parts;
}

function importOrUnreadable(load: () => Buffer, source: string): Buffer {
  try {
    return load();
  } catch (cause) {
    throw new VouchError('KEY_UNREADABLE', `${source} is not a PEM public key`, { cause });
  }
}

/** Loads a PKCS#8 (optionally encrypted) or traditional PEM private key. */
export function loadPrivateKey(
  pem: string,
  passphrase?: string,
  source = 'private key',
): PrivateKey {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(
      passphrase === undefined
        ? { key: pem, format: 'pem' }
        : { key: pem, format: 'pem', passphrase },
    );
  } catch (cause) {
    const encrypted = pem.includes('ENCRYPTED');
    if (encrypted) {
      throw new VouchError(
        'KEY_PASSPHRASE',
        `${source} is encrypted and the passphrase is ${passphrase === undefined ? 'missing' : 'wrong'}`,
        {
          cause,
          field: 'passphraseEnv',
          hint: 'name an environment variable that holds the passphrase',
        },
      );
    }
    throw new VouchError('KEY_UNREADABLE', `${source} is not a PEM private key`, { cause });
  }
  const spki = importOrUnreadable(
    () => createPublicKey(keyObject).export({ format: 'der', type: 'spki' }),
    source,
  );
  const publicKey = keyFromSpki(spki, source);
  return { keyObject, scheme: publicKey.scheme, publicKey };
}

const EC_CURVES = new Map<string, { scheme: SignatureScheme; bits: number }>([
  ['prime256v1', { scheme: 'ecdsa-p256-sha256', bits: 256 }],
  ['secp384r1', { scheme: 'ecdsa-p384-sha384', bits: 384 }],
  ['secp521r1', { scheme: 'ecdsa-p521-sha512', bits: 521 }],
]);

// OpenSSL verifies RSA moduli up to 16384 bits (OPENSSL_RSA_MAX_MODULUS_BITS).
const RSA_MAX_BITS = 16384;

function schemeOf(key: KeyObject, source: string): { scheme: SignatureScheme; bits: number } {
  const type = key.asymmetricKeyType;
  switch (type) {
    case 'ed25519':
      return { scheme: 'ed25519', bits: 256 };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const known = curve === undefined ? undefined : EC_CURVES.get(curve);
      if (known !== undefined) return known;
      throw new VouchError(
        'KEY_UNSUPPORTED',
        `${source}: EC curve ${curve ?? '?'} is not supported`,
        {
          hint: 'use P-256, P-384 or P-521',
        },
      );
    }
    case 'rsa':
      return { scheme: 'rsa-sha256', bits: rsaStrength(key, source) };
    default:
      throw new VouchError(
        'KEY_UNSUPPORTED',
        `${source}: key type ${type ?? '?'} is not supported`,
        {
          hint: 'use ecdsa-p256, ed25519 or rsa',
        },
      );
  }
}

/**
 * RSA public key checks (RFC 8017 3.1; NIST SP 800-89 5.3.3): e odd, >= 3 and < 2^256 (e = 1
 * makes the signature equal the padded digest, forgeable by anyone), n odd and >= 2048 bits.
 */
function rsaStrength(key: KeyObject, source: string): number {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const exponent = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  if (exponent < 3n || exponent % 2n === 0n) {
    throw weak(`${source}: RSA public exponent ${exponent} is not an odd number >= 3`);
  }
  // NIST SP 800-89 5.3.3: e < 2^256. A huge exponent makes every verification as slow as a
  // private-key operation, for each signature tried.
  if (exponent >= 2n ** 256n) {
    throw new VouchError('KEY_UNSUPPORTED', `${source}: RSA public exponent is over 256 bits`, {
      hint: 'use e = 65537',
    });
  }
  if (bits < 2048) {
    throw weak(
      `${source}: RSA key of ${bits} bits is too short`,
      undefined,
      'use at least 2048 bits (vouch keygen makes 3072)',
    );
  }
  if (bits > RSA_MAX_BITS) {
    throw new VouchError(
      'KEY_UNSUPPORTED',
      `${source}: RSA key of ${bits} bits is longer than ${RSA_MAX_BITS}`,
    );
  }
  const modulus = Buffer.from(String(key.export({ format: 'jwk' }).n ?? ''), 'base64url');
  if (((modulus.at(-1) ?? 0) & 1) === 0) throw weak(`${source}: RSA modulus is even`);
  return bits;
}

function weak(
  message: string,
  cause?: unknown,
  hint = 'generate a new key, e.g. with vouch keygen',
): VouchError {
  return new VouchError('KEY_WEAK', message, { cause, hint });
}

export interface GeneratedKeyPair {
  privatePem: string;
  publicPem: string;
  keyid: string;
}

/** Generates a key pair; the private key is PKCS#8 PEM, AES-256-CBC encrypted with a passphrase. */
export function generateKeyPair(alg: KeygenAlgorithm, passphrase?: string): GeneratedKeyPair {
  const privateKeyEncoding =
    passphrase === undefined
      ? ({ type: 'pkcs8', format: 'pem' } as const)
      : ({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase } as const);
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const pair = (() => {
    switch (alg) {
      case 'ecdsa-p256':
        return generateKeyPairSync('ec', {
          namedCurve: 'P-256',
          publicKeyEncoding,
          privateKeyEncoding,
        });
      case 'ed25519':
        return generateKeyPairSync('ed25519', { publicKeyEncoding, privateKeyEncoding });
      case 'rsa-3072':
        return generateKeyPairSync('rsa', {
          modulusLength: 3072,
          publicKeyEncoding,
          privateKeyEncoding,
        });
      default: {
        const never: never = alg;
        throw new VouchError('USAGE', `unknown algorithm ${String(never)}`);
      }
    }
  })();
  return {
    privatePem: pair.privateKey,
    publicPem: pair.publicKey,
    keyid: loadPublicKey(pair.publicKey).keyid,
  };
}
