import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VULNS_PREDICATE_TYPE, type VulnsPredicate } from '../../src/predicates/vulns.js';
import { makeArtifact, verifiedStatement } from '../support/attestations.js';
import { runCli, tempDir } from '../support/cli.js';
import { fixture } from '../support/fixtures.js';
import { makeKeyFiles } from '../support/signing.js';

let dir: string;
let key: string;
let artifact: string;

beforeAll(async () => {
  dir = tempDir();
  key = makeKeyFiles(dir, 'scanner').prefix;
  artifact = makeArtifact(dir);
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('vouch scan import', () => {
  const reports = [
    { format: 'grype', file: 'grype.json', total: 7, critical: 1, scanner: 'grype 0.87.0' },
    { format: 'trivy', file: 'trivy.json', total: 8, critical: 1, scanner: 'trivy 0.58.1' },
    { format: 'osv', file: 'osv-scanner.json', total: 7, critical: 1, scanner: 'osv-scanner' },
  ];
  for (const r of reports) {
    it(`when given a ${r.format} report, signs a vulns v0.2 attestation about the subject`, async () => {
      const out = join(dir, `${r.format}.dsse.json`);
      const result = await runCli(
        'scan',
        'import',
        '--format',
        r.format,
        fixture('scanners', r.file),
        '--subject',
        artifact,
        '--key',
        `${key}.key`,
        '--out',
        out,
      );
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`${r.scanner}`);
      expect(result.stderr).toContain(`${r.total} findings`);
      const statement = verifiedStatement(out, `${key}.pub`);
      expect(statement.predicateType).toBe(VULNS_PREDICATE_TYPE);
      expect(statement.subject).toEqual([
        { name: 'app.tar.gz', digest: { sha256: sha256(artifact) } },
      ]);
      const predicate = statement.predicate as unknown as VulnsPredicate;
      expect(predicate.summary.total).toBe(r.total);
      expect(predicate.summary.critical).toBe(r.critical);
      expect(predicate.scanner.result).toHaveLength(r.total);
    });
  }

  it('when the report records no time, uses the flags (or now) for the scan times', async () => {
    const before = Date.now();
    const out = join(dir, 'osv-now.dsse.json');
    const result = await runCli(
      'scan',
      'import',
      '--format',
      'osv',
      fixture('scanners', 'osv-scanner.json'),
      '--subject',
      `app@sha256:${'a'.repeat(64)}`,
      '--key',
      `${key}.key`,
      '--out',
      out,
      '--scanner-version',
      'v2.0.2',
    );
    expect(result.code).toBe(0);
    const p = verifiedStatement(out, `${key}.pub`).predicate as unknown as VulnsPredicate;
    expect(p.scanner.uri).toBe('pkg:github/google/osv-scanner@2.0.2');
    expect(p.scanner.version).toBe('2.0.2');
    const finished = Date.parse(p.metadata.scanFinishedOn);
    expect(finished).toBeGreaterThanOrEqual(before - 1000);
    expect(finished).toBeLessThanOrEqual(Date.now() + 1000);
    expect(p.metadata.scanStartedOn).toBe(p.metadata.scanFinishedOn);

    const timed = join(dir, 'osv-timed.dsse.json');
    await runCli(
      'scan',
      'import',
      '--format',
      'osv',
      fixture('scanners', 'osv-scanner.json'),
      '--subject',
      artifact,
      '--key',
      `${key}.key`,
      '--out',
      timed,
      '--started-on',
      '2026-01-01T09:58:00+01:00',
      '--finished-on',
      '2026-01-01T09:00:00Z',
    );
    expect(
      (verifiedStatement(timed, `${key}.pub`).predicate as unknown as VulnsPredicate).metadata,
    ).toEqual({
      scanStartedOn: '2026-01-01T08:58:00Z',
      scanFinishedOn: '2026-01-01T09:00:00Z',
    });
  });

  it('writes a Sigstore bundle with --attestation-format bundle', async () => {
    const out = join(dir, 'trivy.sigstore.json');
    const result = await runCli(
      'scan',
      'import',
      '--format',
      'trivy',
      fixture('scanners', 'trivy.json'),
      '--subject',
      artifact,
      '--key',
      `${key}.key`,
      '--out',
      out,
      '--attestation-format',
      'bundle',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).mediaType).toMatch(/bundle/);
    expect(verifiedStatement(out, `${key}.pub`).predicateType).toBe(VULNS_PREDICATE_TYPE);
  });

  it('rejects an unknown format with SCAN_FORMAT_UNSUPPORTED and writes nothing', async () => {
    const out = join(dir, 'none.dsse.json');
    const result = await runCli(
      'scan',
      'import',
      '--format',
      'snyk',
      fixture('scanners', 'grype.json'),
      '--subject',
      artifact,
      '--key',
      `${key}.key`,
      '--out',
      out,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SCAN_FORMAT_UNSUPPORTED');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a malformed or mismatched report with SCAN_REPORT_INVALID and writes nothing', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'x', Vulnerabilities: [{}] }] }),
    );
    const out = join(dir, 'none.dsse.json');
    for (const [format, report, at] of [
      ['trivy', bad, '$'],
      // Another scanner's report: the flag to change is named.
      ['grype', fixture('scanners', 'trivy.json'), '--format'],
    ] as const) {
      const result = await runCli(
        'scan',
        'import',
        '--format',
        format,
        report,
        '--subject',
        artifact,
        '--key',
        `${key}.key`,
        '--out',
        out,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(`SCAN_REPORT_INVALID at ${at}`);
      expect(existsSync(out)).toBe(false);
    }
  });
});
