import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VOUCH_BIN } from '../support/built-cli.js';
import { expectOneLineError, spawnVouch } from '../support/spawned-cli.js';

// DESIGN.md section 4: every error, the argument parser's included, is ONE line on stderr,
// `vouch: error CODE: message (hint)`, exit 2; no help dump. Through the real process.
describe('when the argument parser rejects the command line', () => {
  it.each([
    [[], 'vouch needs a command', 'see `vouch --help`'],
    [['policy'], 'vouch policy needs a command', 'see `vouch policy --help`'],
    [['verfy'], "unknown command 'verfy'", 'did you mean verify?'],
    [['policy', 'tset'], "unknown command 'tset'", 'did you mean test?'],
    [['help', 'nope'], "unknown command 'nope'", 'see `vouch --help`'],
    [['--nope'], "unknown option '--nope'", 'see `vouch --help`'],
    [['verify'], "required option '--policy <file>' not specified", 'see `vouch verify --help`'],
    [['verify', '--polcy', 'p.yaml'], "unknown option '--polcy'", 'did you mean --policy?'],
    [
      ['verify', '--policy', 'p', '--artifact', 'a', '--attestations', 'x', '--atx', 'now'],
      "unknown option '--atx'",
      'did you mean --at?',
    ],
    [['digest'], "missing required argument 'file'", 'see `vouch digest --help`'],
    [
      ['digest', 'a', 'b'],
      "too many arguments for 'digest'. Expected 1 argument but got 2",
      'see `vouch digest --help`',
    ],
    [['keygen', '--out'], "option '--out <prefix>' argument missing", 'see `vouch keygen --help`'],
    [
      ['keygen', '--out', 'k', '--alg', 'rsa'],
      "option '--alg <alg>' argument 'rsa' is invalid. Allowed choices are ecdsa-p256, ed25519, rsa-3072",
      'see `vouch keygen --help`',
    ],
    [
      ['policy', 'test', '--verbose', 'dir'],
      "unknown option '--verbose'",
      'see `vouch policy test --help`',
    ],
  ])('vouch %j: one line, exit 2', (args, message, hint) => {
    const result = spawnVouch(args);
    expect(expectOneLineError(result)).toBe(`vouch: error USAGE: ${message} (${hint})`);
    expect(result.stdout).toBe('');
  });

  it('with --output json it also prints the error as JSON on stdout', () => {
    const result = spawnVouch(['verify', '--output', 'json', '--artifact', 'a']);
    expectOneLineError(result);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'USAGE',
        message: "required option '--policy <file>' not specified",
        hint: 'see `vouch verify --help`',
        at: null,
      },
    });
  });

  it('a bad --output value is itself an error, not JSON', () => {
    const result = spawnVouch(['verify', '--output', 'yaml']);
    expectOneLineError(result);
    expect(result.stdout).toBe('');
  });

  it('--help and help COMMAND print help on stdout and exit 0', () => {
    for (const args of [['--help'], ['help', 'verify'], ['verify', '--help']]) {
      const result = spawnVouch(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: vouch/);
      expect(result.stderr).toBe('');
    }
  });

  it('argv text is escaped: a newline or escape sequence cannot forge a second line', () => {
    const result = spawnVouch(['verify\n\u001b[2Jvouch: ok', '--x\u202e']);
    const line = expectOneLineError(result);
    expect(line).toContain("unknown command 'verify\\n\\e[2Jvouch: ok'");
    expect([...line].filter((c) => c < ' ' || c === '\u202e')).toEqual([]);
  });
});

describe('when a command fails after parsing', () => {
  it('an unreadable file is one IO_ERROR line naming the flag, and JSON with --output json', () => {
    const result = spawnVouch([
      'verify',
      '--policy',
      '/nonexistent/policy.yaml',
      '--artifact',
      `sha256:${'a'.repeat(64)}`,
      '--attestations',
      '/nonexistent',
      '--output',
      'json',
    ]);
    const line = expectOneLineError(result, 'IO_ERROR');
    expect(line).toBe(
      'vouch: error IO_ERROR at --policy: cannot read policy /nonexistent/policy.yaml',
    );
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'IO_ERROR', at: '--policy' });
  });
});

describe('when a script or an adversary feeds odd command lines', () => {
  it('an option given twice is a USAGE error, never a silent last-one-wins', () => {
    const twice = spawnVouch(['keygen', '--out', 'a', '--out', 'b']);
    expect(expectOneLineError(twice)).toContain('--out is given more than once');
    const threshold = spawnVouch([
      'verify-envelope',
      '--key',
      'a.pub',
      '--threshold',
      '1',
      '--threshold=2',
      'x.json',
    ]);
    expect(expectOneLineError(threshold)).toBe(
      'vouch: error USAGE: --threshold is given more than once (give it once: vouch does not pick one of several values)',
    );
  });

  it('-- ends the options: a file named like an option is an argument', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-argv-'));
    try {
      writeFileSync(join(dir, '-art'), 'dash');
      const result = spawnVouch(['digest', '--', '-art'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`sha256:${createHash('sha256').update('dash').digest('hex')}\n`);
      expect(expectOneLineError(spawnVouch(['digest', '-art'], { cwd: dir }))).toContain(
        "unknown option '-art'",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a huge argument makes a bounded error line', () => {
    // Linux caps one argument at 128 KiB.
    const result = spawnVouch([`x${'y'.repeat(100_000)}`]);
    const line = expectOneLineError(result);
    expect(line.length).toBeLessThan(1200);
    expect(line).toMatch(/… \(\d+ more characters\) \(see `vouch --help`\)$/);
  });

  it('a reader that closes the pipe early ends the output quietly, with the exit code kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-epipe-'));
    try {
      // About a megabyte of JSON: far more than a pipe holds once `head` has gone.
      const envelope = JSON.stringify({ payloadType: 'x', payload: 'e30=', signatures: [] });
      const file = join(dir, 'many.intoto.jsonl');
      writeFileSync(file, `${envelope}\n`.repeat(4000));
      const run = spawnSync(
        'bash',
        [
          '-c',
          '"$1" "$2" inspect --output json "$3" | head -c 1 >/dev/null; echo "$PIPESTATUS"',
          'sh',
          process.execPath,
          VOUCH_BIN,
          file,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe('0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a full disk on standard output is IO_ERROR, exit 2, not a silent success', () => {
    const run = spawnSync(
      'bash',
      ['-c', '"$1" "$2" --help > /dev/full; echo "rc=$?"', 'sh', process.execPath, VOUCH_BIN],
      { encoding: 'utf8' },
    );
    expect(run.stdout.trim()).toBe('rc=2');
    expect(run.stderr).toMatch(/^vouch: error IO_ERROR: cannot write standard output: ENOSPC/);
  });

  it('a file name that is not UTF-8 is reported as skipped, not an internal error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-names-'));
    try {
      const envelope = JSON.stringify({ payloadType: 'x', payload: 'e30=', signatures: [] });
      const name = Buffer.concat([
        Buffer.from(join(dir, 'bad')),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('.json'),
      ]);
      writeFileSync(name, envelope);
      const result = spawnVouch(['inspect', '--output', 'json', dir]);
      expect(result.stderr).toContain('the name is not valid UTF-8');
      expect(result.stderr).not.toContain('INTERNAL');
      // Not read is not inspected: the command says so by its exit code.
      expect(result.code).toBe(2);
      const out = JSON.parse(result.stdout);
      expect(out.documents).toEqual([]);
      expect(out.skipped).toEqual([
        {
          source: join(dir, 'bad\ufffd\ufffd.json'),
          reason: 'cannot read: the name is not valid UTF-8',
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
