import { describe, expect, it } from 'vitest';
import { buildVulnReview } from '../../src/evidence/review.js';
import type { ScanEvidence } from '../../src/predicates/vulns.js';
import { vouchErrorOf } from '../support/fixtures.js';

const scan: ScanEvidence = {
  scanner: { name: 'grype', uri: 'pkg:github/anchore/grype@0.87.0', version: '0.87.0' },
  database: { version: 'v6.0.2', lastUpdate: '2025-01-30T06:16:08Z' },
  scanFinishedOn: '2025-01-30T13:12:44Z',
  findings: [
    { id: 'CVE-2023-0286', severity: 'high', aliases: [], package: 'libssl3 3.0.7-r2' },
    { id: 'CVE-2005-2541', severity: 'low', aliases: [], package: 'tar 1.34-r1' },
  ],
  summary: { critical: 0, high: 1, medium: 0, low: 1, unknown: 0, total: 2 },
};
const input = {
  reviewerId: ' alice@example.com ',
  reviewedAt: '2025-01-31T09:00:00Z',
  decision: 'approved' as const,
  scanAttestation: `sha256:${'ab'.repeat(32)}`,
  scan,
  triage: [
    { vulnerability: 'CVE-2023-0286', status: 'fixed' as const },
    {
      vulnerability: 'CVE-2005-2541',
      status: 'not_affected' as const,
      justification: 'vulnerable_code_not_in_execute_path' as const,
    },
  ],
  note: '  tar is only used at build time ',
};

describe('when building a vuln-review predicate', () => {
  it('records the reviewer, decision, scan identity, summary and sorted triage', () => {
    expect(buildVulnReview(input)).toEqual({
      reviewer: { id: 'alice@example.com' },
      reviewedAt: '2025-01-31T09:00:00Z',
      decision: 'approved',
      scan: {
        attestation: input.scanAttestation,
        scanner: scan.scanner,
        database: scan.database,
        scanFinishedOn: scan.scanFinishedOn,
      },
      summary: scan.summary,
      triage: [input.triage[1], input.triage[0]],
      note: 'tar is only used at build time',
    });
  });

  it('leaves out an empty note', () => {
    expect(buildVulnReview({ ...input, note: ' ' })).not.toHaveProperty('note');
  });

  it('refuses triage of a vulnerability the scan did not find, or twice', () => {
    const stranger = { vulnerability: 'CVE-1999-0001', status: 'fixed' as const };
    expect(() => buildVulnReview({ ...input, triage: [stranger] })).toThrowWithCode('USAGE');
    const twice = [input.triage[0], input.triage[0]].filter((t) => t !== undefined);
    expect(vouchErrorOf(() => buildVulnReview({ ...input, triage: twice })).message).toContain(
      'twice',
    );
  });

  it('refuses an empty reviewer and a malformed scan digest', () => {
    expect(() => buildVulnReview({ ...input, reviewerId: ' ' })).toThrowWithCode('USAGE');
    expect(() => buildVulnReview({ ...input, scanAttestation: 'sha256:xyz' })).toThrowWithCode(
      'USAGE',
    );
  });
});
