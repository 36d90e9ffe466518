import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { VouchError } from '../errors.js';

/** Algorithms `vouch keygen` generates. */
export const KEYGEN_ALGORITHMS = ['ecdsa-p256', 'ed25519', 'rsa-3072'] as const;
export type KeygenAlgorithm = (typeof KEYGEN_ALGORITHMS)[number];

/** Signature schemes Vouch verifies, derived from the key itself (never from the envelope). */
export type SignatureScheme =
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384'
  | 'ecdsa-p521-sha512'
  | 'ed25519'
  | 'rsa-sha256';

export interface PublicKey {
  readonly keyObject: KeyObject;
  readonly scheme: SignatureScheme;
  /** Hex sha256 of the SubjectPublicKeyInfo DER. */
  readonly keyid: string;
  readonly spkiDer: Buffer;
  readonly pem: string;
}

export interface PrivateKey {
  readonly keyObject: KeyObject;
  readonly scheme: SignatureScheme;
  readonly publicKey: PublicKey;
}

// Importing a key costs about ten verifications; policies name the same keys every time.
const publicKeyCache = new Map<string, PublicKey>();

/** Loads an SPKI PEM public key (cached by its text). */
export function loadPublicKey(pem: string, source = 'public key'): PublicKey {
  const cached = publicKeyCache.get(pem);
  if (cached) return cached;
  // createPublicKey would quietly derive a public key from a private one: a trust list that
  // names a private key file is a mistake (and a leaked secret), not a key to trust.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new VouchError('KEY_UNREADABLE', `${source} is a private key`, {
      hint: 'give the public key (the .pub file vouch keygen wrote)',
    });
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new VouchError('KEY_UNREADABLE', `${source} is not a PEM public key`, {
      cause,
      hint: 'give an SPKI "BEGIN PUBLIC KEY" PEM file, e.g. one written by vouch keygen',
    });
  }
  const key = toPublicKey(keyObject, source);
  publicKeyCache.set(pem, key);
  return key;
}

/** Wraps a DER SubjectPublicKeyInfo (as in Sigstore trust material). */
export function publicKeyFromSpki(der: Uint8Array, source = 'public key'): PublicKey {
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new VouchError('KEY_UNREADABLE', `${source} is not a DER SubjectPublicKeyInfo`, {
      cause,
    });
  }
  return toPublicKey(keyObject, source);
}

function toPublicKey(keyObject: KeyObject, source: string): PublicKey {
  const spkiDer = keyObject.export({ format: 'der', type: 'spki' });
  return {
    keyObject,
    scheme: schemeOf(keyObject, source),
    keyid: createHash('sha256').update(spkiDer).digest('hex'),
    spkiDer,
    pem: keyObject.export({ format: 'pem', type: 'spki' }).toString(),
  };
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
  const publicKey = toPublicKey(createPublicKey(keyObject), source);
  return { keyObject, scheme: publicKey.scheme, publicKey };
}

function schemeOf(key: KeyObject, source: string): SignatureScheme {
  const type = key.asymmetricKeyType;
  switch (type) {
    case 'ed25519':
      return 'ed25519';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return 'ecdsa-p256-sha256';
      if (curve === 'secp384r1') return 'ecdsa-p384-sha384';
      if (curve === 'secp521r1') return 'ecdsa-p521-sha512';
      throw new VouchError(
        'KEY_UNSUPPORTED',
        `${source}: EC curve ${curve ?? '?'} is not supported`,
        {
          hint: 'use P-256, P-384 or P-521',
        },
      );
    }
    case 'rsa': {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < 2048) {
        throw new VouchError('KEY_UNSUPPORTED', `${source}: RSA key of ${bits} bits is too short`, {
          hint: 'use at least 2048 bits (vouch keygen makes 3072)',
        });
      }
      return 'rsa-sha256';
    }
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
