import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import type { DigestSet } from '../attestation/digest-set.js';
import { VouchError } from '../errors.js';

// Large reads, two buffers: the next read runs on the thread pool while this one is hashed.
// 1 MiB measured best: larger buffers fall out of the CPU cache between read and hash.
const READ_SIZE = 1024 * 1024;

/** in-toto digest algorithm names (spec/v1/digest_set.md) to node:crypto's. */
const NODE_HASHES: ReadonlyMap<string, string> = new Map([
  ['sha256', 'sha256'],
  ['sha384', 'sha384'],
  ['sha512', 'sha512'],
  ['sha3_256', 'sha3-256'],
  ['sha3_384', 'sha3-384'],
  ['sha3_512', 'sha3-512'],
]);

/** The algorithms a file is hashed with unless told otherwise: sha256, the in-toto default. */
export const DEFAULT_FILE_ALGORITHMS: readonly string[] = ['sha256'];

export type ProgressListener = (done: number, total: number) => void;

export interface DigestFileOptions {
  /** in-toto names (sha256, sha512, sha3_256, ...); default DEFAULT_FILE_ALGORITHMS. */
  readonly algorithms?: Iterable<string>;
  readonly onProgress?: ProgressListener;
}

/**
 * Streams a file once and hashes it with each of the algorithms asked for (only those: every
 * extra one costs a full pass of hashing).
 */
export async function digestFile(
  path: string,
  options: DigestFileOptions = {},
): Promise<DigestSet> {
  const hashes = new Map<string, Hash>();
  for (const alg of options.algorithms ?? DEFAULT_FILE_ALGORITHMS) {
    const nodeName = NODE_HASHES.get(alg);
    if (nodeName === undefined) {
      throw new VouchError('USAGE', `cannot hash a file with ${alg}`, {
        hint: `use ${[...NODE_HASHES.keys()].join(', ')}`,
      });
    }
    if (!hashes.has(alg)) hashes.set(alg, createHash(nodeName));
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${path}`, { cause, path });
  }
  try {
    await hashInto(handle, [...hashes.values()], options.onProgress);
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${path}`, { cause, path });
  } finally {
    await handle.close();
  }
  const out: Record<string, string> = {};
  for (const [alg, hash] of hashes) out[alg] = hash.digest('hex');
  return out;
}

async function hashInto(
  handle: FileHandle,
  hashes: readonly Hash[],
  onProgress: ProgressListener | undefined,
): Promise<void> {
  const total = onProgress === undefined ? 0 : (await handle.stat()).size;
  let current = Buffer.allocUnsafe(READ_SIZE);
  let next = Buffer.allocUnsafe(READ_SIZE);
  let done = 0;
  let pending = handle.read(current, 0, READ_SIZE, done);
  for (;;) {
    const { bytesRead } = await pending;
    if (bytesRead === 0) return;
    done += bytesRead;
    pending = handle.read(next, 0, READ_SIZE, done);
    const chunk = current.subarray(0, bytesRead);
    for (const hash of hashes) hash.update(chunk);
    [current, next] = [next, current];
    onProgress?.(done, total);
  }
}
