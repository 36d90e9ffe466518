import { describe, expect, it } from 'vitest';
import { decisionOutcome, denialReasons, divergences, judgeStep } from '../../src/demo/outcome.js';
import type { Decision } from '../../src/policy/decision.js';

const deny = {
  name: 'review-deleted',
  title: 't',
  expected: 'denied' as const,
  expectedReasons: ['vuln-review BELOW_THRESHOLD'],
};

describe('when the demo judges a step', () => {
  it('a deny for the expected reason is as expected', () => {
    const step = judgeStep({
      ...deny,
      actual: 'denied',
      reasons: ['vuln-review BELOW_THRESHOLD', 'vuln-review UNTRUSTED_SIGNER'],
    });
    expect(step.ok).toBe(true);
    expect(divergences([step])).toEqual([]);
  });

  it('an allow where a deny was expected diverges, and says so', () => {
    const step = judgeStep({ ...deny, actual: 'allowed', reasons: [] });
    expect(step.ok).toBe(false);
    expect(divergences([step])).toEqual([
      'review-deleted: expected denied (vuln-review BELOW_THRESHOLD), got allowed',
    ]);
  });

  it('a deny for another reason, or with another requirement failing too, diverges', () => {
    for (const reasons of [
      ['vuln-review EXPIRED'],
      ['vuln-review BELOW_THRESHOLD', 'provenance SUBJECT_MISMATCH'],
    ]) {
      const step = judgeStep({ ...deny, actual: 'denied', reasons });
      expect(step.ok, reasons.join()).toBe(false);
      expect(divergences([step])[0]).toContain(`got denied (${reasons.join(', ')})`);
    }
  });

  it('an error (exit 2) is never an expected decision', () => {
    expect(decisionOutcome(2)).toBe('error');
    expect(decisionOutcome(0)).toBe('allowed');
    expect(decisionOutcome(1)).toBe('denied');
    expect(judgeStep({ ...deny, actual: 'error', reasons: [] }).ok).toBe(false);
  });

  it('reads the reasons of the unsatisfied requirements from the decision JSON', () => {
    const decision: Decision = {
      schemaVersion: 'vouch.dev/decision/v1',
      vouchVersion: '0.1.0',
      allowed: false,
      policy: 'p',
      policyDigest: { sha256: 'c'.repeat(64) },
      evaluatedAt: '2026-11-23T10:00:00Z',
      artifact: { digest: { sha256: 'a'.repeat(64) } },
      requirements: [
        {
          name: 'provenance',
          satisfied: true,
          satisfiedBy: [],
          rejected: [
            { attestation: 'sha256:1', source: null, code: 'UNTRUSTED_SIGNER', message: '' },
          ],
        },
        { name: 'vuln-review', satisfied: false, satisfiedBy: [], rejected: [], missing: 'x' },
        {
          name: 'scan',
          satisfied: false,
          satisfiedBy: [],
          rejected: [
            { attestation: 'sha256:2', source: 'a.json', code: 'EXPIRED', message: '' },
            { attestation: 'sha256:3', source: 'b.json', code: 'EXPIRED', message: '' },
          ],
          missing: 'y',
        },
      ],
      expiresAt: null,
    };
    expect(denialReasons(decision)).toEqual(['scan EXPIRED', 'vuln-review MISSING']);
  });
});
