import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ASN1Obj } from '@sigstore/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifiedKeys } from '../../src/attestation/dsse.js';
import { parseEnvelope } from '../../src/attestation/envelope.js';
import { loadPrivateKey, loadPublicKey, publicKeyFromSpki } from '../../src/crypto/keys.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import {
  digestOf,
  dsse,
  PROVENANCE,
  policyOf,
  provenance,
  statementJson,
  type TestKey,
} from '../support/signing.js';
import { ecSpki, spkiOf, toPem } from '../support/spki.js';

// Issue 8 item 1, DESIGN.md section 6 step 3: a key counts once however many signatures it
// made and however its public key is encoded. Re-encoding trusted keys or duplicating (and
// re-encoding) signatures never raises a count.

interface Signer extends TestKey {
  /** Key file texts that all name this one key. */
  readonly encodings: readonly string[];
}

const sslib = (keytype: string, scheme: string, pub: string): string =>
  JSON.stringify({ keytype, scheme, keyid_hash_algorithms: ['sha256'], keyval: { public: pub } });

function signer(privateKey: KeyObject, encodings: (pub: KeyObject) => string[]): Signer {
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const key = loadPrivateKey(pem);
  const pub = key.publicKey.keyObject;
  return { key, keyid: key.publicKey.keyid, pem: key.publicKey.pem, encodings: encodings(pub) };
}

const ecEncodings = (scheme: string) => (pub: KeyObject) => [
  toPem(spkiOf(pub)),
  toPem(ecSpki(pub, 'compressed')),
  toPem(ecSpki(pub, 'hybrid'), 'PUBLIC KEY', 76),
  sslib('ecdsa', scheme, toPem(ecSpki(pub, 'compressed'))),
];
const SIGNERS: readonly Signer[] = [
  signer(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    ecEncodings('ecdsa-sha2-nistp256'),
  ),
  signer(
    generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
    ecEncodings('ecdsa-sha2-nistp384'),
  ),
  signer(generateKeyPairSync('ed25519').privateKey, (pub) => [
    toPem(spkiOf(pub)),
    sslib('ed25519', 'ed25519', spkiOf(pub).subarray(12).toString('hex')),
  ]),
  signer(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, (pub) => [
    toPem(spkiOf(pub)),
    toPem(pub.export({ format: 'der', type: 'pkcs1' }), 'RSA PUBLIC KEY'),
    sslib('rsa', 'rsassa-pss-sha256', toPem(spkiOf(pub))),
  ]),
];

const APP = digestOf('app');
const PAYLOAD = statementJson(APP, PROVENANCE, provenance());
// One envelope signed by every key; the properties pick its signatures.
const SIGNED = JSON.parse(dsse(PAYLOAD, SIGNERS)) as {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
};

/** An ECDSA DER signature as IEEE P1363 r||s: the same signature in its other encoding. */
function toP1363(der: Buffer, fieldBytes: number): Buffer {
  const [r, s] = ASN1Obj.parseBuffer(Buffer.from(der)).subs.map((i) => i.toInteger());
  const fixed = (n: bigint | undefined) =>
    Buffer.from((n ?? 0n).toString(16).padStart(fieldBytes * 2, '0'), 'hex');
  return Buffer.concat([fixed(r), fixed(s)]);
}

const FIELD_BYTES = [32, 48, undefined, undefined] as const;

const pick = fc.record({
  signer: fc.nat({ max: SIGNERS.length - 1 }),
  variant: fc.nat({ max: 7 }),
});

/** An envelope with the picked signatures (repeated, DER or P1363, hint kept or dropped). */
function envelopeOf(picks: readonly { signer: number; variant: number }[]): string {
  const signatures = picks.map(({ signer: i, variant }) => {
    const original = SIGNED.signatures[i] ?? { keyid: '', sig: '' };
    const fieldBytes = FIELD_BYTES[i];
    const sig =
      fieldBytes !== undefined && variant % 2 === 1
        ? toP1363(Buffer.from(original.sig, 'base64'), fieldBytes).toString('base64')
        : original.sig;
    return variant >= 4 ? { sig } : { keyid: original.keyid, sig };
  });
  return JSON.stringify({ ...SIGNED, signatures });
}

const trustedOf = (picks: readonly { signer: number; variant: number }[]) =>
  picks.map(({ signer: i, variant }) => {
    const encodings = SIGNERS[i]?.encodings ?? [];
    return encodings[variant % encodings.length] ?? '';
  });

const distinct = (indices: readonly number[]) => new Set(indices).size;

describe('key identity (property)', () => {
  it('every encoding of a key loads with one keyid, from PEM, DER or securesystemslib', () => {
    for (const s of SIGNERS) {
      expect(new Set(s.encodings.map((text) => loadPublicKey(text).keyid))).toEqual(
        new Set([s.keyid]),
      );
      expect(publicKeyFromSpki(loadPublicKey(s.encodings[1] ?? '').spkiDer).keyid).toBe(s.keyid);
    }
  });

  it('verifiedKeys counts each signing key once, whatever the encodings and repeats', () => {
    fc.assert(
      fc.property(
        fc.array(pick, { minLength: 1, maxLength: 8 }),
        fc.array(pick, { maxLength: 12 }),
        (trustedPicks, signaturePicks) => {
          const trusted = trustedOf(trustedPicks).map((text) => loadPublicKey(text));
          const found = verifiedKeys(parseEnvelope(envelopeOf(signaturePicks)), trusted);
          const trustedSet = new Set(trustedPicks.map((p) => p.signer));
          const expected = new Set(
            signaturePicks.filter((p) => trustedSet.has(p.signer)).map((p) => p.signer),
          );
          expect(found.map((k) => k.keyid).sort()).toEqual(
            [...expected].map((i) => SIGNERS[i]?.keyid).sort(),
          );
        },
      ),
      { numRuns: 150, seed: 8001 },
    );
  });

  it('a threshold is met only by that many distinct keys, never by re-encodings or repeats', () => {
    fc.assert(
      fc.property(
        fc.array(pick, { minLength: 1, maxLength: 8 }),
        fc.array(pick, { maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        (trustedPicks, signaturePicks, wanted) => {
          const keys = distinct(trustedPicks.map((p) => p.signer));
          fc.pre(wanted <= keys);
          const policy = policyOf({
            authorities: { builders: { keys: trustedOf(trustedPicks).map((pem) => ({ pem })) } },
            requirements: [
              { name: 'p', predicateType: PROVENANCE, signers: ['builders'], threshold: wanted },
            ],
          });
          expect(policy.authorities[0]?.keys).toHaveLength(keys);
          const trustedSet = new Set(trustedPicks.map((p) => p.signer));
          const signed = distinct(
            signaturePicks.filter((p) => trustedSet.has(p.signer)).map((p) => p.signer),
          );
          const decision = evaluatePolicy(policy, {
            artifact: { digest: APP },
            documents: [{ bytes: envelopeOf(signaturePicks) }],
            at: new Date('2026-11-23T10:00:00Z'),
          });
          expect(decision.allowed).toBe(signed >= wanted);
        },
      ),
      { numRuns: 60, seed: 8002 },
    );
  });
});
