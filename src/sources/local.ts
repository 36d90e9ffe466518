import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VouchError } from '../errors.js';

/** One received document with where it came from (`file`, or `file.jsonl#L3` for a line). */
export interface RawDocument {
  readonly origin: string;
  readonly bytes: Buffer;
}

const ATTESTATION_FILE = /\.(dsse\.json|sigstore\.json|sigstore|intoto\.jsonl|json|jsonl)$/;

/**
 * Reads attestation candidates from files and directories (searched recursively, in sorted
 * order). A `.jsonl` file holds one envelope per line; each line is its own document.
 */
export function readDocuments(paths: readonly string[]): RawDocument[] {
  const out: RawDocument[] = [];
  for (const path of paths) collect(path, true, out);
  return out;
}

function collect(path: string, named: boolean, out: RawDocument[]): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${path}`, {
      cause,
      path,
      field: 'attestations',
    });
  }
  if (isDir) {
    for (const entry of readdirSync(path).sort()) {
      if (entry.startsWith('.')) continue;
      const child = join(path, entry);
      if (statSync(child).isDirectory() || ATTESTATION_FILE.test(entry)) collect(child, false, out);
    }
    return;
  }
  if (!named && !ATTESTATION_FILE.test(path)) return;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${path}`, { cause, path });
  }
  if (path.endsWith('.jsonl')) {
    splitLines(bytes).forEach((line, i) => {
      if (line.byteLength > 0) out.push({ origin: `${path}#L${i + 1}`, bytes: line });
    });
  } else {
    out.push({ origin: path, bytes });
  }
}

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, start)) {
    lines.push(trimCr(bytes.subarray(start, i)));
    start = i + 1;
  }
  lines.push(trimCr(bytes.subarray(start)));
  return lines;
}

function trimCr(line: Buffer): Buffer {
  return line.byteLength > 0 && line[line.byteLength - 1] === 0x0d ? line.subarray(0, -1) : line;
}
