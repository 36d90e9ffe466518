import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPublicKey, publicKeyFromSpki } from '../../src/crypto/keys.js';
import {
  ecPoint,
  ecSpki,
  OID_EC_PUBLIC_KEY,
  rsaModulus,
  rsaPkcs1,
  spki,
  toPem,
} from '../support/spki.js';

// Issue 8 item 2: a degenerate key verifies forged signatures; it is refused at load (KEY_WEAK).
const ED25519_OID = Buffer.from('06032b6570', 'hex');
const ed25519Spki = (raw: Buffer): Buffer => spki(ED25519_OID, undefined, raw);
const le = (hex: string): Buffer => Buffer.from(hex, 'hex');

// The eight points of order dividing 8 on Edwards25519, canonically encoded (RFC 8032 5.1.2):
// identity, the point of order 2, two of order 4, four of order 8.
const SMALL_ORDER = [
  ['identity (01 00..00)', `01${'00'.repeat(31)}`],
  ['order 2 (y = p - 1)', `ec${'ff'.repeat(30)}7f`],
  ['order 4 (all zero)', '00'.repeat(32)],
  ['order 4 (y = 0, x negative)', `${'00'.repeat(31)}80`],
  ['order 8 (a)', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
  ['order 8 (a, x negative)', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85'],
  ['order 8 (b)', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
  ['order 8 (b, x negative)', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa'],
] as const;

// Non-canonical encodings of small-order points: y >= p, or x = 0 with the sign bit set.
const NON_CANONICAL = [
  ['identity with the sign bit', `01${'00'.repeat(30)}80`],
  ['order 2 with the sign bit', `ec${'ff'.repeat(31)}`],
  ['y = p (order 4)', `ed${'ff'.repeat(30)}7f`],
  ['y = p, sign bit', `ed${'ff'.repeat(31)}`],
  ['y = p + 1 (identity)', `ee${'ff'.repeat(30)}7f`],
  ['y = p + 1, sign bit', `ee${'ff'.repeat(31)}`],
] as const;

describe('weak keys', () => {
  describe('when an Ed25519 public key has small order', () => {
    it('verifies a forged signature in raw node:crypto (why it must be refused)', () => {
      // R = identity, S = 0: [S]B = R + [k]A holds for every message when A is the identity.
      const key = createPublicKey({
        key: ed25519Spki(le(SMALL_ORDER[0][1])),
        format: 'der',
        type: 'spki',
      });
      const forged = Buffer.concat([le(SMALL_ORDER[0][1]), Buffer.alloc(32)]);
      expect(verify(null, Buffer.from('any message'), key, forged)).toBe(true);
    });

    it.each([...SMALL_ORDER, ...NON_CANONICAL])('refuses %s as KEY_WEAK', (_what, hex) => {
      const der = ed25519Spki(le(hex));
      expect(() => loadPublicKey(toPem(der))).toThrowWithCode('KEY_WEAK');
      expect(() => publicKeyFromSpki(der)).toThrowWithCode('KEY_WEAK');
    });

    it('refuses an encoding that is not a point on the curve as KEY_WEAK', () => {
      expect(() => publicKeyFromSpki(ed25519Spki(le(`02${'00'.repeat(31)}`)))).toThrowWithCode(
        'KEY_WEAK',
      );
    });

    it('accepts generated keys', () => {
      for (let i = 0; i < 20; i++) {
        const pem = generateKeyPairSync('ed25519').publicKey.export({
          format: 'pem',
          type: 'spki',
        });
        expect(loadPublicKey(pem.toString()).scheme).toBe('ed25519');
      }
    });
  });

  describe('when an RSA key has a degenerate exponent or modulus', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const n = rsaModulus(publicKey);
    const pem = (modulus: Buffer, e: bigint): string =>
      toPem(rsaPkcs1(modulus, e), 'RSA PUBLIC KEY');

    it('verifies a forged signature in raw node:crypto with e = 1 (why it must be refused)', () => {
      const key = createPublicKey({ key: rsaPkcs1(n, 1n), format: 'der', type: 'pkcs1' });
      const message = Buffer.from('any message');
      // EMSA-PKCS1-v1_5 (RFC 8017 9.2) of SHA-256(message): with e = 1 it is the signature.
      const digestInfo = Buffer.concat([
        Buffer.from('3031300d060960864801650304020105000420', 'hex'),
        createHash('sha256').update(message).digest(),
      ]);
      const padding = Buffer.alloc(n.byteLength - digestInfo.byteLength - 3, 0xff);
      const forged = Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), digestInfo]);
      expect(verify('sha256', message, key, forged)).toBe(true);
    });

    it.each([
      ['e = 1', 1n],
      ['e = 2 (even)', 2n],
      ['e = 65536 (even)', 65536n],
    ])('refuses %s as KEY_WEAK', (_what, e) => {
      expect(() => loadPublicKey(pem(n, e))).toThrowWithCode('KEY_WEAK');
    });

    it('refuses an even modulus and one under 2048 bits as KEY_WEAK', () => {
      const even = Buffer.from(n);
      even[even.byteLength - 1] = (even.at(-1) ?? 0) & 0xfe;
      expect(() => loadPublicKey(pem(even, 65537n))).toThrowWithCode('KEY_WEAK');
      const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
      expect(() =>
        loadPublicKey(short.export({ format: 'pem', type: 'spki' }).toString()),
      ).toThrowWithCode('KEY_WEAK');
    });

    it('refuses an exponent of 2^256 or more as KEY_UNSUPPORTED (each check as slow as signing)', () => {
      expect(() => loadPublicKey(pem(n, 2n ** 256n + 1n))).toThrowWithCode('KEY_UNSUPPORTED');
    });

    it('accepts e = 3 and e = 65537', () => {
      expect(loadPublicKey(pem(n, 3n)).scheme).toBe('rsa-sha256');
      expect(loadPublicKey(pem(n, 65537n)).scheme).toBe('rsa-sha256');
    });
  });

  describe('when an EC point is degenerate', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const curveOid = Buffer.from('06082a8648ce3d030107', 'hex');

    it('refuses the point at infinity as KEY_WEAK before node:crypto touches it', () => {
      // node 20 imports it, then aborts the process on asymmetricKeyDetails or a JWK export
      // and segfaults on a P1363 verification: the bytes alone must refuse it.
      const der = spki(OID_EC_PUBLIC_KEY, curveOid, Buffer.from([0]));
      expect(() => loadPublicKey(toPem(der))).toThrowWithCode('KEY_WEAK');
      expect(() => publicKeyFromSpki(der)).toThrowWithCode('KEY_WEAK');
    });

    it.each([
      [
        'off the curve',
        (p: Buffer) => Buffer.concat([p.subarray(0, 64), Buffer.from([(p.at(-1) ?? 0) ^ 1])]),
      ],
      ['all-zero coordinates', () => Buffer.concat([Buffer.from([4]), Buffer.alloc(64)])],
      ['compressed with x >= p', () => Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 0xff)])],
      [
        'hybrid with the wrong parity',
        (p: Buffer) =>
          Buffer.concat([Buffer.from([6 + (((p.at(-1) ?? 0) & 1) ^ 1)]), p.subarray(1)]),
      ],
    ])('refuses a point %s as KEY_WEAK (node:crypto refuses it at import)', (_what, mangle) => {
      const der = spki(OID_EC_PUBLIC_KEY, curveOid, mangle(ecPoint(publicKey, 'uncompressed')));
      expect(() => createPublicKey({ key: der, format: 'der', type: 'spki' })).toThrow();
      expect(() => publicKeyFromSpki(der)).toThrowWithCode('KEY_WEAK');
    });

    it('accepts the same key in its valid encodings', () => {
      expect(publicKeyFromSpki(ecSpki(publicKey, 'compressed')).scheme).toBe('ecdsa-p256-sha256');
    });
  });
});
