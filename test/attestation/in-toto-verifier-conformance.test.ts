import { describe, expect, it } from 'vitest';
import { verifiedKeys } from '../../src/attestation/dsse.js';
import { type Envelope, parseEnvelope } from '../../src/attestation/envelope.js';
import { parseStatement } from '../../src/attestation/statement.js';
import { publicKeyFromSpki } from '../../src/crypto/keys.js';
import { vectorJson, vectorText } from '../support/paths.js';

// ../shared/vectors/in-toto-attestation-verifier: five ed25519-signed DSSE envelopes.
const SET = 'in-toto-attestation-verifier';

interface VerifierCases {
  key: { public_hex: string; spki_der_hex_prefix: string };
  cases: { envelope?: string; predicateType?: string; statementType?: string; expect: string }[];
}

const index = vectorJson<VerifierCases>(SET, 'cases.json');
const keyed = index.cases.filter(
  (c): c is Required<(typeof index.cases)[number]> => c.envelope !== undefined,
);

// The raw ed25519 key behind an SPKI header (cases.json gives the header as hex + a remark).
const spkiPrefix = (/^[0-9a-f]+/.exec(index.key.spki_der_hex_prefix) ?? [''])[0];
const key = publicKeyFromSpki(
  Buffer.concat([Buffer.from(spkiPrefix, 'hex'), Buffer.from(index.key.public_hex, 'hex')]),
  'attestation-verifier ed25519 key',
);

/**
 * Statements Vouch rejects although their signature is valid (asserted, not skipped):
 * clone.fe1c6281.json carries `type` where in-toto statement.md requires `_type` (Go protojson
 * writes the proto field name and also reads it back). statement.md makes `type` an
 * unrecognised field, which is ignored, so the Statement has no `_type` and is rejected there
 * (cases.json reads it as v1 the way the Go verifier does; the spec decides here).
 */
const REJECTED_STATEMENTS: Readonly<Record<string, string>> = {
  'test-data/clone.fe1c6281.json': '$._type',
};

const envelopeOf = (path: string): Envelope => parseEnvelope(vectorText(SET, path));

describe('in-toto attestation-verifier conformance (keyed ed25519)', () => {
  it('has the 5 keyed envelopes and a 32-byte key behind a 12-byte SPKI header', () => {
    expect(keyed).toHaveLength(5);
    expect(spkiPrefix).toBe('302a300506032b6570032100');
    expect(key.scheme).toBe('ed25519');
    expect(Object.keys(REJECTED_STATEMENTS)).toHaveLength(1);
  });

  describe.each(keyed.map((c) => [c.envelope, c] as const))('%s', (path, c) => {
    it('verifies with the given key (keyid hint is securesystemslib-style, not ours)', () => {
      const envelope = envelopeOf(path);
      expect(envelope.signatures[0]?.keyid).not.toBe(key.keyid);
      expect(verifiedKeys(envelope, [key]).map((k) => k.keyid)).toEqual([key.keyid]);
    });

    const rejectedAt = REJECTED_STATEMENTS[path];
    if (rejectedAt === undefined) {
      it(`parses as ${c.statementType} with predicateType ${c.predicateType}`, () => {
        const statement = parseStatement(envelopeOf(path).payload);
        expect(statement._type).toBe(c.statementType);
        expect(statement.predicateType).toBe(c.predicateType);
      });
    } else {
      it(`rejects the Statement at ${rejectedAt}`, () => {
        expect(() => parseStatement(envelopeOf(path).payload)).toThrowWithCode(
          'MALFORMED',
          rejectedAt,
        );
      });
    }

    it('fails when any single payload byte is changed', () => {
      const envelope = envelopeOf(path);
      const tampered = Buffer.from(envelope.payload);
      for (let i = 0; i < tampered.byteLength; i++) {
        const original = tampered[i] ?? 0;
        tampered[i] = original ^ 0x01;
        expect(verifiedKeys({ ...envelope, payload: tampered }, [key]), `byte ${i}`).toEqual([]);
        tampered[i] = original;
      }
      expect(verifiedKeys({ ...envelope, payload: tampered }, [key])).toHaveLength(1);
    });
  });
});
