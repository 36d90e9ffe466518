import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.js';
import { REPO } from '../support/paths.js';

// The installed entry point, spawned as users run it. It runs the compiled dist/, so a
// missing build is a failure with instructions, never a silent skip.
const BUILT = join(REPO, 'dist', 'bin', 'vouch.cjs');

const MISSING_BUILD = `${BUILT} is missing: run \`npm run build\` first`;

function vouch(args: string[], input?: string) {
  if (!existsSync(BUILT)) throw new Error(MISSING_BUILD);
  const result = spawnSync(process.execPath, [join(REPO, 'bin', 'vouch.js'), ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
    env: { ...process.env, VOUCH_TEST_BIN_PASS: 'bin pass' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bin/vouch.js (spawned)', () => {
  it('has a build to run', () => {
    expect(existsSync(BUILT), MISSING_BUILD).toBe(true);
  });

  it('keygen, digest, attest --predicate -, verify-envelope: exit codes 0, 1 and 2', () => {
    const dir = tempDir();
    const artifact = join(dir, 'app.bin');
    writeFileSync(artifact, 'spawned artifact');
    const prefix = join(dir, 'k');
    const keygen = vouch(['keygen', '--out', prefix, '--passphrase-env', 'VOUCH_TEST_BIN_PASS']);
    expect(keygen.code).toBe(0);
    const other = vouch(['keygen', '--out', join(dir, 'other'), '--alg', 'ed25519']);
    expect(other.code).toBe(0);

    const digest = vouch(['digest', artifact]);
    const sha = createHash('sha256').update('spawned artifact').digest('hex');
    expect(digest).toEqual({ code: 0, stdout: `sha256:${sha}\n`, stderr: '' });

    const out = join(dir, 'att.dsse.json');
    const attest = vouch(
      [
        'attest',
        '--key',
        `${prefix}.key`,
        '--passphrase-env',
        'VOUCH_TEST_BIN_PASS',
        '--subject',
        artifact,
        '--predicate-type',
        'https://example.com/p/v1',
        '--predicate',
        '-',
        '--out',
        out,
      ],
      '{"from":"stdin"}',
    );
    expect(attest.code).toBe(0);
    const payload = JSON.parse(
      Buffer.from(JSON.parse(readFileSync(out, 'utf8')).payload, 'base64').toString(),
    );
    expect(payload.predicate).toEqual({ from: 'stdin' });
    expect(payload.subject).toEqual([{ name: 'app.bin', digest: { sha256: sha } }]);

    expect(vouch(['verify-envelope', '--key', `${prefix}.pub`, out]).code).toBe(0);
    const wrong = vouch(['verify-envelope', '--key', join(dir, 'other.pub'), out]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('BAD_SIGNATURE');
    const usage = vouch(['verify-envelope', out]);
    expect(usage.code).toBe(2);
    expect(vouch(['no-such-command']).code).toBe(2);
    expect(vouch(['--help']).code).toBe(0);
  });

  it('answers --version alone without the CLI, as the CLI itself answers it', () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    for (const args of [['--version'], ['-V'], ['--debug', '--version']]) {
      expect(vouch(args)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('loads the bundle with a code cache that V8 accepts (else every start compiles it)', () => {
    const loader = pathToFileURL(join(REPO, 'bin', 'cli-loader.js')).href;
    const { NODE_OPTIONS: _, ...env } = process.env;
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { loadCli } = await import(${JSON.stringify(loader)}); const { script } = loadCli(); console.log(script.cachedDataRejected);`,
      ],
      { encoding: 'utf8', env },
    );
    expect(probe.stderr).toBe('');
    expect(probe.stdout).toBe('false\n');
  });
});
