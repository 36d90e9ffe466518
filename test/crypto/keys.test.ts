import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  KEYGEN_ALGORITHMS,
  loadPrivateKey,
  loadPublicKey,
  publicKeyFromSpki,
} from '../../src/crypto/keys.js';
import type { SignatureScheme } from '../../src/crypto/signature-scheme.js';

const SCHEME: Readonly<Record<(typeof KEYGEN_ALGORITHMS)[number], SignatureScheme>> = {
  'ecdsa-p256': 'ecdsa-p256-sha256',
  ed25519: 'ed25519',
  'rsa-3072': 'rsa-sha256',
};

/** keyid computed independently of Vouch: sha256 over the SPKI DER. */
const spkiSha256 = (pem: string): string =>
  createHash('sha256')
    .update(createPublicKey(pem).export({ format: 'der', type: 'spki' }))
    .digest('hex');

const asPems = (pair: { publicKey: KeyObject; privateKey: KeyObject }) => ({
  publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
});

describe('keys', () => {
  describe.each(KEYGEN_ALGORITHMS)('when generating %s', (alg) => {
    const pair = generateKeyPair(alg);

    it('writes PKCS#8 and SPKI PEM whose keyid is sha256(SPKI DER)', () => {
      expect(pair.privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(pair.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      expect(pair.keyid).toBe(spkiSha256(pair.publicPem));
      expect(pair.keyid).toMatch(/^[0-9a-f]{64}$/);
    });

    it('loads both halves with the same scheme and keyid', () => {
      const priv = loadPrivateKey(pair.privatePem);
      const pub = loadPublicKey(pair.publicPem);
      expect(priv.scheme).toBe(SCHEME[alg]);
      expect(pub.scheme).toBe(SCHEME[alg]);
      expect(priv.publicKey.keyid).toBe(pub.keyid);
      expect(publicKeyFromSpki(pub.spkiDer).keyid).toBe(pub.keyid);
    });

    it('encrypts with a passphrase and needs the right one to load', () => {
      const locked = generateKeyPair(alg, 'correct horse');
      expect(locked.privatePem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
      expect(() => loadPrivateKey(locked.privatePem)).toThrowWithCode('KEY_PASSPHRASE');
      expect(() => loadPrivateKey(locked.privatePem, 'wrong')).toThrowWithCode('KEY_PASSPHRASE');
      expect(loadPrivateKey(locked.privatePem, 'correct horse').publicKey.keyid).toBe(locked.keyid);
    });
  });

  describe('when a key is of an unsupported kind', () => {
    it.each([
      ['EC secp256k1', () => asPems(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }))],
      ['Ed448', () => asPems(generateKeyPairSync('ed448'))],
      ['X25519', () => asPems(generateKeyPairSync('x25519'))],
    ])('rejects %s as KEY_UNSUPPORTED, public and private', (_what, make) => {
      const { publicKey, privateKey } = make();
      expect(() => loadPublicKey(publicKey)).toThrowWithCode('KEY_UNSUPPORTED');
      expect(() => loadPrivateKey(privateKey)).toThrowWithCode('KEY_UNSUPPORTED');
    });

    it('rejects RSA 1024 as KEY_WEAK, public and private', () => {
      const { publicKey, privateKey } = asPems(generateKeyPairSync('rsa', { modulusLength: 1024 }));
      expect(() => loadPublicKey(publicKey)).toThrowWithCode('KEY_WEAK');
      expect(() => loadPrivateKey(privateKey)).toThrowWithCode('KEY_WEAK');
    });

    it('accepts RSA 2048 and the P-384 and P-521 curves', () => {
      expect(
        loadPublicKey(asPems(generateKeyPairSync('rsa', { modulusLength: 2048 })).publicKey).scheme,
      ).toBe('rsa-sha256');
      expect(
        loadPublicKey(asPems(generateKeyPairSync('ec', { namedCurve: 'P-384' })).publicKey).scheme,
      ).toBe('ecdsa-p384-sha384');
      expect(
        loadPublicKey(asPems(generateKeyPairSync('ec', { namedCurve: 'P-521' })).publicKey).scheme,
      ).toBe('ecdsa-p521-sha512');
    });
  });

  describe('when the key text is not a key', () => {
    it.each([
      ['empty text', ''],
      ['junk', 'not a key'],
      [
        'a truncated PEM',
        '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n-----END PUBLIC KEY-----\n',
      ],
    ])('rejects %s as KEY_UNREADABLE', (_what, text) => {
      expect(() => loadPublicKey(text)).toThrowWithCode('KEY_UNREADABLE');
      expect(() => loadPrivateKey(text)).toThrowWithCode('KEY_UNREADABLE');
    });

    it('rejects a private key given where a public key is trusted', () => {
      const { privatePem } = generateKeyPair('ecdsa-p256');
      expect(() => loadPublicKey(privatePem)).toThrowWithCode('KEY_UNREADABLE');
    });

    it('rejects a DER blob that is not an SPKI as KEY_UNREADABLE', () => {
      expect(() => publicKeyFromSpki(Buffer.from('302a3005', 'hex'))).toThrowWithCode(
        'KEY_UNREADABLE',
      );
    });
  });

  it('returns the cached key for the same PEM (import is the expensive part)', () => {
    const { publicPem } = generateKeyPair('ed25519');
    expect(loadPublicKey(publicPem)).toBe(loadPublicKey(publicPem));
  });
});
