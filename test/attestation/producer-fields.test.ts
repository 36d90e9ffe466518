import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { parseSignedDocument } from '../../src/attestation/attestation.js';
import { verifiedKeys } from '../../src/attestation/dsse.js';
import { parseEnvelope } from '../../src/attestation/envelope.js';
import { parseStatement, STATEMENT_V1, STATEMENT_V01 } from '../../src/attestation/statement.js';
import { loadPublicKey, publicKeyFromSpki } from '../../src/crypto/keys.js';
import { parseStrictJson } from '../../src/encoding/strict-json.js';
import { tamperPayload } from '../support/dsse-json.js';
import { vectorJson, vectorText } from '../support/paths.js';
import { dsse, makeKey, PROVENANCE, statementJson } from '../support/signing.js';

// Issue 10, "Read what real producers write": DSSE envelope.md and in-toto statement.md say
// consumers MUST ignore unrecognized fields. Strictness stays for what is ambiguous.
const SET = 'slsa-verifier';
type Json = Record<string, unknown> & {
  payload: string;
  payloadType: string;
  signatures: ({ keyid?: string; sig: string } & Record<string, unknown>)[];
};

describe('fields real producers add', () => {
  describe('Google Cloud Build v0.1 Statements (slsaProvenance beside predicate)', () => {
    const file =
      'verifiers/internal/gcb/testdata/gcloud-container-global-pae-signing-key-successful.json';
    const index = vectorJson<{
      files: {
        file: string;
        envelopes?: { index: number; signatures: { keyFile: string | null; result: string }[] }[];
      }[];
    }>(SET, 'gcb-signatures.json');
    const classified = index.files.find((f) => f.file === file)?.envelopes?.[0];
    const valid = classified?.signatures.findIndex((s) => s.result === 'valid-over-PAE') ?? -1;
    const keyFile = classified?.signatures[valid]?.keyFile ?? '';
    const envelope = (
      parseStrictJson(vectorText(SET, file)) as {
        provenance_summary: { provenance: { envelope: Json }[] };
      }
    ).provenance_summary.provenance[0]?.envelope as Json;
    const single = { ...envelope, signatures: [envelope.signatures[valid] ?? { sig: '' }] };

    it('verifies with the GCB key and reads the Statement, slsaProvenance ignored', () => {
      expect(valid).toBeGreaterThanOrEqual(0);
      const key = loadPublicKey(vectorText(SET, keyFile), keyFile);
      const parsed = parseEnvelope(JSON.stringify(single));
      expect(verifiedKeys(parsed, [key]).map((k) => k.keyid)).toEqual([key.keyid]);
      const raw = JSON.parse(parsed.payload.toString()) as Record<string, unknown>;
      expect(Object.keys(raw)).toContain('slsaProvenance');
      const statement = parseStatement(parsed.payload);
      expect(statement._type).toBe(STATEMENT_V01);
      expect(statement.predicateType).toBe('https://slsa.dev/provenance/v0.1');
      const tampered = parseEnvelope(JSON.stringify(tamperPayload(single)));
      expect(verifiedKeys(tampered, [key])).toEqual([]);
    });
  });

  describe('slsa-github-generator envelopes (the Fulcio certificate as signatures[].cert)', () => {
    const line =
      vectorText(SET, 'cli/slsa-verifier/testdata/workflow-inputs.intoto.jsonl').split('\n')[0] ??
      '';
    const json = JSON.parse(line) as Json;
    const cert = X509Certificate.parse(String(json.signatures[0]?.cert));
    const certKey = publicKeyFromSpki(cert.publicKey, 'Fulcio certificate key');

    it('parses, and its signature verifies with the certificate key', () => {
      const doc = parseSignedDocument(line);
      expect(doc.format).toBe('dsse');
      expect(verifiedKeys(doc.envelope, [certKey]).map((k) => k.keyid)).toEqual([certKey.keyid]);
      expect(parseStatement(doc.envelope.payload)._type).toBe(STATEMENT_V01);
    });

    it('does not verify once tampered', () => {
      const doc = parseSignedDocument(JSON.stringify(tamperPayload(json)));
      expect(verifiedKeys(doc.envelope, [certKey])).toEqual([]);
    });
  });

  describe('go-witness envelopes (RFC 3161 timestamps in signatures[].timestamps)', () => {
    const key = makeKey();
    const json = JSON.parse(
      dsse(statementJson({ sha256: 'a'.repeat(64) }, PROVENANCE, {}), [key]),
    ) as Json;
    const witness = {
      ...json,
      signatures: json.signatures.map((s) => ({
        ...s,
        timestamps: [{ type: 'tsp', data: 'MAA=' }],
      })),
    };

    it('verifies with the timestamps ignored, and not once tampered', () => {
      const doc = parseSignedDocument(JSON.stringify(witness));
      expect(verifiedKeys(doc.envelope, [key.key.publicKey]).map((k) => k.keyid)).toEqual([
        key.keyid,
      ]);
      const tampered = parseSignedDocument(JSON.stringify(tamperPayload(witness)));
      expect(verifiedKeys(tampered.envelope, [key.key.publicKey])).toEqual([]);
    });
  });

  describe('what stays strict', () => {
    const key = makeKey();
    const text = dsse(statementJson({ sha256: 'a'.repeat(64) }, PROVENANCE, {}), [key]);
    it.each([
      ['a duplicate known field', text.replace('{', '{"payloadType":"x",'), 'JSON_DUPLICATE_KEY'],
      [
        'a duplicate unknown field',
        text.replace('{', '{"extra":1,"extra":2,'),
        'JSON_DUPLICATE_KEY',
      ],
      [
        'a wrong type of a known field',
        text.replace(/"payloadType":"[^"]*"/, '"payloadType":7'),
        'MALFORMED',
      ],
      ['non-canonical base64', text.replace(/"sig":"([^"]*)"/, '"sig":" $1"'), 'BAD_BASE64'],
    ] as const)('rejects %s', (_what, mangled, code) => {
      expect(() => parseSignedDocument(mangled)).toThrowWithCode(code);
    });

    it('rejects a Statement whose known fields have wrong types, whatever else it carries', () => {
      const statement = JSON.parse(statementJson({ sha256: 'a'.repeat(64) }, PROVENANCE, {}));
      expect(() =>
        parseStatement(JSON.stringify({ ...statement, extra: { any: 1 } })),
      ).not.toThrow();
      expect(() =>
        parseStatement(JSON.stringify({ ...statement, predicateType: 7 })),
      ).toThrowWithCode('MALFORMED', '$.predicateType');
      expect(parseStatement(JSON.stringify({ ...statement, extra: 1 }))._type).toBe(STATEMENT_V1);
    });
  });

  describe('in-toto link metadata, which is not an attestation', () => {
    const link = {
      _type: 'link',
      name: 'build',
      materials: {},
      products: {},
      byproducts: {},
      command: [],
      environment: {},
    };

    it('says so for a .link file (signed + signatures)', () => {
      const text = JSON.stringify({ signed: link, signatures: [{ keyid: 'ab', sig: 'cd' }] });
      expect(() => parseSignedDocument(text)).toThrowWithCode('MALFORMED', '$.signed._type');
      expect(() => parseSignedDocument(text)).toThrow(/in-toto link file, not an attestation/);
    });

    it('says so for a Link carried in DSSE', () => {
      const key = makeKey();
      const doc = parseSignedDocument(dsse(JSON.stringify(link), [key]));
      expect(() => parseStatement(doc.envelope.payload)).toThrow(
        /in-toto link metadata, not an attestation/,
      );
    });
  });
});
