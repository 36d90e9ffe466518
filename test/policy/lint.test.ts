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

  it('when a condition can cost more than the evaluation budget it warns, saying how it grows', () => {
    const hundred = `[${Array.from({ length: 100 }, (_, i) => i).join(', ')}]`;
    const warnings = lintPolicy(
      policyOf({
        authorities: { builder: authority(builder) },
        requirements: [
          {
            name: 'nested',
            predicateType: TEST_RESULT,
            signers: ['builder'],
            condition: `cel.bind(l, ${hundred}, l.all(a, l.all(b, l.all(c, l.all(d, l.all(e, true))))))`,
          },
          {
            name: 'quadratic',
            predicateType: TEST_RESULT,
            signers: ['builder'],
            condition: 'predicate.passedTests.all(t, t in predicate.failedTests) == false',
          },
          {
            name: 'linear',
            predicateType: TEST_RESULT,
            signers: ['builder'],
            condition: 'predicate.passedTests.all(t, t.startsWith("test_"))',
          },
        ],
      }),
    );
    const costly = warnings.filter((w) => w.path.endsWith('.condition'));
    expect(costly.map((w) => w.path)).toEqual([
      'spec.requirements[0].condition',
      'spec.requirements[1].condition',
    ]);
    expect(costly[0]?.message).toMatch(
      /whatever the attestation holds, over the evaluation budget/,
    );
    expect(costly[1]?.message).toMatch(/n\^2/);
  });

  it('when a condition misspells a field of a known predicate type it warns, with the likely fix', () => {
    const lint = (predicateType: string, condition: string) =>
      lintPolicy(
        policyOf({
          authorities: { builder: authority(builder) },
          requirements: [{ name: 'r', predicateType, signers: ['builder'], condition }],
        }),
      )
        .filter((w) => w.path.endsWith('.condition'))
        .map((w) => w.message);
    expect(lint(VULN_REVIEW, 'predicate.decison == "approved"')).toEqual([
      `r: predicate.decison: "decison" is not a field of the predicate (did you mean decision?) in ${VULN_REVIEW} predicates; reading a field that is not there makes the condition an error, so nothing counts`,
    ]);
    expect(lint(VULN_REVIEW, 'predicate.triage.all(t, t.staus == "not_affected")')[0]).toMatch(
      /predicate\.triage\[\]\.staus: "staus" is not a field of each element \(did you mean status\?\)/,
    );
    expect(lint(VULN_REVIEW, 'predicate.triage.status == "x"')[0]).toMatch(
      /field "triage" is a list, select an element/,
    );
    expect(lint(VULN_REVIEW, 'statement.predicate.summary.critcal == 0')[0]).toMatch(
      /did you mean critical\?/,
    );
    expect(
      lint(VULNS, 'predicate.summary.critical == 0 && predicate.scanner.result.all(r, r.id != "")'),
    ).toEqual([]);
    expect(
      lint(PROVENANCE, 'predicate.buildDefinition.externalParameters.anything.at.all == "x"'),
    ).toEqual([]);
    expect(lint('https://example.com/custom/v1', 'predicate.whatever == 1')).toEqual([]);
  });

  it('when clockSkew is longer than an hour it warns that future-dated attestations outlive maxAge', () => {
    const spec = (clockSkew: string) => ({
      clockSkew,
      authorities: { builder: authority(builder) },
      requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
    });
    expect(lintPolicy(policyOf(spec('876000h'))).map((w) => w.path)).toEqual(['spec.clockSkew']);
    expect(lintPolicy(policyOf(spec('1h')))).toEqual([]);
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
