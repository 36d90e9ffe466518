import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPublicKey } from '../../src/crypto/keys.js';
import { runCli, tempDir } from '../support/cli.js';

describe('vouch keygen', () => {
  it('writes a 0600 private key and a public key whose keyid it prints', async () => {
    const dir = tempDir();
    const prefix = join(dir, 'builder');
    const result = await runCli('keygen', '--out', prefix);
    expect(result.code).toBe(0);
    const keyid = result.stdout.trim();
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    expect(loadPublicKey(readFileSync(`${prefix}.pub`, 'utf8')).keyid).toBe(keyid);
  });

  it('refuses to overwrite and leaves the existing key untouched', async () => {
    const dir = tempDir();
    const prefix = join(dir, 'k');
    await runCli('keygen', '--out', prefix);
    const before = readFileSync(`${prefix}.key`, 'utf8');
    const again = await runCli('keygen', '--out', prefix);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('FILE_EXISTS');
    expect(readFileSync(`${prefix}.key`, 'utf8')).toBe(before);
    expect(existsSync(`${prefix}.pub`)).toBe(true);
  });
});
