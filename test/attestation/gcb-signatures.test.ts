import { describe, expect, it } from 'vitest';
import { verifiedKeys } from '../../src/attestation/dsse.js';
import { type Envelope, parseEnvelope } from '../../src/attestation/envelope.js';
import { loadPublicKey, type PublicKey } from '../../src/crypto/keys.js';
import { verifyBytes } from '../../src/crypto/signature.js';
import { parseStrictJson } from '../../src/encoding/strict-json.js';
import { VouchError } from '../../src/errors.js';
import { vectorJson, vectorText } from '../support/paths.js';

// ../shared/vectors/slsa-verifier/gcb-signatures.json classifies each signature in the real
// Google Cloud Build provenance files against the GCB KMS keys: over DSSE PAE, over the raw
// payload only (legacy regional keys, not DSSE), invalid, unknown keyid, or undecodable.
const SET = 'slsa-verifier';

type Result =
  | 'valid-over-PAE'
  | 'valid-over-raw-payload (legacy, NOT DSSE-conformant)'
  | 'invalid'
  | 'unknown-keyid'
  | 'undecodable-sig'
  | 'no-payload';

interface Classified {
  file: string;
  error?: string;
  note?: string;
  envelopes?: {
    index: number;
    signatures: { keyid?: string; keyFile: string | null; result: Result }[];
  }[];
}

const index = vectorJson<{ files: Classified[] }>(SET, 'gcb-signatures.json');

/** One signature of one envelope in one file, as the classification names it. */
interface SignatureCase {
  readonly label: string;
  readonly result: Result;
  readonly keyFile: string | null;
  /** The envelope as stored (JSON object), reduced to this one signature. */
  readonly single: Record<string, unknown>;
}

// The provenance files are gcloud output: the envelopes live at
// provenance_summary.provenance[i].envelope.
function envelopeJson(file: string, i: number): Record<string, unknown> {
  const doc = parseStrictJson(vectorText(SET, file)) as {
    provenance_summary: { provenance: { envelope: Record<string, unknown> }[] };
  };
  const provenance = doc.provenance_summary.provenance[i];
  if (provenance === undefined) throw new Error(`${file} has no provenance[${i}]`);
  return provenance.envelope;
}

const signatureCases: SignatureCase[] = index.files.flatMap((f) =>
  (f.envelopes ?? []).flatMap((e) => {
    const envelope = envelopeJson(f.file, e.index);
    const signatures = envelope.signatures as unknown[];
    if (signatures.length !== e.signatures.length) {
      throw new Error(`${f.file}: classification and envelope disagree on the signature count`);
    }
    return e.signatures.map((s, j) => ({
      label: `${f.file} provenance[${e.index}] signatures[${j}]`,
      result: s.result,
      keyFile: s.keyFile,
      single: { ...envelope, signatures: [signatures[j]] },
    }));
  }),
);

/**
 * Files without an envelope to check (listed, with the reason, not silently dropped): four
 * are not valid JSON upstream (their tests expect a parse error), two have no provenance array.
 */
const NO_ENVELOPE: Readonly<Record<string, string>> = {
  'cli/slsa-verifier/testdata/gcb_container/v0.2/gcloud-container-no-signature.json': 'not JSON',
  'cli/slsa-verifier/testdata/gcb_container/v0.3/gcloud-container-no-signature.json': 'not JSON',
  'verifiers/internal/gcb/testdata/gcloud-container-no-signature.json': 'not JSON',
  'verifiers/internal/gcb/testdata/v1.0-gcloud-container-github-nosigs.json': 'not JSON',
  'verifiers/internal/gcb/testdata/gcloud-container-empty-provenance.json':
    'provenance not an array',
  'verifiers/internal/gcb/testdata/gcloud-container-no-provenance.json': 'no provenance_summary',
};

const keys = new Map<string, PublicKey>();
function keyFor(file: string): PublicKey {
  let key = keys.get(file);
  if (key === undefined) {
    key = loadPublicKey(vectorText(SET, file), file);
    keys.set(file, key);
  }
  return key;
}
const namedKey = (c: SignatureCase): PublicKey => {
  if (c.keyFile === null) throw new Error(`${c.label} names no key`);
  return keyFor(c.keyFile);
};

