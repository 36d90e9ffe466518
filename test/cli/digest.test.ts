import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('vouch digest', () => {
  const dir = tempDir();

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a small file', Buffer.from('hello world\n')],
    // Crosses the 1 MiB read boundary several times, with a ragged tail.
    ['a 3 MiB + 5 byte file', Buffer.alloc(3 * 1024 * 1024 + 5, 0x61).fill(0x62, 1024 * 1024)],
  ])('prints sha256:<hex> of %s, equal to node:crypto', async (name, bytes) => {
    const file = join(dir, name.replaceAll(' ', '-'));
    writeFileSync(file, bytes);
    const result = await runCli('digest', file);
    expect(result).toEqual({ code: 0, stdout: `sha256:${sha256(bytes)}\n`, stderr: '' });
  });

  it('exits 2 with IO_ERROR for a missing file', async () => {
    const result = await runCli('digest', join(dir, 'missing'));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^vouch: error IO_ERROR at .*missing: /);
  });

  it('exits 2 without a file argument', async () => {
    expect((await runCli('digest')).code).toBe(2);
  });
});
