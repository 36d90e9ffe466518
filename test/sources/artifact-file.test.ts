import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestFile } from '../../src/sources/artifact-file.js';
import { tempDir } from '../support/temp-dir.js';

const hex = (alg: string, data: Buffer): string => createHash(alg).update(data).digest('hex');

describe('digestFile', () => {
  const dir = tempDir('vouch-digest-');
  const file = (name: string, data: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };

  describe('when no algorithm is named', () => {
    it('hashes with sha256 only', async () => {
      const data = Buffer.from('the artifact');
      expect(await digestFile(file('a.bin', data))).toEqual({ sha256: hex('sha256', data) });
    });
  });

  describe('when algorithms are named', () => {
    it('hashes with each of them once, by their in-toto names', async () => {
      const data = Buffer.from('npm tarball');
      const digest = await digestFile(file('b.bin', data), {
        algorithms: ['sha512', 'sha3_256', 'sha512'],
      });
      expect(digest).toEqual({ sha512: hex('sha512', data), sha3_256: hex('sha3-256', data) });
    });

    it('refuses an algorithm it cannot compute, before reading the file', async () => {
      await expect(
        digestFile(join(dir, 'missing.bin'), { algorithms: ['md5'] }),
      ).rejects.toThrowWithCode('USAGE');
    });
  });

  describe('when the file spans many reads', () => {
    it('hashes every byte in order, whatever the size around the 1 MiB read boundary', async () => {
      const sizes = [0, 1, 1024 * 1024 - 1, 1024 * 1024, 3 * 1024 * 1024 + 7];
      for (const size of sizes) {
        const data = Buffer.alloc(size);
        for (let i = 0; i < size; i += 4093) data[i] = (i / 4093) & 0xff;
        const seen: number[] = [];
        const digest = await digestFile(file(`s${size}.bin`, data), {
          algorithms: ['sha256', 'sha384'],
          onProgress: (done, total) => {
            expect(total).toBe(size);
            seen.push(done);
          },
        });
        expect(digest).toEqual({ sha256: hex('sha256', data), sha384: hex('sha384', data) });
        expect(seen.at(-1) ?? 0).toBe(size);
      }
    });

    it('equals node:crypto over the same bytes (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
          const data = Buffer.from(bytes);
          const digest = await digestFile(file('p.bin', data), { algorithms: ['sha256'] });
          expect(digest.sha256).toBe(hex('sha256', data));
        }),
        { numRuns: 50 },
      );
    });
  });

  describe('when the file cannot be read', () => {
    it('is IO_ERROR naming the path', async () => {
      const missing = join(dir, 'nope.bin');
      await expect(digestFile(missing)).rejects.toThrowWithCode('IO_ERROR', missing);
      await expect(digestFile(dir)).rejects.toThrowWithCode('IO_ERROR', dir);
    });
  });
});
