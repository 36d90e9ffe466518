import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VOUCH_VERSION } from '../src/version.js';
import { runCli } from './support/cli.js';
import { REPO } from './support/paths.js';

describe('VOUCH_VERSION', () => {
  it('is the version package.json states', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(VOUCH_VERSION).toBe(pkg.version);
  });
});

describe('vouch --version', () => {
  it('prints the version package.json states, and nothing else', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      expect(await runCli(flag)).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });
});
