import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VULN_REVIEW_PREDICATE_TYPE } from '../../src/predicates/vuln-review.js';
import { VULNS_PREDICATE_TYPE } from '../../src/predicates/vulns.js';
import { verifiedStatement } from '../support/attestations.js';
import { assertBuilt, VOUCH_BIN } from '../support/built-cli.js';
import { runCli, tempDir } from '../support/cli.js';
import { fixture } from '../support/fixtures.js';
import { itWithVectors, REPO, vector } from '../support/paths.js';

/** A ```sh block of a guide and the exit status it must end with (```sh exit=1 marks a deny). */
interface ShellBlock {
  readonly code: string;
  readonly exit: number;
}

/** The ```sh blocks of a guide, in order. */
function shellBlocks(guide: string): ShellBlock[] {
  const text = readFileSync(join(REPO, 'docs', guide), 'utf8');
  return [...text.matchAll(/^```sh((?: [^\n]*)?)\n([\s\S]*?)^```$/gm)].map((m) => ({
    code: m[2] ?? '',
    exit: Number(/\bexit=(\d+)\b/.exec(m[1] ?? '')?.[1] ?? '0'),
  }));
}

interface GuideRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status of each block that ran. */
  readonly exits: number[];
}

/**
 * Runs a guide's blocks in order in `dir`, each in its own `set -euo pipefail` subshell, with
 * `vouch` on PATH and no CI variables; stops at the first block that does not exit as marked.
 */
function runGuide(guide: string, dir: string): GuideRun {
  const bin = join(dir, '.bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'vouch'), `#!/bin/sh\nexec "${process.execPath}" "${VOUCH_BIN}" "$@"\n`);
  chmodSync(join(bin, 'vouch'), 0o755);
  const exits = join(bin, 'exits');
  const script = shellBlocks(guide)
    .map(
      (block, i) => `( set -euo pipefail
${block.code}
)
status=$?
echo "$status" >> '${exits}'
if [ "$status" -ne ${block.exit} ]; then
  echo "block ${i + 1} exited $status, expected ${block.exit}" >&2
  exit 99
fi`,
    )
    .join('\n');
  const run = spawnSync('bash', ['-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, LANG: 'C.UTF-8' },
    timeout: 120_000,
  });
  const recorded = existsSync(exits) ? readFileSync(exits, 'utf8').trim() : '';
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    exits: recorded === '' ? [] : recorded.split('\n').map(Number),
  };
}

