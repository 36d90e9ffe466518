import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/attestation/envelope.js';
import { parseStatement } from '../../src/attestation/statement.js';
import { buildVerificationSummary } from '../../src/evidence/verification-summary.js';
import { VSA_PREDICATE_TYPE } from '../../src/predicates/verification-summary.js';
import { vouchErrorOf } from '../support/fixtures.js';
import { itWithVectors, vector } from '../support/paths.js';

const input = {
  verifierId: 'https://vouch.dev/verifier/v1',
  verifierVersion: { vouch: '0.1.0' },
  timeVerified: new Date('2026-11-23T10:00:00.250Z'),
  resourceUri: 'file://dist/app.tar.gz',
  policy: { uri: 'file://policy.yaml', digest: { sha256: 'C'.repeat(64) } },
  inputAttestations: [
    { uri: 'file://att/review.dsse.json', digest: { sha256: 'b'.repeat(64) } },
    { digest: { sha256: 'a'.repeat(64) } },
  ],
  verificationResult: 'PASSED' as const,
  verifiedLevels: ['SLSA_BUILD_LEVEL_2'],
};

describe('when building a SLSA verification summary', () => {
  it('writes the VSA v1 fields, digests normalised and inputs sorted', () => {
    expect(buildVerificationSummary(input)).toEqual({
      verifier: { id: 'https://vouch.dev/verifier/v1', version: { vouch: '0.1.0' } },
      timeVerified: '2026-11-23T10:00:00.250Z',
      resourceUri: 'file://dist/app.tar.gz',
      policy: { uri: 'file://policy.yaml', digest: { sha256: 'c'.repeat(64) } },
      inputAttestations: [
        { digest: { sha256: 'a'.repeat(64) } },
        { uri: 'file://att/review.dsse.json', digest: { sha256: 'b'.repeat(64) } },
      ],
      verificationResult: 'PASSED',
      verifiedLevels: ['SLSA_BUILD_LEVEL_2'],
    });
  });

  it('says FAILED in verifiedLevels when verification failed', () => {
    const p = buildVerificationSummary({ ...input, verificationResult: 'FAILED' });
    expect(p.verificationResult).toBe('FAILED');
    expect(p.verifiedLevels).toEqual(['FAILED']);
  });

  itWithVectors('has the predicate fields of a real VSA (slsa-verifier testdata)', () => {
    const line = readFileSync(
      vector('slsa-verifier', 'cli/slsa-verifier/testdata/vsa/gce/v1/gke-gce-pre.bcid-vsa.jsonl'),
      'utf8',
    ).split('\n')[0];
    const real = parseStatement(parseEnvelope(line ?? '').payload);
    expect(real.predicateType).toBe(VSA_PREDICATE_TYPE);
    const ours = buildVerificationSummary(input);
    for (const key of Object.keys(real.predicate)) expect(ours).toHaveProperty(key);
  });

  it('refuses two levels of one track, FAILED in a pass, and missing digests', () => {
    for (const bad of [
      { verifiedLevels: ['SLSA_BUILD_LEVEL_1', 'SLSA_BUILD_LEVEL_3'] },
      { verifiedLevels: ['FAILED'] },
      { policy: { uri: 'file://p.yaml', digest: {} } },
      { inputAttestations: [{ digest: { sha256: 'xyz' } }] },
      { verifierId: ' ' },
    ]) {
      const err = vouchErrorOf(() => buildVerificationSummary({ ...input, ...bad }));
      expect(['USAGE', 'MALFORMED'], JSON.stringify(bad)).toContain(err.code);
    }
  });
});
