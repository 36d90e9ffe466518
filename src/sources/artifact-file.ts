import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { DigestSet } from '../attestation/digest-set.js';
import { VouchError } from '../errors.js';

const READ_SIZE = 1024 * 1024;

export type ProgressListener = (done: number, total: number) => void;

/**
 * Streams a file once (1 MiB reads) into sha256 and sha512: subjects may carry only sha512
 * (npm), so matching must not depend on sha256 alone.
 */
export async function digestFile(path: string, onProgress?: ProgressListener): Promise<DigestSet> {
  let total: number;
  try {
    total = statSync(path).size;
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${path}`, { cause, path });
  }
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  let done = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_SIZE })) {
      sha256.update(chunk as Buffer);
      sha512.update(chunk as Buffer);
      done += (chunk as Buffer).byteLength;
      onProgress?.(done, total);
    }
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${path}`, { cause, path });
  }
  return { sha256: sha256.digest('hex'), sha512: sha512.digest('hex') };
}
