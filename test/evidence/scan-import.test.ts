import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildStatement, statementFromJson } from '../../src/attestation/statement.js';
import { buildVulnsPredicate } from '../../src/evidence/scan-import.js';
import { parseScanReport } from '../../src/evidence/scanners/formats.js';
import { severityFromLabel } from '../../src/predicates/severity.js';
import {
  NORMALISED_SEVERITY_METHOD,
  scanEvidenceFromPredicate,
  VULNS_PREDICATE_TYPE,
} from '../../src/predicates/vulns.js';
import { readFixture } from '../support/fixtures.js';

const TIMES = { startedOn: '2025-01-30T13:10:00Z', finishedOn: '2025-01-30T13:12:44Z' };

describe('when building the vulns v0.2 predicate from a scanner report', () => {
  const report = parseScanReport('grype', readFixture('scanners', 'grype.json'));
  const predicate = buildVulnsPredicate(report, TIMES);

  it('has the fields the in-toto vulns v0.2 spec requires', () => {
    expect(predicate.scanner.uri).toBe('pkg:github/anchore/grype@0.87.0');
    expect(predicate.scanner.version).toBe('0.87.0');
    expect(predicate.scanner.db).toMatchObject({
      version: 'v6.0.2',
      lastUpdate: '2025-01-30T06:16:08Z',
    });
    expect(predicate.metadata).toEqual({
      scanStartedOn: TIMES.startedOn,
      scanFinishedOn: TIMES.finishedOn,
    });
    expect(predicate.scanner.result).toHaveLength(report.findings.length);
    for (const r of predicate.scanner.result) {
      expect(r.id).not.toBe('');
      expect(r.severity.length).toBeGreaterThan(0);
      for (const s of r.severity) {
        expect(typeof s.method).toBe('string');
        expect(typeof s.score).toBe('string');
      }
    }
  });

  it('puts the normalised severity first and the scanner label second', () => {
    const tar = predicate.scanner.result.find((r) => r.id === 'CVE-2005-2541');
    expect(tar?.severity).toEqual([
      { method: NORMALISED_SEVERITY_METHOD, score: 'low' },
      { method: 'grype', score: 'Negligible' },
    ]);
    expect(tar?.annotations).toEqual([
      {
        package: 'tar',
        installedVersion: '1.34-r1',
        packageType: 'apk',
        purl: 'pkg:apk/alpine/tar@1.34-r1?arch=x86_64&distro=alpine-3.17.1',
      },
    ]);
  });

  it('carries a summary equal to the counts of its results', () => {
    expect(predicate.summary).toEqual({
      critical: 1,
      high: 2,
      medium: 2,
      low: 1,
      unknown: 1,
      total: 7,
    });
  });

  it('makes a Statement that parses and reads back as the same scan', () => {
    const statement = buildStatement(
      [{ name: 'app.tar.gz', digest: { sha256: 'a'.repeat(64) } }],
      VULNS_PREDICATE_TYPE,
      predicate,
    );
    const parsed = statementFromJson(JSON.parse(JSON.stringify(statement)));
    const evidence = scanEvidenceFromPredicate(parsed.predicate);
    expect(evidence.summary).toEqual(predicate.summary);
    expect(evidence.scanner).toEqual({
      name: 'grype',
      uri: 'pkg:github/anchore/grype@0.87.0',
      version: '0.87.0',
    });
    expect(evidence.scanFinishedOn).toBe(TIMES.finishedOn);
    expect(evidence.findings.find((f) => f.id === 'GHSA-c2qf-rxjj-qqgw')).toEqual({
      id: 'GHSA-c2qf-rxjj-qqgw',
      severity: 'medium',
      aliases: ['CVE-2022-25883'],
      package: 'semver 7.3.7',
    });
  });
});

describe('for any scanner report (property)', () => {
  const label = fc.oneof(
    fc.constantFrom('Critical', 'HIGH', 'Medium', 'low', 'Negligible', 'UNKNOWN', 'MODERATE', ''),
    fc.string({ maxLength: 8 }),
  );
  const finding = fc.record({
    id: fc.stringMatching(/^(CVE|GHSA)-[0-9a-z-]{1,12}$/),
    severity: label,
    pkg: fc.stringMatching(/^[a-z][a-z0-9.-]{0,10}$/),
  });

  it('keeps every finding, never rates one lower than its label, and reads back the same summary', () => {
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 30 }), fc.boolean(), (findings, asTrivy) => {
        const report = asTrivy
          ? {
              SchemaVersion: 2,
              Results: [
                {
                  Target: 't',
                  Vulnerabilities: findings.map((f) => ({
                    VulnerabilityID: f.id,
                    PkgName: f.pkg,
                    InstalledVersion: '1.0',
                    Severity: f.severity,
                  })),
                },
              ],
            }
          : {
              matches: findings.map((f) => ({
                vulnerability: { id: f.id, severity: f.severity },
                artifact: { name: f.pkg, version: '1.0' },
              })),
              descriptor: { name: 'grype', version: '0.87.0' },
            };
        const parsed = parseScanReport(asTrivy ? 'trivy' : 'grype', JSON.stringify(report));
        expect(parsed.findings).toHaveLength(findings.length);
        parsed.findings.forEach((f, i) => {
          const given = findings[i]?.severity ?? '';
          // only a recognised label may put a finding below "unknown" in the summary
          expect(f.severity).toBe(severityFromLabel(given) ?? 'unknown');
          expect(f.reportedSeverity).toBe(given !== '' ? given : asTrivy ? 'UNKNOWN' : 'Unknown');
        });
        const predicate = buildVulnsPredicate(parsed, TIMES);
        const evidence = scanEvidenceFromPredicate(JSON.parse(JSON.stringify(predicate)));
        expect(evidence.summary).toEqual(predicate.summary);
        expect(predicate.summary.total).toBe(findings.length);
      }),
    );
  });
});
