import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lintPolicy } from '../../src/policy/lint.js';
import {
  authority,
  makeKey,
  PROVENANCE,
  policyOf,
  TEST_RESULT,
  VULN_REVIEW,
  VULNS,
} from '../support/signing.js';
import { ecSpki, toPem } from '../support/spki.js';

const builder = makeKey();
const alice = makeKey();

describe('lintPolicy', () => {
  it('when a review-type requirement has no maxAge it warns', () => {
    const warnings = lintPolicy(
      policyOf({
        authorities: { security: authority(alice) },
        requirements: [
          { name: 'review', predicateType: VULN_REVIEW, signers: ['security'] },
          { name: 'scan', predicateType: VULNS, signers: ['security'] },
          { name: 'vex', predicateType: 'https://openvex.dev/ns/v0.2.0', signers: ['security'] },
          {
            name: 'vsa',
            predicateType: 'https://slsa.dev/verification_summary/v1',
            signers: ['security'],
          },
          { name: 'fresh', predicateType: VULN_REVIEW, signers: ['security'], maxAge: '168h' },
        ],
      }),
    );
    expect(warnings.map((w) => w.path)).toEqual([
      'spec.requirements[0].maxAge',
      'spec.requirements[1].maxAge',
      'spec.requirements[2].maxAge',
      'spec.requirements[3].maxAge',
    ]);
    expect(warnings[0]?.message).toMatch(/a years-old review still counts/);
  });

  it('when a policy is tidy it has no warnings', () => {
    const policy = policyOf({
      authorities: { builder: authority(builder) },
      requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
    });
    expect(lintPolicy(policy)).toEqual([]);
  });

  it('when parts of a policy have no effect it says so', () => {
    const warnings = lintPolicy(
      policyOf({
        authorities: { builder: authority(builder, builder), unused: authority(alice) },
        requirements: [
          { name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] },
          {
            name: 'tests',
            predicateType: TEST_RESULT,
            signers: ['builder'],
            timestampPath: 'finishedAt',
          },
        ],
        allow: 'provenance',
      }),
    ).map((w) => w.message);
    expect(warnings).toEqual([
      'tests: timestampPath has no effect without maxAge',
      'requirement tests does not appear in allow, so it never affects the decision',
      'authority builder lists the same key more than once, in the same or another encoding (it counts once)',
      'authority unused signs for no requirement',
    ]);
  });

  it('when one key is listed twice in two encodings, or by two authorities, it says so', () => {
    // builder's EC point compressed: another SPKI of the same key (issue 8 item 1).
    const compressed = toPem(ecSpki(createPublicKey(builder.pem), 'compressed'));
    const warnings = lintPolicy(
      policyOf({
        authorities: {
          builder: { keys: [{ pem: builder.pem }, { pem: compressed }] },
          release: { keys: [{ pem: compressed }] },
        },
        requirements: [
          { name: 'provenance', predicateType: PROVENANCE, signers: ['builder', 'release'] },
        ],
      }),
    ).map((w) => w.message);
    expect(warnings).toEqual([
      'authority builder lists the same key more than once, in the same or another encoding (it counts once)',
      `key ${builder.keyid.slice(0, 16)} is listed by authorities builder, release (a requirement naming several of them counts it once)`,
    ]);
  });
});
