import { execFileSync, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileBounded } from '../../src/sources/bounded-read.js';
import { readPolicyFile } from '../../src/sources/policy-file.js';
import { runCli, tempDir } from '../support/cli.js';

const dir = tempDir('vouch-bounded-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files named by the user are read with a cap', () => {
  it('stops reading /dev/zero at the cap (TOO_LARGE), instead of filling memory', () => {
    expect(() => readFileBounded('/dev/zero', 1024)).toThrowWithCode('TOO_LARGE');
  });

  it('reads a file of exactly the cap, and refuses one byte more', () => {
    writeFileSync(join(dir, 'f'), 'x'.repeat(100));
    expect(readFileBounded(join(dir, 'f'), 100).byteLength).toBe(100);
    expect(() => readFileBounded(join(dir, 'f'), 99)).toThrowWithCode('TOO_LARGE');
  });

  it('--policy /dev/zero is a coded error, not an out-of-memory crash', () => {
    expect(() => readPolicyFile('/dev/zero')).toThrowWithCode('TOO_LARGE');
  });

  it('a policy key file that is /dev/zero is a key that cannot be read, not an out-of-memory crash', () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      'apiVersion: vouch/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  authorities:\n    a: {keys: [{file: /dev/zero}]}\n  requirements:\n    - {name: r, predicateType: x, signers: [a]}\n',
    );
    expect(() => readPolicyFile(policy)).toThrow(
      /KEY_UNREADABLE: cannot read key file \/dev\/zero/,
    );
  });

  it('vouch scan import refuses a report that never ends', async () => {
    const result = await runCli(
      'scan',
      'import',
      '--format',
      'grype',
      '/dev/zero',
      '--subject',
      `sha256:${'a'.repeat(64)}`,
      '--key',
      join(dir, 'missing.key'),
    );
    expect(result.code).toBe(2);
  });

  it('an explicit --policy through a FIFO (process substitution) still works', async () => {
    const fifo = join(dir, 'policy-fifo');
    execFileSync('mkfifo', [fifo]);
    const text =
      'apiVersion: vouch/v1\nkind: Policy\nmetadata: {name: piped}\nspec:\n  authorities:\n    a: {keys: [{pem: "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==\\n-----END PUBLIC KEY-----\\n"}]}\n  requirements:\n    - {name: r, predicateType: x, signers: [a]}\n';
    // The writer needs nothing from this process (whose event loop the synchronous read blocks).
    spawn('sh', ['-c', 'printf %s "$POLICY" > "$FIFO"'], {
      stdio: 'ignore',
      env: { ...process.env, POLICY: text, FIFO: fifo },
    });
    expect(readPolicyFile(fifo).policy.name).toBe('piped');
  });
});
