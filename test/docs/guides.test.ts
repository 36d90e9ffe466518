import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VULN_REVIEW_PREDICATE_TYPE } from '../../src/predicates/vuln-review.js';
import { VULNS_PREDICATE_TYPE } from '../../src/predicates/vulns.js';
import { verifiedStatement } from '../support/attestations.js';
import { assertBuilt, VOUCH_BIN } from '../support/built-cli.js';
import { tempDir } from '../support/cli.js';
import { fixture } from '../support/fixtures.js';
import { REPO } from '../support/paths.js';

/** The ```sh blocks of a guide, in order. */
function shellBlocks(guide: string): string[] {
  const text = readFileSync(join(REPO, 'docs', guide), 'utf8');
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

/** Runs a guide's blocks as one bash script in `dir`, with `vouch` on PATH and no CI variables. */
function runGuide(guide: string, dir: string) {
  const bin = join(dir, '.bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'vouch'), `#!/bin/sh\nexec "${process.execPath}" "${VOUCH_BIN}" "$@"\n`);
  chmodSync(join(bin, 'vouch'), 0o755);
  const script = `set -euo pipefail\n${shellBlocks(guide).join('\n')}`;
  return spawnSync('bash', ['-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, LANG: 'C.UTF-8' },
    timeout: 120_000,
  });
}

beforeAll(() => {
  assertBuilt();
});

describe('when following docs/builder.md', () => {
  it('has copy-paste commands to run', () => {
    expect(shellBlocks('builder.md').length).toBeGreaterThanOrEqual(5);
  });

  it('runs every sh block and produces provenance that verifies', () => {
    const dir = tempDir('vouch-doc-builder-');
    const run = runGuide('builder.md', dir);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('refused: no CI detected');
    expect(run.stdout).toMatch(/app\.provenance\.dsse\.json: verified/);
    for (const file of ['app.provenance.dsse.json', 'local.provenance.dsse.json']) {
      const statement = verifiedStatement(join(dir, file), join(dir, 'builder.pub'));
      expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
      expect(statement.subject[0]?.name).toBe('app.tar.gz');
    }
  });
});

describe('when following docs/security-reviewer.md', () => {
  it('has copy-paste commands to run', () => {
    expect(shellBlocks('security-reviewer.md').length).toBeGreaterThanOrEqual(8);
  });

  it('runs every sh block: scans imported, reviews signed, the bogus review refused', () => {
    const dir = tempDir('vouch-doc-reviewer-');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'app.tar.gz'), 'release 1.4.2\n');
    for (const report of ['grype.json', 'trivy.json', 'osv-scanner.json']) {
      copyFileSync(fixture('scanners', report), join(dir, report));
    }
    const run = runGuide('security-reviewer.md', dir);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('refused: this is a trivy report');
    expect(run.stdout).toContain('refused: scan.dsse.json is not signed by alice.pub (exit 1)');
    expect(run.stderr).toContain('7 findings: 1 critical, 2 high, 2 medium, 1 low, 1 unknown');
    expect(
      verifiedStatement(join(dir, 'scan.dsse.json'), join(dir, 'scanner.pub')).predicateType,
    ).toBe(VULNS_PREDICATE_TYPE);
    const decisions = ['review.dsse.json', 'review-vex.dsse.json', 'review-rejected.dsse.json'].map(
      (file) => {
        const statement = verifiedStatement(join(dir, file), join(dir, 'alice.pub'));
        expect(statement.predicateType).toBe(VULN_REVIEW_PREDICATE_TYPE);
        return (statement.predicate as { decision: string }).decision;
      },
    );
    expect(decisions).toEqual(['approved', 'approved', 'rejected']);
  });
});
