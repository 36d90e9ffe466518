import { escapeTerminal } from '../encoding/terminal-text.js';
import { VouchError } from '../errors.js';
import type { SkippedInput } from '../policy/decision.js';
import {
  DEFAULT_SOURCE_LIMITS,
  documentsFromBytes,
  type LocalDocuments,
  type RawDocument,
  readDocuments,
} from '../sources/local.js';
import { isImageLayout, readImageLayout } from '../sources/oci/layout.js';
import type { Io } from './output.js';

/** The attestation path that means standard input. */
export const STDIN_PATH = '-';

/**
 * Reads the documents of `--attestations` paths; `-` is standard input, read once and bounded
 * like one `.jsonl` file.
 */
export async function readAttestationInputs(
  paths: readonly string[],
  io: Io,
): Promise<LocalDocuments> {
  const files = readLocal(paths.filter((p) => p !== STDIN_PATH));
  if (!paths.includes(STDIN_PATH)) return files;
  const stream = io.stdin?.();
  if (stream === undefined) {
    throw new VouchError('USAGE', 'standard input is not available to read attestations from');
  }
  const bytes = await readBounded(stream, DEFAULT_SOURCE_LIMITS.maxJsonLinesBytes);
  const piped = documentsFromBytes('(standard input)', bytes);
  return {
    documents: [...files.documents, ...piped.documents],
    skipped: [...files.skipped, ...piped.skipped],
  };
}

/** Files and directories; OCI image layout directories are read through their index. */
function readLocal(paths: readonly string[]): LocalDocuments {
  const layouts: RawDocument[] = [];
  const rest: string[] = [];
  for (const path of paths) {
    if (isImageLayout(path)) {
      for (const d of readImageLayout(path)) layouts.push({ origin: d.source, bytes: d.bytes });
    } else {
      rest.push(path);
    }
  }
  const files = readDocuments(rest);
  return { documents: [...layouts, ...files.documents], skipped: files.skipped };
}

/** Reads a stream to its end, failing once more than `max` bytes arrived (never buffering more). */
async function readBounded(stream: NodeJS.ReadableStream, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.byteLength;
    if (total > max) {
      throw new VouchError('TOO_LARGE', `standard input is over the ${max}-byte limit`, {
        hint: 'pass large attestation sets as files or a directory',
      });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/** Skipped entries as stderr lines for commands whose output has no place for them. */
export function reportSkipped(io: Io, skipped: readonly SkippedInput[]): void {
  for (const s of skipped) io.err(`vouch: skipped ${escapeTerminal(`${s.source}: ${s.reason}`)}\n`);
}
