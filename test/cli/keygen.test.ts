import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey, loadPublicKey } from '../../src/crypto/keys.js';
import { runCli, tempDir } from '../support/cli.js';

const spkiSha256 = (pem: string): string =>
  createHash('sha256')
    .update(createPublicKey(pem).export({ format: 'der', type: 'spki' }))
    .digest('hex');

describe('vouch keygen', () => {
  it('writes a 0600 private key and a public key whose keyid it prints', async () => {
    const dir = tempDir();
    const prefix = join(dir, 'builder');
    const result = await runCli('keygen', '--out', prefix);
    expect(result.code).toBe(0);
    const keyid = result.stdout.trim();
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    expect(loadPublicKey(readFileSync(`${prefix}.pub`, 'utf8')).keyid).toBe(keyid);
    expect(loadPublicKey(readFileSync(`${prefix}.pub`, 'utf8')).scheme).toBe('ecdsa-p256-sha256');
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

  describe.each([
    ['ed25519', 'ed25519'],
    ['rsa-3072', 'rsa-sha256'],
  ] as const)('when --alg %s and --passphrase-env are given', (alg, scheme) => {
    it('writes an encrypted PKCS#8 key that loads only with the passphrase', async () => {
      const dir = tempDir();
      const prefix = join(dir, alg);
      process.env.VOUCH_TEST_KEYGEN_PASS = 'open sesame';
      let result: Awaited<ReturnType<typeof runCli>>;
      try {
        result = await runCli(
          'keygen',
          '--out',
          prefix,
          '--alg',
          alg,
          '--passphrase-env',
          'VOUCH_TEST_KEYGEN_PASS',
        );
      } finally {
        delete process.env.VOUCH_TEST_KEYGEN_PASS;
      }
      expect(result.code).toBe(0);
      const pem = readFileSync(`${prefix}.key`, 'utf8');
      expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
      expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
      expect(() => loadPrivateKey(pem)).toThrowWithCode('KEY_PASSPHRASE');
      const key = loadPrivateKey(pem, 'open sesame');
      expect(key.scheme).toBe(scheme);
      const pub = readFileSync(`${prefix}.pub`, 'utf8');
      expect(result.stdout).toBe(`${spkiSha256(pub)}\n`);
      expect(key.publicKey.keyid).toBe(spkiSha256(pub));
    });
  });

  describe('when the arguments are wrong (exit 2, nothing written)', () => {
    it.each([
      ['an unset passphrase variable', ['--passphrase-env', 'VOUCH_TEST_UNSET_VARIABLE'], 'USAGE'],
      ['an unknown algorithm', ['--alg', 'dsa'], null],
    ])('%s', async (_what, flags, code) => {
      const dir = tempDir();
      const prefix = join(dir, 'k');
      const result = await runCli('keygen', '--out', prefix, ...flags);
      expect(result.code).toBe(2);
      if (code !== null) expect(result.stderr).toContain(`vouch: error ${code}`);
      expect(existsSync(`${prefix}.key`)).toBe(false);
      expect(existsSync(`${prefix}.pub`)).toBe(false);
    });
  });
});
