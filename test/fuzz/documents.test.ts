import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSignedDocument } from '../../src/attestation/attestation.js';
import { parseStatement } from '../../src/attestation/statement.js';
import type { Decision } from '../../src/policy/decision.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import {
  authority,
  bundle,
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  policyOf,
  provenance,
  statementJson,
} from '../support/signing.js';
import { fuzz, timed } from './budget.js';
import { hostileJson, mutatedJson, mutatedText } from './mutate.js';
import { PENDING, reaches } from './pending.js';

// Fuzz targets over received documents: DSSE envelopes, Sigstore bundles, Statements. The
// oracle: a document counts only if what was signed reached the decision unchanged.
const REPOSITORY = 'https://github.com/acme/app';
const builder = makeKey();
const policy = policyOf({
  authorities: { builder: authority(builder) },
  requirements: [
    {
      name: 'provenance',
      predicateType: PROVENANCE,
      signers: ['builder'],
      condition: `predicate.buildDefinition.externalParameters.workflow.repository == "${REPOSITORY}"`,
    },
  ],
});
const artifact = { name: 'app.tar.gz', digest: digestOf('app v1 bytes') };
const at = new Date('2026-11-23T10:00:00Z');
const STATEMENT = statementJson(artifact.digest, PROVENANCE, provenance(REPOSITORY));
const SIGNED_PAYLOAD = Buffer.from(STATEMENT);
const DSSE = dsse(STATEMENT, [builder]);
const BUNDLE = bundle(STATEMENT, builder);

function decide(bytes: string | Buffer): Decision {
  return timed('evaluatePolicy', () =>
    evaluatePolicy(policy, { artifact, documents: [{ bytes }], at }),
  );
}

/** Fail-closed faults never show up as INTERNAL in a decision. */
function expectNoInternal(decision: Decision): void {
  for (const r of decision.requirements) {
    expect(r.missing ?? '', r.missing).not.toMatch(/INTERNAL/);
    for (const x of r.rejected) expect(x.code, x.message).not.toBe('INTERNAL');
  }
}

/** An allow only for the payload and payloadType that were signed, byte for byte. */
function expectAllowOnlyIfUnchanged(bytes: string | Buffer, decision: Decision): void {
  expectNoInternal(decision);
  if (!decision.allowed) return;
  const { envelope } = parseSignedDocument(bytes);
  expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
  expect(Buffer.from(envelope.payload).equals(SIGNED_PAYLOAD)).toBe(true);
}

/** The document with its payload replaced by mutated bytes; the signatures stay as signed. */
function withPayload(document: string, path: 'payload' | 'bundle'): fc.Arbitrary<string> {
  return mutatedText(STATEMENT).map((payload) => {
    const json = JSON.parse(document) as Record<string, Record<string, unknown>>;
    const encoded = Buffer.from(payload).toString('base64');
    if (path === 'payload') (json as Record<string, unknown>).payload = encoded;
    else (json.dsseEnvelope as Record<string, unknown>).payload = encoded;
    return JSON.stringify(json);
  });
}

/** Signatures repeated, dropped or swapped for junk: counting must stay by key. */
const signatureFlood = fc.integer({ min: 0, max: 200 }).map((n) => {
  const json = JSON.parse(DSSE) as { signatures: unknown[] };
  const [first] = json.signatures;
  json.signatures = [
    ...Array.from({ length: n }, (_, i) => ({
      keyid: `k${i}`,
      sig: Buffer.from(`junk${i}`).toString('base64'),
    })),
    first,
  ];
  return JSON.stringify(json);
});

/** The bundle with junk log entries and RFC 3161 timestamps: evidence parsers on random DER. */
const bundleEvidence = fc
  .record({
    timestamps: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 3 }),
    entries: fc.array(
      fc.record({
        body: fc.uint8Array({ maxLength: 200 }),
        set: fc.uint8Array({ maxLength: 80 }),
        kind: fc.constantFrom('dsse', 'intoto', 'hashedrekord', 'x'),
        index: fc.constantFrom('0', '-1', '18446744073709551616', 'x'),
      }),
      { maxLength: 2 },
    ),
  })
  .map(({ timestamps, entries }) => {
    const json = JSON.parse(BUNDLE) as { verificationMaterial: Record<string, unknown> };
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    json.verificationMaterial.timestampVerificationData = {
      rfc3161Timestamps: timestamps.map((t) => ({ signedTimestamp: b64(t) })),
    };
    json.verificationMaterial.tlogEntries = entries.map((e) => ({
      logIndex: e.index,
      logId: { keyId: b64(e.set.slice(0, 32)) },
      kindVersion: { kind: e.kind, version: '0.0.1' },
      integratedTime: '1700000000',
      inclusionPromise: { signedEntryTimestamp: b64(e.set) },
      canonicalizedBody: b64(e.body),
    }));
    return JSON.stringify(json);
  });

describe('fuzz: received documents (never an allow for content changed after signing)', () => {
  it('the unmutated documents are allowed (the oracle can see an allow)', () => {
    expect(decide(DSSE).allowed).toBe(true);
    expect(decide(BUNDLE).allowed).toBe(true);
  });

  it('DSSE envelopes', () => {
    const arb = fc.oneof(
      mutatedText(DSSE),
      mutatedJson(JSON.parse(DSSE)).map((j) => JSON.stringify(j)),
      withPayload(DSSE, 'payload'),
      signatureFlood,
    );
    fuzz('envelopes', 150, arb, (bytes) => expectAllowOnlyIfUnchanged(bytes, decide(bytes)));
  });

  it('Sigstore bundles', () => {
    const arb = fc.oneof(
      mutatedText(BUNDLE),
      mutatedJson(JSON.parse(BUNDLE)).map((j) => JSON.stringify(j)),
      withPayload(BUNDLE, 'bundle'),
      ...(reaches(PENDING.junkBundleTimestamps) ? [bundleEvidence] : []),
    );
    fuzz('bundles', 100, arb, (bytes) => expectAllowOnlyIfUnchanged(bytes, decide(bytes)));
  });

  it('Statements signed by the trusted key (counted only when they say what the policy asks)', () => {
    const base = JSON.parse(STATEMENT) as unknown;
    const arb = fc.oneof(
      mutatedText(STATEMENT),
      mutatedJson(base).map((j) => JSON.stringify(j)),
      hostileJson.map((j) => JSON.stringify(j) ?? 'null'),
    );
    fuzz('statements', 100, arb, (payload) => {
      const decision = decide(dsse(payload, [builder]));
      expectNoInternal(decision);
      if (!decision.allowed) return;
      // An independent reading of what the policy requires.
      const st = parseStatement(Buffer.from(payload));
      expect(st.predicateType).toBe(PROVENANCE);
      // The artifact has sha256 and sha512; a subject must agree on one of them.
      const agrees = (d: Readonly<Record<string, string>>, alg: 'sha256' | 'sha512') =>
        Object.hasOwn(d, alg) && d[alg]?.toLowerCase() === artifact.digest[alg];
      expect(st.subject.some((s) => agrees(s.digest, 'sha256') || agrees(s.digest, 'sha512'))).toBe(
        true,
      );
      const p = st.predicate as {
        buildDefinition: { externalParameters: { workflow: { repository: unknown } } };
      };
      expect(p.buildDefinition.externalParameters.workflow.repository).toBe(REPOSITORY);
    });
  });
});
