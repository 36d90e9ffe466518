import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPublicKey, publicKeyFromSpki } from '../../src/crypto/keys.js';
import {
  ecPoint,
  ecSpki,
  OID_EC_PUBLIC_KEY,
  P256_EXPLICIT_PARAMETERS,
  type PointForm,
  spki,
  spkiOf,
  toPem,
} from '../support/spki.js';

// DESIGN.md section 6 step 3: keyids are computed over a canonical SPKI, so a key counts once
// however its public key is encoded (issue 8 item 1).
const sha256 = (der: Uint8Array): string => createHash('sha256').update(der).digest('hex');
const FORMS: readonly PointForm[] = ['uncompressed', 'compressed', 'hybrid'];

describe('canonical keyids', () => {
  describe.each(['P-256', 'P-384', 'P-521'] as const)('when a %s key is re-encoded', (curve) => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const canonical = spkiOf(publicKey);

    it.each(FORMS)('gives the %s point the keyid of the uncompressed SPKI', (form) => {
      const der = ecSpki(publicKey, form);
      const fromPem = loadPublicKey(toPem(der));
      expect(fromPem.keyid).toBe(sha256(canonical));
      expect(publicKeyFromSpki(der).keyid).toBe(sha256(canonical));
      expect(fromPem.spkiDer.equals(canonical)).toBe(true);
    });
  });

  it('gives PEM text wrapped, CRLF-ended or with explanatory text one keyid', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = spkiOf(publicKey);
    for (const text of [
      toPem(der, 'PUBLIC KEY', 76),
      toPem(der, 'PUBLIC KEY', 64, '\r\n'),
      `a comment before the block\n${toPem(der)}`,
    ]) {
      expect(loadPublicKey(text).keyid).toBe(sha256(der));
    }
  });

  it('gives an RSA key in PKCS#1 ("RSA PUBLIC KEY") and SPKI form one keyid', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = publicKey.export({ format: 'der', type: 'pkcs1' });
    const key = loadPublicKey(toPem(pkcs1, 'RSA PUBLIC KEY'));
    expect(key.keyid).toBe(sha256(spkiOf(publicKey)));
    expect(key.scheme).toBe('rsa-sha256');
  });

  it('keeps the keyid of keys node:crypto generates (already canonical)', () => {
    for (const pair of [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      generateKeyPairSync('ed25519'),
    ]) {
      const pem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      expect(loadPublicKey(pem).keyid).toBe(sha256(spkiOf(pair.publicKey)));
    }
  });

  it('rejects explicit curve parameters as KEY_UNSUPPORTED (RFC 5480 2.1.1)', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = spki(
      OID_EC_PUBLIC_KEY,
      P256_EXPLICIT_PARAMETERS,
      ecPoint(publicKey, 'uncompressed'),
    );
    expect(() => loadPublicKey(toPem(der))).toThrowWithCode('KEY_UNSUPPORTED');
    expect(() => publicKeyFromSpki(der)).toThrowWithCode('KEY_UNSUPPORTED');
  });

  it('rejects a curve other than P-256/384/521 from its OID, before import, as KEY_UNSUPPORTED', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const brainpoolP256r1 = Buffer.from('06092b2403030208010107', 'hex');
    const der = spki(OID_EC_PUBLIC_KEY, brainpoolP256r1, ecPoint(publicKey, 'uncompressed'));
    expect(() => publicKeyFromSpki(der)).toThrowWithCode('KEY_UNSUPPORTED');
  });

  it('rejects a key file with two PEM blocks, even of the same key, as KEY_UNREADABLE', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = toPem(spkiOf(publicKey));
    expect(() => loadPublicKey(`${pem}${pem}`)).toThrowWithCode('KEY_UNREADABLE');
    expect(() => loadPublicKey(`${pem}${toPem(ecSpki(publicKey, 'compressed'))}`)).toThrowWithCode(
      'KEY_UNREADABLE',
    );
  });
});
