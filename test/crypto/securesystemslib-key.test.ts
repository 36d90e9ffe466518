import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPublicKey } from '../../src/crypto/keys.js';
import { spkiOf, toPem } from '../support/spki.js';

// securesystemslib formats.py PUBLIC_KEY_SCHEMA: {"keytype", "scheme", "keyval": {"public"}}.
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
const ed = generateKeyPairSync('ed25519').publicKey;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const dict = (keytype: string, scheme: string, keyval: Record<string, unknown>) =>
  JSON.stringify({ keytype, scheme, keyval });
const pemOf = (key: typeof p256) => toPem(spkiOf(key));

describe('securesystemslib key files', () => {
  it.each([
    [
      'ed25519 (64 hex digits)',
      dict('ed25519', 'ed25519', { public: spkiOf(ed).subarray(12).toString('hex') }),
      ed,
    ],
    ['ecdsa P-256', dict('ecdsa', 'ecdsa-sha2-nistp256', { public: pemOf(p256) }), p256],
    [
      'ecdsa-sha2-nistp384 keytype',
      dict('ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384', { public: pemOf(p384) }),
      p384,
    ],
    ['rsa rsassa-pss-sha256', dict('rsa', 'rsassa-pss-sha256', { public: pemOf(rsa) }), rsa],
    ['rsa rsa-pkcs1v15-sha512', dict('rsa', 'rsa-pkcs1v15-sha512', { public: pemOf(rsa) }), rsa],
    [
      'a public key with an empty private part',
      dict('ed25519', 'ed25519', { public: spkiOf(ed).subarray(12).toString('hex'), private: '' }),
      ed,
    ],
  ] as const)('loads %s with the keyid of its SPKI PEM', (_what, text, key) => {
    expect(loadPublicKey(text).keyid).toBe(loadPublicKey(pemOf(key)).keyid);
  });

  it.each([
    [
      'a private part',
      dict('ed25519', 'ed25519', {
        public: spkiOf(ed).subarray(12).toString('hex'),
        private: 'ab'.repeat(32),
      }),
      'KEY_UNREADABLE',
    ],
    [
      'a scheme for another curve',
      dict('ecdsa', 'ecdsa-sha2-nistp384', { public: pemOf(p256) }),
      'KEY_UNREADABLE',
    ],
    [
      'an ed25519 key that is not 32 bytes of hex',
      dict('ed25519', 'ed25519', { public: 'abcd' }),
      'KEY_UNREADABLE',
    ],
    [
      'an RSA scheme over SHA-1',
      dict('rsa', 'rsassa-pss-sha1', { public: pemOf(rsa) }),
      'KEY_UNSUPPORTED',
    ],
    [
      'a keytype with a foreign scheme',
      dict('rsa', 'ed25519', { public: pemOf(rsa) }),
      'KEY_UNSUPPORTED',
    ],
    ['no keyval', JSON.stringify({ keytype: 'ed25519', scheme: 'ed25519' }), 'KEY_UNREADABLE'],
    [
      'a duplicate field',
      '{"keytype":"ed25519","keytype":"rsa","scheme":"ed25519","keyval":{"public":""}}',
      'KEY_UNREADABLE',
    ],
    [
      'two PEM blocks in keyval.public',
      dict('ecdsa', 'ecdsa-sha2-nistp256', { public: `${pemOf(p256)}${pemOf(p256)}` }),
      'KEY_UNREADABLE',
    ],
    [
      'a small-order ed25519 point',
      dict('ed25519', 'ed25519', { public: `01${'00'.repeat(31)}` }),
      'KEY_WEAK',
    ],
  ] as const)('refuses %s', (_what, text, code) => {
    expect(() => loadPublicKey(text)).toThrowWithCode(code);
  });
});
