import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { statementFromJson } from '../../src/attestation/statement.js';
import { parseStrictJson } from '../../src/encoding/strict-json.js';
import { scanEvidenceFromPredicate, VULNS_PREDICATE_TYPE } from '../../src/predicates/vulns.js';
import { vouchErrorOf } from '../support/fixtures.js';
import { itWithVectors, vector } from '../support/paths.js';

describe('when reading a vulns predicate another producer made', () => {
  itWithVectors(
    'reads the in-toto spec example (repaired JSON) and rates it from its scores',
    () => {
      const statement = parseStrictJson(
        readFileSync(vector('in-toto-attestation', 'derived-repaired', 'vulns-v0.2.example.json')),
      );
      const parsed = statementFromJson(statement);
      expect(parsed.predicateType).toBe(VULNS_PREDICATE_TYPE);
      const evidence = scanEvidenceFromPredicate(parsed.predicate);
      expect(evidence.scanner).toEqual({
        name: 'trivy',
        uri: 'pkg:github/aquasecurity/trivy@244fd47e07d1004f0aed9',
        version: '0.19.2',
      });
      expect(evidence.database).toEqual({
        uri: 'pkg:github/aquasecurity/trivy-db/commit/4c76bb580b2736d67751410fa4ab66d2b6b9b27d',
        version: 'v1-2021080612',
        lastUpdate: '2021-08-06T17:45:50.52Z',
      });
      // {nvd: medium} and {cvss_score: 5.2} both say medium
      expect(evidence.findings).toEqual([{ id: 'CVE-123', severity: 'medium', aliases: [] }]);
      expect(evidence.summary.medium).toBe(1);
      expect(evidence.scanFinishedOn).toBe('2021-08-06T17:50:50.520Z');
    },
  );

  it('takes the highest recognised score when no normalised one is present', () => {
    const evidence = scanEvidenceFromPredicate({
      scanner: {
        uri: 'https://scanner.example/x',
        result: [
          {
            id: 'A',
            severity: [
              { method: 'vendor', score: 'moderate' },
              { method: 'cvss', score: '9.8' },
            ],
          },
          { id: 'B', severity: [{ method: 'vendor', score: 'weird' }] },
          { id: 'C', severity: [] },
        ],
      },
      metadata: { scanFinishedOn: '2026-01-01T00:00:00Z' },
    });
    expect(evidence.findings.map((f) => f.severity)).toEqual(['critical', 'unknown', 'unknown']);
    expect(evidence.scanner.name).toBe('https://scanner.example/x');
  });

  it('rejects a summary that disagrees with the results', () => {
    expect(() =>
      scanEvidenceFromPredicate({
        scanner: { uri: 'pkg:x/y', result: [{ id: 'A', severity: [] }] },
        metadata: { scanFinishedOn: '2026-01-01T00:00:00Z' },
        summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 },
      }),
    ).toThrowWithCode('MALFORMED', '$.predicate.summary');
  });

  it('rejects a missing or unparsable scanFinishedOn and results without ids', () => {
    const base = { scanner: { uri: 'pkg:x/y', result: [] } };
    expect(vouchErrorOf(() => scanEvidenceFromPredicate(base)).path).toBe('$.predicate.metadata');
    expect(
      vouchErrorOf(() =>
        scanEvidenceFromPredicate({
          ...base,
          metadata: { scanFinishedOn: '2026-13-01T00:00:00Z' },
        }),
      ).path,
    ).toBe('$.predicate.metadata.scanFinishedOn');
    expect(
      vouchErrorOf(() =>
        scanEvidenceFromPredicate({
          scanner: { uri: 'pkg:x/y', result: [{ severity: [] }] },
          metadata: { scanFinishedOn: '2026-01-01T00:00:00Z' },
        }),
      ).path,
    ).toBe('$.predicate.scanner.result[0].id');
  });
});
