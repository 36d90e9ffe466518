import { describe, expect, it } from 'vitest';
import { resourceUriOf, summarizeDecision } from '../../src/evidence/decision-summary.js';
import type { Decision } from '../../src/policy/decision.js';

const decision: Decision = {
  schemaVersion: 'vouch.dev/decision/v1',
  vouchVersion: '0.1.0',
  allowed: true,
  policy: 'production',
  policyDigest: { sha256: 'c'.repeat(64) },
  evaluatedAt: '2026-11-23T10:00:00Z',
  artifact: { name: 'app.tar.gz', digest: { sha256: 'a'.repeat(64), sha512: 'b'.repeat(128) } },
  requirements: [],
  expiresAt: null,
};
const context = {
  verifierId: 'https://vouch.dev/verifier/v1',
  policy: { uri: 'file:///p.yaml', digest: { sha256: 'c'.repeat(64) } },
  examined: [`sha256:${'e'.repeat(64)}`, `sha256:${'d'.repeat(64)}`, `sha256:${'e'.repeat(64)}`],
};

describe('when a decision becomes a verification summary', () => {
  it('an allow is PASSED at the evaluation time, each examined document listed once, sorted', () => {
    expect(summarizeDecision(decision, context)).toEqual({
      verifier: { id: 'https://vouch.dev/verifier/v1' },
      timeVerified: '2026-11-23T10:00:00Z',
      resourceUri: 'app.tar.gz',
      policy: context.policy,
      inputAttestations: [
        { digest: { sha256: 'd'.repeat(64) } },
        { digest: { sha256: 'e'.repeat(64) } },
      ],
      verificationResult: 'PASSED',
      verifiedLevels: [],
    });
  });

  it('a deny is FAILED, whatever its requirements say', () => {
    const denied = { ...decision, allowed: false };
    const summary = summarizeDecision(denied, context);
    expect(summary.verificationResult).toBe('FAILED');
    expect(summary.verifiedLevels).toEqual(['FAILED']);
  });

  it('a decision whose time is not RFC 3339 (a failed evaluation) is refused', () => {
    expect(() =>
      summarizeDecision({ ...decision, evaluatedAt: 'invalid time' }, context),
    ).toThrowWithCode('INTERNAL');
  });

  it('names an unnamed artifact by its digest, sha256 first', () => {
    expect(resourceUriOf({ digest: { sha512: 'b'.repeat(128), sha256: 'a'.repeat(64) } })).toBe(
      `sha256:${'a'.repeat(64)}`,
    );
    expect(resourceUriOf({ digest: { sha384: 'f'.repeat(96) } })).toBe(`sha384:${'f'.repeat(96)}`);
    expect(() => resourceUriOf({ digest: {} })).toThrowWithCode('USAGE');
  });
});
