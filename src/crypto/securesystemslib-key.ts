import { parseStrictJson } from '../encoding/strict-json.js';
import { VouchError } from '../errors.js';
import { singlePemBlock } from './pem.js';
import type { SignatureScheme } from './signature-scheme.js';

// RFC 8410: an Ed25519 SubjectPublicKeyInfo is this fixed 12-byte prefix + the 32-byte key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Key files are small; a bound keeps a mistaken path (a large JSON file) cheap to refuse.
const KEY_FILE_LIMITS = { maxBytes: 64 * 1024, maxDepth: 8 } as const;

/** What a securesystemslib key dict says, in terms of the SPKI it names. */
export interface SslibPublicKey {
  readonly spkiDer: Buffer;
  /** The ECDSA scheme its scheme names (ecdsa-sha2-nistp256/384), checked against the key. */
  readonly scheme: SignatureScheme | undefined;
}

// securesystemslib formats.py: RSA schemes rsassa-pss-* and rsa-pkcs1v15-*; Vouch verifies
// the SHA-2 ones (md5, sha1 and sha224 are refused as too weak or unused).
const RSA_SCHEMES = /^(rsassa-pss|rsa-pkcs1v15)-(sha256|sha384|sha512)$/;
const ECDSA_SCHEMES: ReadonlyMap<string, SignatureScheme> = new Map([
  ['ecdsa-sha2-nistp256', 'ecdsa-p256-sha256'],
  ['ecdsa-sha2-nistp384', 'ecdsa-p384-sha384'],
] as const);

/**
 * Reads a securesystemslib public key dict, `{"keytype", "scheme", "keyval": {"public"}}`
 * (securesystemslib formats.py PUBLIC_KEY_SCHEMA): Ed25519 keys are 64 hex digits, ECDSA and
 * RSA keys SPKI PEM. Other fields (keyid_hash_algorithms, keyid, expires) are the format's
 * own and do not change the key.
 */
export function readSslibKey(text: string, source: string): SslibPublicKey {
  let value: unknown;
  try {
    value = parseStrictJson(text, KEY_FILE_LIMITS);
  } catch (cause) {
    throw unreadable(source, 'is not valid JSON', cause);
  }
  const key = asRecord(value);
  const keyval = asRecord(key?.keyval);
  const { keytype, scheme } = key ?? {};
  const pub = keyval?.public;
  if (typeof keytype !== 'string' || typeof scheme !== 'string' || typeof pub !== 'string') {
    throw unreadable(source, 'is not a securesystemslib key (keytype, scheme, keyval.public)');
  }
  // PUBLIC_KEYVAL_SCHEMA: a public key's private part, if present, must be empty.
  if (keyval?.private !== undefined && keyval.private !== '') {
    throw new VouchError('KEY_UNREADABLE', `${source} is a private key`, {
      hint: 'give the public key only (keyval.public)',
    });
  }
  if (keytype === 'ed25519' && scheme === 'ed25519') {
    if (!/^[0-9a-fA-F]{64}$/.test(pub)) {
      throw unreadable(source, 'keyval.public of an ed25519 key must be 64 hex digits');
    }
    return {
      spkiDer: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(pub, 'hex')]),
      scheme: undefined,
    };
  }
  const ecdsa = ECDSA_SCHEMES.get(scheme);
  if (ecdsa !== undefined && (keytype === 'ecdsa' || keytype === scheme)) {
    return { spkiDer: spkiFromPem(pub, source), scheme: ecdsa };
  }
  if (keytype === 'rsa' && RSA_SCHEMES.test(scheme)) {
    return { spkiDer: spkiFromPem(pub, source), scheme: undefined };
  }
  throw new VouchError(
    'KEY_UNSUPPORTED',
    `${source}: securesystemslib keytype ${JSON.stringify(keytype)} with scheme ${JSON.stringify(scheme)} is not supported`,
    {
      hint: 'use ed25519, ecdsa-sha2-nistp256/384, or rsa with rsassa-pss-sha256/384/512 or rsa-pkcs1v15-sha256/384/512',
    },
  );
}

function spkiFromPem(pem: string, source: string): Buffer {
  const block = singlePemBlock(pem, `${source} keyval.public`);
  if (block.label !== 'PUBLIC KEY') {
    throw unreadable(source, `keyval.public is a ${block.label} PEM, not a PUBLIC KEY`);
  }
  return block.der;
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function unreadable(source: string, why: string, cause?: unknown): VouchError {
  return new VouchError('KEY_UNREADABLE', `${source} ${why}`, {
    cause,
    hint: 'give a securesystemslib public key: {"keytype", "scheme", "keyval": {"public"}}',
  });
}
