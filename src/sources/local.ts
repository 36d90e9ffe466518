import { readdirSync, readFileSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import { VouchError } from '../errors.js';

/** One received document with where it came from (`file`, or `file.jsonl#L3` for a line). */
export interface RawDocument {
  readonly origin: string;
  readonly bytes: Buffer;
}

const SEP = Buffer.from(sep);
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

/**
 * `path` is a Buffer below a directory: a file name need not be UTF-8 (Linux allows any
 * bytes), and only its bytes name it; its text, with U+FFFD for bad bytes, is for messages.
 */
function collect(path: string | Buffer, named: boolean, out: RawDocument[]): void {
  const name = path.toString();
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${name}`, {
      cause,
      path: name,
      field: 'attestations',
    });
  }
  if (isDir) {
    let entries: Buffer[];
    try {
      entries = readdirSync(path, { encoding: 'buffer' });
    } catch (cause) {
      throw new VouchError('IO_ERROR', `cannot list ${name}`, { cause, path: name });
    }
    const base = Buffer.from(name.endsWith(sep) ? path : Buffer.concat([Buffer.from(path), SEP]));
    for (const entry of entries.sort(Buffer.compare)) {
      if (entry[0] === 0x2e) continue; // a dot file
      collect(Buffer.concat([base, entry]), false, out);
    }
    return;
  }
  if (!named && !ATTESTATION_FILE.test(name)) return;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${name}`, { cause, path: name });
  }
  if (name.endsWith('.jsonl')) {
    splitLines(bytes).forEach((line, i) => {
      if (line.byteLength > 0) out.push({ origin: `${name}#L${i + 1}`, bytes: line });
    });
  } else {
    out.push({ origin: name, bytes });
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
