import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPENVEX_CONTEXT } from '../../src/predicates/openvex.js';
import {
  VULN_REVIEW_PREDICATE_TYPE,
  type VulnReviewPredicate,
} from '../../src/predicates/vuln-review.js';
import { makeArtifact, verifiedStatement } from '../support/attestations.js';
import { runCli, runCliWith, tempDir } from '../support/cli.js';
import { fixture } from '../support/fixtures.js';
import { makeKeyFiles } from '../support/signing.js';

let dir: string;
let scanner: string;
let alice: string;
let artifact: string;
let scan: string;

beforeAll(async () => {
  dir = tempDir();
  scanner = makeKeyFiles(dir, 'scanner').prefix;
  alice = makeKeyFiles(dir, 'alice').prefix;
  artifact = makeArtifact(dir);
  scan = join(dir, 'scan.dsse.json');
  const imported = await runCli(
    'scan',
    'import',
    '--format',
    'grype',
    fixture('scanners', 'grype.json'),
    '--subject',
    artifact,
    '--key',
    `${scanner}.key`,
    '--out',
    scan,
  );
  expect(imported.code).toBe(0);
});

const reviewArgs = (out: string, ...more: string[]) => [
  'review',
  '--scan',
  scan,
  '--scan-key',
  `${scanner}.pub`,
  '--reviewer',
  'alice@example.com',
  '--key',
  `${alice}.key`,
  '--out',
  out,
  ...more,
];

function reviewOf(path: string): VulnReviewPredicate {
  const statement = verifiedStatement(path, `${alice}.pub`);
  expect(statement.predicateType).toBe(VULN_REVIEW_PREDICATE_TYPE);
  // about the same subject as the scan
  expect(statement.subject).toEqual(verifiedStatement(scan, `${scanner}.pub`).subject);
  return statement.predicate as unknown as VulnReviewPredicate;
}

function writeVex(name: string, statements: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      '@context': OPENVEX_CONTEXT,
      '@id': `https://example.com/vex/${name}`,
      author: 'Security Team <security@example.com>',
      timestamp: '2026-01-10T10:00:00Z',
      version: 1,
      statements,
    }),
  );
  return path;
}

