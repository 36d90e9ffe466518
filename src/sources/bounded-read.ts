import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { VouchError } from '../errors.js';

const CHUNK = 1 << 20;

/**
 * Reads an open file to its end, or returns undefined as soon as more than `cap` bytes arrived:
 * the cap holds for what is read, so a growing file, a FIFO or a device never exceeds it.
 */
export function readOpenFile(fd: number, cap: number): Buffer | undefined {
  const stats = fstatSync(fd);
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // A regular file's reads follow its size (plus one byte to see the end); others by chunk.
    const want = stats.isFile() ? Math.min(Math.max(stats.size - total, 0) + 1, CHUNK) : CHUNK;
    const chunk = Buffer.allocUnsafe(Math.min(want, cap - total + 1));
    const n = readSync(fd, chunk, 0, chunk.byteLength, null);
    if (n === 0) break;
    total += n;
    if (total > cap) return undefined;
    chunks.push(n === chunk.byteLength ? chunk : chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total);
}

/**
 * A file named by the user (policy, key, report, predicate; `-` is standard input), read with a
 * size cap. FIFOs and process substitution work (the user chose them); /dev/zero cannot fill
 * memory. `what` names the file in messages.
 */
export function readFileBounded(path: string, cap: number, what = path, field?: string): Buffer {
  const at = field === undefined ? { path } : { path, field };
  let fd: number;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${what}`, { cause, ...at });
  }
  try {
    const bytes = readOpenFile(fd, cap);
    if (bytes === undefined) {
      throw new VouchError('TOO_LARGE', `${what} is over the ${cap}-byte limit`, at);
    }
    return bytes;
  } catch (cause) {
    if (cause instanceof VouchError) throw cause;
    throw new VouchError('IO_ERROR', `cannot read ${what}`, { cause, ...at });
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}
