import { constants, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifiedKeys } from '../../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/attestation/envelope.js';
import { pae } from '../../src/attestation/pae.js';
import {
  KEYGEN_ALGORITHMS,
  loadPrivateKey,
  type PrivateKey,
  type PublicKey,
} from '../../src/crypto/keys.js';
import { signBytes, verifyBytes } from '../../src/crypto/signature.js';
import { makeKey } from '../support/signing.js';

const data = Buffer.from('DSSEv1 28 application/vnd.in-toto+json 2 {}');

/** A Vouch key pair around a node:crypto private key. */
const fromKeyObject = (privateKey: KeyObject): PrivateKey =>
  loadPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

describe('signatures', () => {
  describe.each(KEYGEN_ALGORITHMS)('when signing with %s', (alg) => {
    const key = makeKey(alg).key;
    const other = makeKey(alg).key;

    it('verifies its own signature and nothing else', () => {
      const sig = signBytes(key, data);
      expect(verifyBytes(key.publicKey, data, sig)).toBe(true);
      expect(verifyBytes(key.publicKey, Buffer.concat([data, Buffer.from(' ')]), sig)).toBe(false);
      expect(verifyBytes(other.publicKey, data, sig)).toBe(false);
      expect(verifyBytes(key.publicKey, data, Buffer.alloc(0))).toBe(false);
      expect(verifyBytes(key.publicKey, data, Buffer.alloc(sig.byteLength, 0xff))).toBe(false);
    });
  });

  describe.each([
    ['P-256', 'sha256', 64],
    ['P-384', 'sha384', 96],
    ['P-521', 'sha512', 132],
  ] as const)('when ECDSA %s signatures arrive', (curve, digest, p1363Length) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const key = fromKeyObject(privateKey);
    const pub: PublicKey = key.publicKey;

    it('accepts DER and IEEE P1363 (raw r||s) encodings of the same signature', () => {
      const der = sign(digest, data, privateKey);
      const raw = sign(digest, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(raw.byteLength).toBe(p1363Length);
      expect(der[0]).toBe(0x30);
      expect(verifyBytes(pub, data, der)).toBe(true);
      expect(verifyBytes(pub, data, raw)).toBe(true);
    });

    it('signs DER itself (what Sigstore and in-toto tools expect)', () => {
      expect(verify(digest, data, pub.keyObject, signBytes(key, data))).toBe(true);
    });

    it('rejects a signature made with another hash', () => {
      const wrongHash = digest === 'sha256' ? 'sha512' : 'sha256';
      expect(verifyBytes(pub, data, sign(wrongHash, data, privateKey))).toBe(false);
    });
  });

  it('accepts a P1363 signature whose first byte happens to be 0x30 (the DER tag)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = fromKeyObject(privateKey);
    let raw = Buffer.alloc(0);
    // About one signature in 256 starts with 0x30; search deterministically bounded.
    for (let i = 0; i < 5000 && raw[0] !== 0x30; i++) {
      raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    }
    expect(raw[0]).toBe(0x30);
    expect(verifyBytes(key.publicKey, data, raw)).toBe(true);
  });

  describe('when RSA signatures arrive', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = fromKeyObject(privateKey);

    it('accepts PKCS#1 v1.5', () => {
      expect(verifyBytes(key.publicKey, data, sign('sha256', data, privateKey))).toBe(true);
    });

    it.each([
      ['digest-length salt (securesystemslib)', constants.RSA_PSS_SALTLEN_DIGEST],
      ['maximum salt', constants.RSA_PSS_SALTLEN_MAX_SIGN],
      ['no salt', 0],
    ])('accepts PSS with %s', (_what, saltLength) => {
      const sig = sign('sha256', data, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength,
      });
      expect(verifyBytes(key.publicKey, data, sig)).toBe(true);
    });

    it.each(['sha384', 'sha512'] as const)(
      'accepts %s with PKCS#1 v1.5 and PSS (securesystemslib rsa schemes)',
      (digest) => {
        const pss = { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING };
        expect(verifyBytes(key.publicKey, data, sign(digest, data, privateKey))).toBe(true);
        expect(verifyBytes(key.publicKey, data, sign(digest, data, pss))).toBe(true);
        expect(verifyBytes(key.publicKey, Buffer.from('x'), sign(digest, data, pss))).toBe(false);
      },
    );

    it('rejects a signature with its leading zero byte stripped (RFC 8017 8.2.2 step 1)', () => {
      const pss = { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING };
      let sig = sign('sha256', data, pss);
      // About one PSS signature in 256 starts with 0x00; bounded deterministic search.
      for (let i = 0; i < 4000 && sig[0] !== 0; i++) sig = sign('sha256', data, pss);
      expect(sig[0]).toBe(0);
      expect(verifyBytes(key.publicKey, data, sig)).toBe(true);
      // OpenSSL itself takes the shorter PSS signature: a second encoding of one signature.
      const stripped = sig.subarray(1);
      expect(verify('sha256', data, { ...pss, key: key.publicKey.keyObject }, stripped)).toBe(true);
      expect(verifyBytes(key.publicKey, data, stripped)).toBe(false);
    });

    it('signs PKCS#1 v1.5 itself and rejects SHA-1', () => {
      expect(verify('sha256', data, key.publicKey.keyObject, signBytes(key, data))).toBe(true);
      expect(verifyBytes(key.publicKey, data, sign('sha1', data, privateKey))).toBe(false);
    });
  });

  it('never throws for a signature of the wrong type or length', () => {
    const ed = makeKey('ed25519').key;
    const ec = makeKey('ecdsa-p256').key;
    expect(verifyBytes(ed.publicKey, data, signBytes(ec, data))).toBe(false);
    expect(verifyBytes(ec.publicKey, data, signBytes(ed, data))).toBe(false);
    expect(verifyBytes(ec.publicKey, data, Buffer.from([0x30, 0x81]))).toBe(false);
  });

  describe('when a signature is re-encoded or malleated (what node:crypto already refuses)', () => {
    const m = Buffer.from('message');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecKey = fromKeyObject(ec.privateKey).publicKey;
    const der = sign('sha256', m, ec.privateKey);

    it('refuses BER forms of a DER ECDSA signature: long-form length, trailing bytes', () => {
      const body = der.subarray(2);
      expect(
        verifyBytes(ecKey, m, Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body])),
      ).toBe(false);
      expect(verifyBytes(ecKey, m, Buffer.concat([der, Buffer.from([0])]))).toBe(false);
      expect(verifyBytes(ecKey, m, Buffer.alloc(64))).toBe(false);
    });

    it('accepts the high-s twin of an ECDSA signature (ECDSA allows both; a key still counts once)', () => {
      const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
      const raw = sign('sha256', m, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
      const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
      const twin = Buffer.concat([
        raw.subarray(0, 32),
        Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
      ]);
      expect(verifyBytes(ecKey, m, twin)).toBe(true);
      const payload = Buffer.from('{}');
      const message = pae(IN_TOTO_PAYLOAD_TYPE, payload);
      const p1363 = sign('sha256', message, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
      const sm = BigInt(`0x${p1363.subarray(32).toString('hex')}`);
      const twinSig = Buffer.concat([
        p1363.subarray(0, 32),
        Buffer.from((n - sm).toString(16).padStart(64, '0'), 'hex'),
      ]);
      const envelope = {
        payloadType: IN_TOTO_PAYLOAD_TYPE,
        payload,
        signatures: [p1363, twinSig].map((sig) => ({ keyid: undefined, sig })),
      };
      expect(verifiedKeys(envelope, [ecKey])).toHaveLength(1);
    });

    it('refuses an Ed25519 signature with S + L (RFC 8032 5.1.7: S must be < L)', () => {
      const ed = generateKeyPairSync('ed25519');
      const edKey = fromKeyObject(ed.privateKey).publicKey;
      const sig = sign(null, m, ed.privateKey);
      const L = 2n ** 252n + 27742317777372353535851937790883648493n;
      const S = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`) + L;
      const encoded = Buffer.from(S.toString(16).padStart(64, '0'), 'hex').reverse();
      expect(verifyBytes(edKey, m, sig)).toBe(true);
      expect(verifyBytes(edKey, m, Buffer.concat([sig.subarray(0, 32), encoded]))).toBe(false);
    });
  });
});
