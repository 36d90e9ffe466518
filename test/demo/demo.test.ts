import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoResult, runDemo } from '../../src/demo/run.js';
import { verifiedStatement } from '../support/attestations.js';
import { assertBuilt } from '../support/built-cli.js';
import { REPO } from '../support/paths.js';

/** Every step of the demo and what it must show (allow/deny, and why for a deny). */
const EXPECTED: Record<string, { outcome: string; because?: string[] }> = {
  build: { outcome: 'ok' },
  keys: { outcome: 'ok' },
  provenance: { outcome: 'ok' },
  scan: { outcome: 'ok' },
  'review-alice': { outcome: 'ok' },
  'review-bob': { outcome: 'ok' },
  policy: { outcome: 'ok' },
  'verify-allowed': { outcome: 'allowed' },
  'vsa-passed': { outcome: 'allowed' },
  'gate-passed': { outcome: 'allowed' },
  'review-deleted': { outcome: 'denied', because: ['vuln-review BELOW_THRESHOLD'] },
  'review-expired': { outcome: 'denied', because: ['vuln-review EXPIRED'] },
  'provenance-other-repo': { outcome: 'denied', because: ['provenance CONDITION_FALSE'] },
  'other-artifact': {
    outcome: 'denied',
    because: ['provenance SUBJECT_MISMATCH', 'vuln-review SUBJECT_MISMATCH'],
  },
  'vsa-failed': { outcome: 'denied', because: ['vuln-review BELOW_THRESHOLD'] },
  'gate-failed': { outcome: 'denied', because: ['release-verified CONDITION_FALSE'] },
};

let result: DemoResult;
let printed = '';

beforeAll(async () => {
  // The machine running the demo may itself be a CI runner: its variables must not leak in.
  vi.stubEnv('GITHUB_ACTIONS', 'true');
  vi.stubEnv('GITHUB_REPOSITORY', 'someone/else');
  vi.stubEnv('GITHUB_SERVER_URL', 'https://github.example');
  try {
    result = await runDemo({
      io: {
        out: (text) => {
          printed += text;
        },
      },
      keep: true,
    });
  } finally {
    vi.unstubAllEnvs();
  }
});

afterAll(() => {
  rmSync(result.dir, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('runs every step, in order, each with the outcome it exists to show', () => {
    expect(result.steps.map((s) => s.name)).toEqual(Object.keys(EXPECTED));
    for (const step of result.steps) {
      const want = EXPECTED[step.name];
      expect(step.actual, `${step.name}: ${printed}`).toBe(want?.outcome);
      expect(step.expected).toBe(want?.outcome);
      expect(step.ok, step.name).toBe(true);
    }
    expect(result.ok).toBe(true);
  });

  it('denies each fail-closed case for the reason it is about, and nothing else fails', () => {
    for (const step of result.steps.filter((s) => s.actual === 'denied')) {
      const because = EXPECTED[step.name]?.because ?? [];
      expect(because.length).toBeGreaterThan(0);
      for (const reason of because) expect(step.reasons, step.name).toContain(reason);
      const failed = new Set(step.reasons.map((r) => r.split(' ')[0]));
      expect([...failed].sort()).toEqual([...new Set(because.map((r) => r.split(' ')[0]))].sort());
    }
  });

  it('prints for a newcomer: a heading, the vouch command and the outcome of each step', () => {
    for (const [i, step] of result.steps.entries()) {
      expect(printed).toContain(`--- ${i + 1}. ${step.title} ---`);
    }
    expect(printed).toContain('$ vouch verify --policy policy.yaml --artifact dist/app-1.4.2.tgz');
    expect(printed).toContain('[NOT satisfied] vuln-review');
    expect(printed).toMatch(/BELOW_THRESHOLD sha256:[0-9a-f]{16} \(cases\/review-deleted\//);
    expect(printed).toMatch(/EXPIRED sha256:[0-9a-f]{16} \(attestations\/alice\.review/);
    expect(printed).toContain('=> denied (provenance CONDITION_FALSE), as expected');
    expect(printed).toContain('verification summary: FAILED');
    expect(printed).toContain(`All ${result.steps.length} steps went as expected.`);
    // Paths are shown relative to the demo directory, which is named only to cd into it.
    expect(printed.split(result.dir).length - 1).toBe(2);
  });

  it('used the injected GitHub values, not the environment it ran in', () => {
    const statement = verifiedStatement(
      join(result.dir, 'attestations', 'provenance.dsse.json'),
      join(result.dir, 'keys', 'builder.pub'),
    );
    const predicate = statement.predicate as {
      buildDefinition: { externalParameters: { workflow: { repository: string } } };
    };
    expect(predicate.buildDefinition.externalParameters.workflow.repository).toBe(
      'https://github.com/acme/app',
    );
  });

  it('left signed VSAs that say PASSED and FAILED (with --keep)', () => {
    const verdict = (file: string) =>
      (
        verifiedStatement(join(result.dir, 'vsa', file), join(result.dir, 'keys', 'verifier.pub'))
          .predicate as { verificationResult: string }
      ).verificationResult;
    expect(verdict('release.vsa.dsse.json')).toBe('PASSED');
    expect(verdict('review-deleted.vsa.dsse.json')).toBe('FAILED');
  });

  it('removes its directory without --keep', async () => {
    const again = await runDemo({ io: { out: () => undefined } });
    expect(again.ok).toBe(true);
    expect(existsSync(again.dir)).toBe(false);
  });

  it('runs as `node dist/demo/index.js` (what npm run demo runs) and exits 0', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.demo).toBe('npm run build && node dist/demo/index.js');
    assertBuilt();
    const run = spawnSync(process.execPath, [join(REPO, 'dist/demo/index.js')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      timeout: 60_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/All \d+ steps went as expected\.\n$/);
    const bad = spawnSync(process.execPath, [join(REPO, 'dist/demo/index.js'), '--nope'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: npm run demo');
  });
});
