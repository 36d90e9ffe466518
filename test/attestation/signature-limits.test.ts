import { describe, expect, it } from 'vitest';
import { parseSignedDocument } from '../../src/attestation/attestation.js';
import { verifiedKeys } from '../../src/attestation/dsse.js';
import { MAX_SIGNATURES, parseEnvelope } from '../../src/attestation/envelope.js';
import { signatureFits, verifyBytes } from '../../src/crypto/signature.js';
import { bundle, dsse, makeKey } from '../support/signing.js';

// Issue 8 item 5: a 16 MiB envelope of 169,465 junk signatures cost ~57 s of CPU.
const signer = makeKey();
const good = JSON.parse(dsse('{}', [signer])) as {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
};
const withSignatures = (signatures: unknown[]): string => JSON.stringify({ ...good, signatures });
const junk = (bytes: number, i: number) => ({
  keyid: signer.keyid,
  sig: Buffer.alloc(bytes, i % 251).toString('base64'),
});

describe('signature limits', () => {
  it('rejects an envelope of 100,000 junk signatures as TOO_MANY_SIGNATURES, fast', () => {
    const text = withSignatures(
      Array.from({ length: 100_000 }, (_, i) => ({ sig: junk(64, i).sig })),
    );
    const started = performance.now();
    expect(() => parseEnvelope(text)).toThrowWithCode('TOO_MANY_SIGNATURES');
    expect(() => parseSignedDocument(text)).toThrowWithCode('TOO_MANY_SIGNATURES');
    // Parsing the JSON is the cost; no signature is decoded or tried.
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects a bundle whose envelope has that many signatures the same way', () => {
    const b = JSON.parse(bundle('{}', signer));
    b.dsseEnvelope.signatures = Array.from({ length: 1000 }, (_, i) => junk(64, i));
    expect(() => parseSignedDocument(JSON.stringify(b))).toThrowWithCode('TOO_MANY_SIGNATURES');
  });

  it(`accepts ${MAX_SIGNATURES} signatures and still finds the good one among junk`, () => {
    const signatures = [
      ...Array.from({ length: MAX_SIGNATURES - 1 }, (_, i) => junk(64 + (i % 9), i)),
      ...good.signatures,
    ];
    const envelope = parseEnvelope(withSignatures(signatures));
    expect(verifiedKeys(envelope, [signer.key.publicKey]).map((k) => k.keyid)).toEqual([
      signer.keyid,
    ]);
    expect(() => parseEnvelope(withSignatures([...signatures, junk(64, 0)]))).toThrowWithCode(
      'TOO_MANY_SIGNATURES',
    );
  });

  it('rejects a signature longer than any supported key makes as TOO_LARGE', () => {
    expect(() => parseEnvelope(withSignatures([junk(2049, 1)]))).toThrowWithCode('TOO_LARGE');
    expect(parseEnvelope(withSignatures([junk(2048, 1)])).signatures).toHaveLength(1);
  });

  describe('when a signature cannot have been made by a key of that type and size', () => {
    const keys = {
      ed25519: makeKey('ed25519').key.publicKey,
      p256: makeKey('ecdsa-p256').key.publicKey,
      rsa3072: makeKey('rsa-3072').key.publicKey,
    };
    const der = (length: number) => Buffer.concat([Buffer.from([0x30]), Buffer.alloc(length - 1)]);

    it.each([
      ['ed25519', 64, true],
      ['ed25519', 63, false],
      ['ed25519', 65, false],
      ['p256', 64, true],
      ['p256', 72, true],
      ['p256', 73, true],
      ['p256', 74, false],
      ['p256', 7, false],
      ['rsa3072', 384, true],
      ['rsa3072', 383, false],
      ['rsa3072', 256, false],
    ] as const)('%s and %i bytes: fits is %s', (name, length, fits) => {
      expect(signatureFits(keys[name], der(length))).toBe(fits);
      if (!fits) expect(verifyBytes(keys[name], Buffer.from('m'), der(length))).toBe(false);
    });

    it('skips a non-DER ECDSA signature of a length P1363 does not use', () => {
      expect(signatureFits(keys.p256, Buffer.alloc(70, 1))).toBe(false);
    });
  });

  it.each([
    ['tlogEntries', (n: number) => ({ tlogEntries: Array.from({ length: n }, () => ({})) })],
    [
      'timestampVerificationData.rfc3161Timestamps',
      (n: number) => ({
        timestampVerificationData: {
          rfc3161Timestamps: Array.from({ length: n }, () => ({ signedTimestamp: 'AAAA' })),
        },
      }),
    ],
  ] as const)('rejects a bundle with 17 %s as TOO_LARGE before parsing any', (field, material) => {
    const b = JSON.parse(bundle('{}', signer));
    const base = { publicKey: b.verificationMaterial.publicKey, tlogEntries: [] };
    b.verificationMaterial = { ...base, ...material(17) };
    expect(() => parseSignedDocument(JSON.stringify(b))).toThrowWithCode(
      'TOO_LARGE',
      `$.verificationMaterial.${field}`,
    );
  });

  it('names at most five bad fields of a junk bundle in its message', () => {
    const b = JSON.parse(bundle('{}', signer));
    b.verificationMaterial.tlogEntries = Array.from({ length: 16 }, () => ({}));
    expect(() => parseSignedDocument(JSON.stringify(b))).toThrow(/and \d+ more$/);
  });
});