const ALL_KEYS = [
  'asia-east1',
  'asia-northeast1',
  'asia-southeast1',
  'australia-southeast1',
  'europe-north1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'global-pae-google-hosted-worker_1',
  'global-pae-provenanceSigner_1',
  'global-pae',
  'global',
  'southamerica-west1',
  'us-central1',
  'us-central2',
  'us-east1',
  'us-east4',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
].map((name) => keyFor(`verifiers/internal/gcb/keys/materials/${name}.key`));

const parse = (c: SignatureCase): Envelope => parseEnvelope(JSON.stringify(c.single));

/** True iff Vouch parses the envelope strictly and the signature verifies over PAE. */
function accepted(c: SignatureCase, trusted: readonly PublicKey[]): boolean {
  try {
    return verifiedKeys(parse(c), trusted).length > 0;
  } catch (err) {
    if (err instanceof VouchError) return false;
    throw err;
  }
}

const byResult = (r: Result): SignatureCase[] => signatureCases.filter((c) => c.result === r);

describe('Google Cloud Build signatures (slsa-verifier/gcb-signatures.json)', () => {
  it('classifies 151 signatures in 93 files; 6 files have no envelope', () => {
    expect(index.files).toHaveLength(99);
    const without = index.files.filter((f) => (f.envelopes ?? []).length === 0).map((f) => f.file);
    expect(without.sort()).toEqual(Object.keys(NO_ENVELOPE).sort());
    expect(signatureCases).toHaveLength(151);
    expect(byResult('unknown-keyid')).toHaveLength(19);
    expect(byResult('undecodable-sig')).toHaveLength(3);
    expect(byResult('no-payload')).toHaveLength(2);
  });

  describe('when a signature is over DSSE PAE (global keys)', () => {
    const cases = byResult('valid-over-PAE');
    it('there are exactly 18', () => expect(cases).toHaveLength(18));
    it.each(cases.map((c) => [c.label, c] as const))('accepts %s', (_label, c) => {
      expect(accepted(c, [namedKey(c)])).toBe(true);
    });
  });

  describe('when a signature is over the raw payload only (legacy regional keys)', () => {
    const cases = byResult('valid-over-raw-payload (legacy, NOT DSSE-conformant)');
    it('there are exactly 37', () => expect(cases).toHaveLength(37));
    it.each(cases.map((c) => [c.label, c] as const))('rejects %s', (_label, c) => {
      const key = namedKey(c);
      const envelope = parse(c);
      const sig = envelope.signatures[0]?.sig ?? Buffer.alloc(0);
      // The signature is genuine over the payload bytes: only the missing PAE makes it invalid.
      expect(verifyBytes(key, envelope.payload, sig)).toBe(true);
      expect(accepted(c, [key])).toBe(false);
      expect(accepted(c, ALL_KEYS)).toBe(false);
    });
  });

  describe('when a signature is invalid', () => {
    const cases = byResult('invalid');
    it('there are exactly 72', () => expect(cases).toHaveLength(72));
    it.each(cases.map((c) => [c.label, c] as const))('rejects %s', (_label, c) => {
      expect(accepted(c, [namedKey(c)])).toBe(false);
      expect(accepted(c, ALL_KEYS)).toBe(false);
    });
  });

  describe('when the keyid names no known key', () => {
    it.each(byResult('unknown-keyid').map((c) => [c.label, c] as const))(
      'rejects %s with every GCB key trusted',
      (_label, c) => {
        expect(accepted(c, ALL_KEYS)).toBe(false);
      },
    );
  });

  describe('when the envelope is not decodable', () => {
    it.each(byResult('undecodable-sig').map((c) => [c.label, c] as const))(
      'rejects %s as BAD_BASE64',
      (_label, c) => {
        expect(() => parse(c)).toThrowWithCode('BAD_BASE64', '$.signatures[0].sig');
      },
    );
    it.each(byResult('no-payload').map((c) => [c.label, c] as const))(
      'rejects %s as MALFORMED',
      (_label, c) => {
        expect(() => parse(c)).toThrowWithCode('MALFORMED', '$.payload');
      },
    );
  });
});
