import { VouchError } from '../errors.js';
import { documentsFromBytes } from './local.js';
import type { AttestationSource } from './source.js';

/**
 * A stream (standard input) as a source of attestations: read once, bounded like one `.jsonl`
 * file, then one document or one per line. `open` gives the stream when it is first read;
 * undefined when there is none to read.
 */
export function streamSource(
  name: string,
  open: () => NodeJS.ReadableStream | undefined,
): AttestationSource {
  return {
    async documents(request) {
      const stream = open();
      if (stream === undefined) {
        throw new VouchError('USAGE', `${name} is not available to read attestations from`);
      }
      const bytes = await readBounded(
        stream,
        request.limits.maxJsonLinesBytes,
        name,
        request.signal,
      );
      return { ...documentsFromBytes(`(${name})`, bytes, request.limits), failures: [] };
    },
  };
}

/** Reads a stream to its end, failing once more than `max` bytes arrived (never buffering more). */
async function readBounded(
  stream: NodeJS.ReadableStream,
  max: number,
  name: string,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.byteLength;
    if (total > max) {
      throw new VouchError('TOO_LARGE', `${name} is over the ${max}-byte limit`, {
        hint: 'pass large attestation sets as files or a directory',
      });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}