describe('vouch review without questions', () => {
  it('verifies the scan, shows it, and signs the decision with triage from flags and VEX', async () => {
    const vex = writeVex('app.vex.json', [
      {
        vulnerability: { name: 'CVE-2023-0286' },
        products: [{ '@id': 'pkg:oci/app' }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      },
      // the scan knows this one as GHSA-c2qf-rxjj-qqgw
      { vulnerability: { name: 'CVE-2022-25883' }, status: 'fixed' },
      { vulnerability: { name: 'CVE-1999-0001' }, status: 'fixed' },
    ]);
    const out = join(dir, 'review.dsse.json');
    const result = await runCli(
      ...reviewArgs(
        out,
        '--decision',
        'approved',
        '--vex',
        vex,
        '--note',
        'ok for 1.4.2',
        '--triage',
        'CVE-2022-48174=affected:upgrade busybox to 1.35.0-r31 in 1.4.3',
        '--reviewed-at',
        '2026-11-20T12:00:00+01:00',
      ),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('verified:  signed by');
    expect(result.stderr).toContain(
      'summary:   7 findings: 1 critical, 2 high, 2 medium, 1 low, 1 unknown',
    );
    expect(result.stderr).toContain('critical CVE-2022-48174');
    expect(result.stderr).toContain('ignored, not found by the scan: CVE-1999-0001');
    const review = reviewOf(out);
    expect(review).toEqual({
      reviewer: { id: 'alice@example.com' },
      reviewedAt: '2026-11-20T11:00:00Z',
      decision: 'approved',
      scan: {
        attestation: `sha256:${createHash('sha256').update(readFileSync(scan)).digest('hex')}`,
        scanner: { name: 'grype', uri: 'pkg:github/anchore/grype@0.87.0', version: '0.87.0' },
        database: expect.objectContaining({
          version: 'v6.0.2',
          lastUpdate: '2025-01-30T06:16:08Z',
        }),
        scanFinishedOn: '2025-01-30T13:12:44.716Z',
      },
      summary: { critical: 1, high: 2, medium: 2, low: 1, unknown: 1, total: 7 },
      triage: [
        {
          vulnerability: 'CVE-2022-48174',
          status: 'affected',
          action_statement: 'upgrade busybox to 1.35.0-r31 in 1.4.3',
        },
        {
          vulnerability: 'CVE-2023-0286',
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
        { vulnerability: 'GHSA-c2qf-rxjj-qqgw', status: 'fixed' },
      ],
      note: 'ok for 1.4.2',
    });
  });

  it('lets a --triage flag override the VEX statement about the same vulnerability', async () => {
    const vex = writeVex('fixed.vex.json', [
      { vulnerability: { name: 'CVE-2023-0286' }, status: 'fixed' },
    ]);
    const out = join(dir, 'override.dsse.json');
    const result = await runCli(
      ...reviewArgs(
        out,
        '--decision',
        'rejected',
        '--vex',
        vex,
        '--triage',
        'CVE-2023-0286=under_investigation',
      ),
    );
    expect(result.code).toBe(0);
    expect(reviewOf(out).triage).toEqual([
      { vulnerability: 'CVE-2023-0286', status: 'under_investigation' },
    ]);
    expect(reviewOf(out).decision).toBe('rejected');
  });

  it('warns when approving with untriaged critical or high findings', async () => {
    const result = await runCli(
      ...reviewArgs(join(dir, 'warn.dsse.json'), '--decision', 'approved'),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: approving with 3 untriaged critical or high finding(s)',
    );
  });

  it('rejects bad input with USAGE and writes nothing', async () => {
    const out = join(dir, 'never.dsse.json');
    const cases: string[][] = [
      ['--decision', 'maybe'],
      ['--decision', 'approved', '--triage', 'CVE-1999-0001=fixed'],
      ['--decision', 'approved', '--triage', 'CVE-2023-0286=not_affected'],
      ['--decision', 'approved', '--subject', `sha256:${'0'.repeat(64)}`],
      ['--decision', 'approved', '--reviewed-at', 'today'],
      [],
    ];
    for (const more of cases) {
      const result = await runCli(...reviewArgs(out, ...more));
      expect(result.code, more.join(' ')).toBe(2);
      expect(result.stderr).toContain('USAGE');
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('vouch review of a scan in a Sigstore bundle', () => {
  it('verifies the keyed bundle and can write the review as a bundle too', async () => {
    const bundled = join(dir, 'scan.sigstore.json');
    const imported = await runCli(
      'scan',
      'import',
      '--format',
      'osv',
      fixture('scanners', 'osv-scanner.json'),
      '--subject',
      artifact,
      '--key',
      `${scanner}.key`,
      '--out',
      bundled,
      '--attestation-format',
      'bundle',
    );
    expect(imported.code).toBe(0);
    const out = join(dir, 'review.sigstore.json');
    const result = await runCli(
      'review',
      '--scan',
      bundled,
      '--scan-key',
      `${scanner}.pub`,
      '--reviewer',
      'alice@example.com',
      '--key',
      `${alice}.key`,
      '--out',
      out,
      '--format',
      'bundle',
      '--decision',
      'approved',
      '--triage',
      'CVE-2024-45337=not_affected:component_not_present',
    );
    expect(result.code).toBe(0);
    const review = verifiedStatement(out, `${alice}.pub`)
      .predicate as unknown as VulnReviewPredicate;
    expect(review.scan.scanner.name).toBe('osv-scanner');
    // the alias named the finding osv-scanner lists as GHSA-v778-237x-gjrc
    expect(review.triage).toEqual([
      {
        vulnerability: 'GHSA-v778-237x-gjrc',
        status: 'not_affected',
        justification: 'component_not_present',
      },
    ]);
  });
});

describe('vouch review of a scan it cannot verify', () => {
  const out = () => join(dir, 'refused.dsse.json');

  it('refuses a scan signed by another key: exit 1, nothing written', async () => {
    const result = await runCli(
      'review',
      '--scan',
      scan,
      '--scan-key',
      `${alice}.pub`,
      '--reviewer',
      'alice@example.com',
      '--key',
      `${alice}.key`,
      '--out',
      out(),
      '--decision',
      'approved',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BAD_SIGNATURE');
    expect(result.stderr).not.toContain('summary:');
    expect(existsSync(out())).toBe(false);
  });

  it('refuses a tampered scan whose findings were edited after signing', async () => {
    const envelope = JSON.parse(readFileSync(scan, 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    statement.predicate.scanner.result = [];
    statement.predicate.summary = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 };
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const tampered = join(dir, 'tampered.dsse.json');
    writeFileSync(tampered, JSON.stringify(envelope));
    const result = await runCli(
      'review',
      '--scan',
      tampered,
      '--scan-key',
      `${scanner}.pub`,
      '--reviewer',
      'alice@example.com',
      '--key',
      `${alice}.key`,
      '--out',
      out(),
      '--decision',
      'approved',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BAD_SIGNATURE');
    expect(existsSync(out())).toBe(false);
  });

  it('refuses a verified attestation that is not a vulnerability scan', async () => {
    const predicate = join(dir, 'predicate.json');
    writeFileSync(predicate, '{"buildDefinition":{}}');
    const provenance = join(dir, 'provenance.dsse.json');
    await runCli(
      'attest',
      '--subject',
      artifact,
      '--predicate-type',
      'https://slsa.dev/provenance/v1',
      '--predicate',
      predicate,
      '--key',
      `${scanner}.key`,
      '--out',
      provenance,
    );
    const result = await runCli(
      'review',
      '--scan',
      provenance,
      '--scan-key',
      `${scanner}.pub`,
      '--reviewer',
      'alice@example.com',
      '--key',
      `${alice}.key`,
      '--out',
      out(),
      '--decision',
      'approved',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('WRONG_PREDICATE_TYPE');
    expect(existsSync(out())).toBe(false);
  });
});

describe('vouch review asking questions (answers on standard input)', () => {
  // Vulnerabilities come most severe first: CVE-2022-48174 (critical), CVE-2023-0286 (high),
  // CVE-2023-42363 and GHSA-c2qf-rxjj-qqgw (medium), CVE-2005-2541 (low), CVE-2024-58251.
  const answers = [
    'n',
    '2',
    'x',
    'a',
    '',
    'upgrade openssl to 3.0.8',
    '',
    'f',
    'not_affected',
    'tar only runs at build time',
    'u',
    'approve',
    'reviewed in the weekly triage',
  ];

  it('walks every vulnerability, asks a status and details, then the decision and a note', async () => {
    const out = join(dir, 'interactive.dsse.json');
    const result = await runCliWith(
      { stdin: `${answers.join('\n')}\n` },
      ...reviewArgs(out, '--interactive'),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('[1/6] CVE-2022-48174  critical  in busybox 1.35.0-r29');
    expect(result.stderr).toContain(
      '[2/6] CVE-2023-0286  high  in libcrypto3 3.0.7-r2, libssl3 3.0.7-r2',
    );
    expect(result.stderr).toContain('please answer n, a, f, u, s');
    expect(result.stdout).toBe('');
    const review = reviewOf(out);
    expect(review.decision).toBe('approved');
    expect(review.note).toBe('reviewed in the weekly triage');
    expect(review.triage).toEqual([
      {
        vulnerability: 'CVE-2005-2541',
        status: 'not_affected',
        impact_statement: 'tar only runs at build time',
      },
      {
        vulnerability: 'CVE-2022-48174',
        status: 'not_affected',
        justification: 'vulnerable_code_not_present',
      },
      {
        vulnerability: 'CVE-2023-0286',
        status: 'affected',
        action_statement: 'upgrade openssl to 3.0.8',
      },
      { vulnerability: 'CVE-2024-58251', status: 'under_investigation' },
      { vulnerability: 'GHSA-c2qf-rxjj-qqgw', status: 'fixed' },
    ]);
  });

  it('does not ask again about what --triage settled, and keeps the --note given', async () => {
    const out = join(dir, 'partial.dsse.json');
    const result = await runCliWith(
      { stdin: 's\ns\ns\ns\ns\nr\n' },
      ...reviewArgs(
        out,
        '--interactive',
        '--triage',
        'CVE-2022-48174=fixed',
        '--note',
        'too many open',
      ),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('already triaged: fixed');
    const review = reviewOf(out);
    expect(review.decision).toBe('rejected');
    expect(review.note).toBe('too many open');
    expect(review.triage).toEqual([{ vulnerability: 'CVE-2022-48174', status: 'fixed' }]);
  });

  it('writes nothing when the reviewer quits or the input ends early', async () => {
    const out = join(dir, 'quit.dsse.json');
    for (const stdin of ['s\ns\ns\ns\ns\ns\nq\n', 'n\n']) {
      const result = await runCliWith({ stdin }, ...reviewArgs(out, '--interactive'));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/nothing written/);
      expect(existsSync(out)).toBe(false);
    }
  });
});
