import { describe, expect, it } from 'vitest';
import { parseScanReport, type ScanFormat } from '../../../src/evidence/scanners/formats.js';
import type { ScanReport } from '../../../src/evidence/scanners/scan-report.js';
import { summarise } from '../../../src/predicates/severity.js';
import { readFixture, vouchErrorOf } from '../../support/fixtures.js';

const counts = (report: ScanReport) => summarise(report.findings.map((f) => f.severity));

describe('when importing a grype -o json report', () => {
  const report = parseScanReport('grype', readFixture('scanners', 'grype.json'));

  it('normalises every match severity (Negligible is low) and counts them', () => {
    expect(counts(report)).toEqual({
      critical: 1,
      high: 2,
      medium: 2,
      low: 1,
      unknown: 1,
      total: 7,
    });
  });

  it('records the scanner, the DB schema v6 status and the report time in UTC', () => {
    expect(report.scanner).toEqual({
      name: 'grype',
      uri: 'pkg:github/anchore/grype@0.87.0',
      version: '0.87.0',
    });
    expect(report.database?.version).toBe('v6.0.2');
    expect(report.database?.lastUpdate).toBe('2025-01-30T06:16:08Z');
    expect(report.database?.uri).toMatch(/^https:\/\/grype\.anchore\.io\/databases\/v6\//);
    // 08:12:44.716317394-05:00, truncated to milliseconds
    expect(report.reportedAt).toBe('2025-01-30T13:12:44.716Z');
  });

  it('keeps the package, fixed versions and related ids of each match', () => {
    const semver = report.findings.find((f) => f.id === 'GHSA-c2qf-rxjj-qqgw');
    expect(semver).toEqual({
      id: 'GHSA-c2qf-rxjj-qqgw',
      severity: 'medium',
      reportedSeverity: 'Medium',
      package: { name: 'semver', version: '7.3.7', type: 'npm', purl: 'pkg:npm/semver@7.3.7' },
      aliases: ['CVE-2022-25883'],
      fixedVersions: ['7.5.2'],
    });
  });

  it('reads a DB schema v5 descriptor and an empty match list', () => {
    const empty = parseScanReport('grype', readFixture('scanners', 'grype-db-v5-empty.json'));
    expect(empty.findings).toEqual([]);
    expect(empty.database).toEqual({ version: '5', lastUpdate: '2024-01-15T01:26:40Z' });
    expect(empty.scanner.version).toBe('0.74.0');
  });
});

describe('when importing a trivy --format json report', () => {
  const report = parseScanReport('trivy', readFixture('scanners', 'trivy.json'));

  it('walks every Result and counts vulnerabilities by severity', () => {
    expect(counts(report)).toEqual({
      critical: 1,
      high: 3,
      medium: 1,
      low: 2,
      unknown: 1,
      total: 8,
    });
  });

  it('reads the Trivy version, CreatedAt and split fixed versions', () => {
    expect(report.scanner).toEqual({
      name: 'trivy',
      uri: 'pkg:github/aquasecurity/trivy@0.58.1',
      version: '0.58.1',
    });
    expect(report.reportedAt).toBe('2025-01-30T13:52:08.211Z');
    const dh = report.findings.find((f) => f.id === 'CVE-2023-5678');
    expect(dh?.fixedVersions).toEqual(['3.0.12-r1', '3.1.4-r1']);
    expect(dh?.package).toEqual({
      name: 'libcrypto3',
      version: '3.0.7-r2',
      type: 'alpine',
      purl: 'pkg:apk/alpine/libcrypto3@3.0.7-r2?arch=x86_64&distro=3.17.1',
    });
  });

  it('accepts a clean report from a trivy that does not print its version', () => {
    const clean = parseScanReport('trivy', readFixture('scanners', 'trivy-clean-no-version.json'));
    expect(clean.findings).toEqual([]);
    expect(clean.scanner).toEqual({ name: 'trivy', uri: 'pkg:github/aquasecurity/trivy' });
    expect(clean.reportedAt).toBe('2024-03-01T01:20:30.500Z');
  });
});

describe('when importing an osv-scanner --format json report', () => {
  const report = parseScanReport('osv', readFixture('scanners', 'osv-scanner.json'));

  it('makes one finding per alias group and package, severity from max_severity', () => {
    expect(counts(report)).toEqual({
      critical: 1,
      high: 1,
      medium: 3,
      low: 1,
      unknown: 1,
      total: 7,
    });
  });

  it('merges a group of ids into one finding with its aliases', () => {
    const xnet = report.findings.filter((f) => f.package.name === 'golang.org/x/net');
    expect(xnet).toHaveLength(1);
    expect(xnet[0]).toMatchObject({
      id: 'GHSA-2wrh-6pvc-2jm9',
      severity: 'medium',
      reportedSeverity: '6.1',
      aliases: ['CVE-2023-3978', 'GO-2023-1988'],
      fixedVersions: ['0.13.0'],
    });
  });

  it('falls back to the advisory label without a CVSS score, else unknown', () => {
    const debug = report.findings.find((f) => f.package.name === 'debug');
    expect(debug).toMatchObject({ severity: 'low', reportedSeverity: 'LOW' });
    const stdlib = report.findings.find((f) => f.package.name === 'stdlib');
    expect(stdlib).toMatchObject({ severity: 'unknown', reportedSeverity: 'unknown' });
  });

  it('names no version and no time: osv-scanner prints neither in its JSON', () => {
    expect(report.scanner).toEqual({ name: 'osv-scanner', uri: 'pkg:github/google/osv-scanner' });
    expect(report.reportedAt).toBeUndefined();
  });
});

describe('when a report is malformed or of another format', () => {
  const cases: { name: string; format: ScanFormat; body: unknown; path: string }[] = [
    {
      name: 'grype match without an id',
      format: 'grype',
      body: {
        matches: [{ vulnerability: { severity: 'High' }, artifact: { name: 'a', version: '1' } }],
        descriptor: { name: 'grype', version: '0.87.0' },
      },
      path: '$.matches[0].vulnerability.id',
    },
    {
      name: 'syft document passed as grype',
      format: 'grype',
      body: { matches: [], descriptor: { name: 'syft', version: '1.0.0' } },
      path: '$.descriptor.name',
    },
    {
      name: 'grype report with an unparsable timestamp',
      format: 'grype',
      body: {
        matches: [],
        descriptor: { name: 'grype', version: '1.0.0', timestamp: 'yesterday' },
      },
      path: '$.descriptor.timestamp',
    },
    {
      name: 'trivy SchemaVersion 1',
      format: 'trivy',
      body: { SchemaVersion: 1, Results: [] },
      path: '$.SchemaVersion',
    },
    {
      name: 'legacy trivy array output',
      format: 'trivy',
      body: [{ Target: 'alpine:3.10', Vulnerabilities: null }],
      path: '$',
    },
    {
      name: 'trivy vulnerability with a numeric severity',
      format: 'trivy',
      body: {
        SchemaVersion: 2,
        Results: [
          {
            Target: 'x',
            Vulnerabilities: [
              { VulnerabilityID: 'CVE-1', PkgName: 'p', InstalledVersion: '1', Severity: 4 },
            ],
          },
        ],
      },
      path: '$.Results[0].Vulnerabilities[0].Severity',
    },
    {
      name: 'osv group with no ids',
      format: 'osv',
      body: { results: [{ packages: [{ package: { name: 'p' }, groups: [{ ids: [] }] }] }] },
      path: '$.results[0].packages[0].groups[0].ids',
    },
    {
      name: 'osv report without results',
      format: 'osv',
      body: { experimental_config: {} },
      path: '$.results',
    },
    {
      name: 'trivy report passed as grype',
      format: 'grype',
      body: { SchemaVersion: 2, Results: [] },
      path: '$',
    },
    {
      name: 'grype report passed as osv',
      format: 'osv',
      body: { matches: [], descriptor: { name: 'grype', version: '1' } },
      path: '$',
    },
    { name: 'a JSON string', format: 'osv', body: 'results', path: '$' },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with SCAN_REPORT_INVALID at ${c.path}`, () => {
      expect(() => parseScanReport(c.format, JSON.stringify(c.body))).toThrowWithCode(
        'SCAN_REPORT_INVALID',
        c.path,
      );
    });
  }

  it('says which format a report of another scanner looks like', () => {
    const err = vouchErrorOf(() => parseScanReport('osv', readFixture('scanners', 'trivy.json')));
    expect(err.hint).toBe('import it as trivy');
    expect(err.field).toBe('format');
  });

  it('applies the strict JSON limits: duplicate keys, depth and size', () => {
    expect(() => parseScanReport('osv', '{"results":[],"results":[]}')).toThrowWithCode(
      'JSON_DUPLICATE_KEY',
    );
    const deep = `{"results":${'['.repeat(100)}${']'.repeat(100)}}`;
    expect(() => parseScanReport('osv', deep)).toThrowWithCode('JSON_TOO_DEEP');
    const big = readFixture('scanners', 'grype.json');
    expect(() => parseScanReport('grype', big, { maxBytes: 1024, maxDepth: 64 })).toThrowWithCode(
      'TOO_LARGE',
    );
  });
});
