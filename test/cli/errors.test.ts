import { describe, expect, it } from 'vitest';
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
    expect(line).toContain("unknown command 'verify\\x0a\\x1b[2Jvouch: ok'");
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