/** A guide ran to its end, every block exiting as marked. */
function expectCompleted(guide: string, run: GuideRun): void {
  expect(run.status, run.stdout + run.stderr).toBe(0);
  expect(run.exits).toEqual(shellBlocks(guide).map((b) => b.exit));
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
    expectCompleted('builder.md', run);
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
    expectCompleted('security-reviewer.md', run);
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

describe('when following docs/policy-author.md', () => {
  it('has copy-paste commands, some marked as denies', () => {
    const blocks = shellBlocks('policy-author.md');
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    expect(blocks.filter((b) => b.exit === 1).length).toBe(3);
  });

  it('runs every sh block: lint, policy tests, allow, deny, VSA, and the gate over it', async () => {
    const dir = tempDir('vouch-doc-author-');
    copyFileSync(fixture('scanners', 'grype.json'), join(dir, 'grype.json'));
    const run = runGuide('policy-author.md', dir);
    expectCompleted('policy-author.md', run);
    expect(run.stdout).toContain(
      'policy.yaml: policy release is valid (2 requirement(s), 0 warning(s))',
    );
    expect(run.stdout).toMatch(/warning: forever\.yaml spec\.requirements\[1\]\.maxAge: /);
    expect(run.stdout).toContain(
      'forever.yaml: policy release is valid (2 requirement(s), 1 warning(s))',
    );
    expect(run.stdout.match(/^PASS {2}/gm)).toHaveLength(5);
    expect(run.stdout).toContain('policy test: 5 passed, 0 failed, 0 errors');
    expect(run.stdout).toContain('ALLOWED: app.tar.gz');
    expect(run.stdout).toContain('decision expires 2026-11-30T10:05:00Z');
    expect(run.stdout).toContain('missing: 2 distinct keys of security must sign; 1 did');
    expect(run.stdout).toContain('  "allowed": true,');
    expect(run.stdout).toMatch(
      /policy deploy-gate, evaluated at 2026-11-24T11:00:00Z\n {2}\[satisfied\]/,
    );
    expect(run.stdout).toMatch(/CONDITION_FALSE sha256:[0-9a-f]{16} \(failed\.vsa\.dsse\.json\)/);

    const verdict = (file: string) =>
      (
        verifiedStatement(join(dir, file), join(dir, 'keys', 'verifier.pub')).predicate as {
          verificationResult: string;
        }
      ).verificationResult;
    expect(verdict('app.vsa.dsse.json')).toBe('PASSED');
    expect(verdict('failed.vsa.dsse.json')).toBe('FAILED');
    // The guide's last claim: with both summaries the gate allows (monotonicity).
    const both = await runCli(
      'verify',
      '--policy',
      join(dir, 'gate.yaml'),
      '--artifact',
      join(dir, 'dist', 'app.tar.gz'),
      '--attestations',
      join(dir, 'app.vsa.dsse.json'),
      join(dir, 'failed.vsa.dsse.json'),
      '--at',
      '2026-11-24T11:00:00Z',
    );
    expect(both.code).toBe(0);
  });
});

describe('when following docs/keyless.md', () => {
  it('has copy-paste commands, some marked as denies', () => {
    const blocks = shellBlocks('keyless.md');
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    expect(blocks.filter((b) => b.exit === 1).length).toBe(3);
  });

  itWithVectors('runs every sh block on real GitHub and npm attestations, offline', () => {
    const dir = tempDir('vouch-doc-keyless-');
    const testdata = (...parts: string[]): string =>
      vector('slsa-verifier', 'cli', 'slsa-verifier', 'testdata', ...parts);
    // What `gh attestation download` and the npm registry give a user.
    copyFileSync(testdata('bcr', 'MODULE.bazel'), join(dir, 'MODULE.bazel'));
    copyFileSync(
      testdata('bcr', 'MODULE.bazel.intoto.jsonl'),
      join(dir, 'MODULE.bazel.sigstore.json'),
    );
    copyFileSync(
      testdata('npm', 'gha', 'gundam-visor-cli-v1-tag.tgz'),
      join(dir, 'gundam-visor-1.0.1.tgz'),
    );
    const npm = JSON.parse(
      readFileSync(testdata('npm', 'gha', 'gundam-visor-cli-v1-tag.tgz.json'), 'utf8'),
    ) as {
      attestations: { predicateType: string; bundle: unknown }[];
    };
    const provenance = npm.attestations.find(
      (a) => a.predicateType === 'https://slsa.dev/provenance/v1',
    );
    writeFileSync(join(dir, 'provenance.sigstore.json'), JSON.stringify(provenance?.bundle));
    const run = runGuide('keyless.md', dir);
    expectCompleted('keyless.md', run);
    expect(run.stdout).toContain(
      'github.yaml: policy bcr-module is valid (1 requirement(s), 0 warning(s))',
    );
    expect(run.stdout).toContain('ALLOWED: MODULE.bazel');
    expect(run.stdout).toMatch(
      /UNTRUSTED_SIGNER .*sourceRepositoryURI is https:\/\/github\.com\/aspect-build\/rules_lint/,
    );
    expect(run.stdout).toMatch(/EXPIRED .*verified log time 2025-03-26T23:47:30Z/);
    expect(run.stdout).toContain('ALLOWED: gundam-visor-1.0.1.tgz');
    expect(run.stdout).toContain('SUBJECT_MISMATCH');
    expect(run.stdout).toMatch(/Fulcio CA +https:\/\/fulcio\.sigstore\.dev/);
  });
});
