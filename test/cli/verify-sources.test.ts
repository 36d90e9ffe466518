import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/policy/decision.js';
import { assertBuilt, VOUCH_BIN } from '../support/built-cli.js';
import { runCliWith, tempDir } from '../support/cli.js';
import { EVALUATED_AT, type PolicyDir, writePolicyDir } from '../support/policy-dir.js';

let p: PolicyDir;
let hostile: string;
beforeAll(() => {
  assertBuilt();
  p = writePolicyDir();
  // The genuine attestations plus every junk entry of issue 8 item 4.
  hostile = join(tempDir('vouch-hostile-'), 'attestations');
  cpSync(join(p.dir, 'attestations'), hostile, { recursive: true });
  rmSync(join(hostile, 'expired.dsse.json'));
  execFileSync('mkfifo', [join(hostile, 'x.dsse.json')]);
  symlinkSync('/dev/zero', join(hostile, 'zero.dsse.json'));
  symlinkSync(join(hostile, 'gone.json'), join(hostile, 'dangling.dsse.json'));
  symlinkSync(join(hostile, 'loop-b.json'), join(hostile, 'loop-a.json'));
  symlinkSync(join(hostile, 'loop-a.json'), join(hostile, 'loop-b.json'));
  symlinkSync(hostile, join(hostile, 'reviews', 'cycle'));
});
afterAll(() => {
  rmSync(p.dir, { recursive: true, force: true });
  rmSync(join(hostile, '..'), { recursive: true, force: true });
});

/** The built CLI as a process, killed after a deadline (a blocked read must fail the test). */
function vouch(...args: string[]) {
  return spawnSync(process.execPath, [VOUCH_BIN, ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe('vouch verify over a directory with junk entries', () => {
  const args = () => [
    'verify',
    '--policy',
    p.policy,
    '--artifact',
    p.artifact,
    '--attestations',
    hostile,
    '--at',
    EVALUATED_AT,
  ];

  it('allows on the genuine attestations and names every skipped entry in the text output', () => {
    const run = vouch(...args());
    expect(run.signal, 'killed: a read blocked or ran unbounded').toBeNull();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ALLOWED: /);
    expect(run.stdout).toContain('skipped 7 entries (not read):');
    for (const line of [
      `${join(hostile, 'dangling.dsse.json')}: cannot read: no such file (a dangling link?)`,
      `${join(hostile, 'loop-a.json')}: cannot read: too many levels of symbolic links`,
      `${join(hostile, 'reviews', 'cycle')}: directory already searched`,
      `${join(hostile, 'reviews', 'notes.txt')}: not an attestation file name`,
      `${join(hostile, 'x.dsse.json')}: not a regular file (FIFO)`,
      `${join(hostile, 'zero.dsse.json')}: not a regular file (character device)`,
    ]) {
      expect(run.stdout).toContain(line);
    }
  });

  it('lists the skipped entries in the decision JSON', () => {
    const run = vouch(...args(), '--output', 'json');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    const decision = JSON.parse(run.stdout) as Decision;
    expect(decision.allowed).toBe(true);
    expect(decision.skipped?.map((s) => s.source).sort()).toEqual(
      [
        'dangling.dsse.json',
        'loop-a.json',
        'loop-b.json',
        'reviews/cycle',
        'reviews/notes.txt',
        'x.dsse.json',
        'zero.dsse.json',
      ].map((f) => join(hostile, f)),
    );
  });

  it('has no skipped field when nothing was skipped', async () => {
    const run = vouch(...args().map((a) => (a === hostile ? p.provenance : a)), '--output', 'json');
    expect(Object.hasOwn(JSON.parse(run.stdout) as object, 'skipped')).toBe(false);
  });
});

describe('vouch verify --attestations -', () => {
  it('reads standard input (JSON Lines) alongside other paths', async () => {
    const reviews = ['alice.dsse.json', 'bob.sigstore.json']
      .map((f) => readFileSync(join(p.reviews, f), 'utf8').trim())
      .join('\n');
    const result = await runCliWith(
      { stdin: `${reviews}\n` },
      'verify',
      '--policy',
      p.policy,
      '--artifact',
      p.artifact,
      '--attestations',
      p.provenance,
      '-',
      '--at',
      EVALUATED_AT,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(standard input)#L1');
    expect(result.stdout).toContain('(standard input)#L2');
  });

  it('refuses standard input over the limit with TOO_LARGE, not by buffering it all', async () => {
    const result = await runCliWith(
      { stdin: 'x'.repeat(64 * 1024 * 1024 + 1) },
      'verify',
      '--policy',
      p.policy,
      '--artifact',
      p.artifact,
      '--attestations',
      '-',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vouch: error TOO_LARGE: standard input is over the/);
  });
});
