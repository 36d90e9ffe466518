import {
  closeSync,
  constants,
  fstatSync,
  opendirSync,
  openSync,
  type Stats,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { VouchError } from '../errors.js';
import type { SkippedInput } from '../policy/decision.js';
import { readOpenFile } from './bounded-read.js';
import { npmAttestationBundles } from './npm-attestations.js';
import { isImageLayout, readImageLayout } from './oci/layout.js';
import {
  type AttestationSource,
  DEFAULT_SOURCE_LIMITS,
  type SourceDocument,
  type SourceLimits,
} from './source.js';

/** What a search of local attestation paths found; skipped entries are reported, never dropped silently. */
export interface LocalDocuments {
  readonly documents: SourceDocument[];
  readonly skipped: SkippedInput[];
}

const ATTESTATION_FILE = /\.(dsse\.json|sigstore\.json|sigstore|intoto\.jsonl|json|jsonl)$/;
const JSON_LINES = /\.jsonl$/;

// O_NONBLOCK: opening a FIFO that was swapped in after stat must not wait for a writer.
// O_NOCTTY: a terminal device never becomes our controlling terminal.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Files, directories and OCI image layouts (read through their index) as a source of
 * attestations; the artifact does not matter to it.
 */
export function localSource(paths: readonly string[]): AttestationSource {
  return {
    async documents(request) {
      request.signal?.throwIfAborted();
      const layouts: SourceDocument[] = [];
      const rest: string[] = [];
      for (const path of paths) {
        if (!isImageLayout(path)) rest.push(path);
        else
          for (const d of readImageLayout(path)) layouts.push({ source: d.source, bytes: d.bytes });
      }
      const files = readDocuments(rest, request.limits);
      return { documents: [...layouts, ...files.documents], skipped: files.skipped, failures: [] };
    },
  };
}

/**
 * Reads attestation candidates from files and directories (searched recursively, in sorted
 * order). Only regular files are read; FIFOs, devices, sockets, dangling links, link cycles
 * and anything over a limit are skipped and reported, and the search goes on. A `.jsonl`
 * file holds one document per line; an npm registry attestations document holds one bundle
 * per entry. A named path that does not exist is an error (the caller mistyped it).
 */
export function readDocuments(
  paths: readonly string[],
  limits: SourceLimits = DEFAULT_SOURCE_LIMITS,
): LocalDocuments {
  const search = new Search(limits);
  for (const path of paths) {
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch (cause) {
      throw new VouchError('IO_ERROR', `cannot read ${path}: ${errnoOf(cause)}`, {
        cause,
        path,
        field: 'attestations',
      });
    }
    if (stats.isFIFO() || stats.isCharacterDevice()) {
      // /dev/stdin, <(...): only standard input itself may be a stream (bounded, read once).
      search.skip(path, `not a regular file (${fileType(stats)}); pass - to read standard input`);
    } else {
      search.visit(path, stats, 0, true);
    }
  }
  return { documents: search.documents, skipped: search.skipped };
}

/**
 * The documents in bytes received from elsewhere (standard input): one document, or JSON
 * Lines when the whole is not one JSON value. Returns the documents and any skipped lines.
 */
export function documentsFromBytes(
  origin: string,
  bytes: Buffer,
  limits: SourceLimits = DEFAULT_SOURCE_LIMITS,
): LocalDocuments {
  const search = new Search(limits);
  search.split(origin, bytes, !looksLikeOneDocument(bytes));
  return { documents: search.documents, skipped: search.skipped };
}

class Search {
  readonly documents: SourceDocument[] = [];
  readonly skipped: SkippedInput[] = [];
  private entries = 0;
  private bytes = 0;
  private readonly visited = new Set<string>();

  constructor(private readonly limits: SourceLimits) {}

  visit(path: string, stats: Stats, depth: number, named: boolean): void {
    if (stats.isDirectory()) {
      this.directory(path, stats, depth);
    } else if (stats.isFile()) {
      if (named || ATTESTATION_FILE.test(path)) this.file(path);
      else this.skip(path, 'not an attestation file name (.json, .jsonl, .sigstore)');
    } else {
      this.skip(path, `not a regular file (${fileType(stats)})`);
    }
  }

  private directory(path: string, stats: Stats, depth: number): void {
    // A symlink back up the tree would otherwise be walked until the depth limit.
    const id = `${stats.dev}:${stats.ino}`;
    if (this.visited.has(id)) {
      this.skip(path, 'directory already searched (a link cycle or a second link to it)');
      return;
    }
    this.visited.add(id);
    if (depth >= this.limits.maxDepth) {
      this.skip(path, `deeper than ${this.limits.maxDepth} directory levels`);
      return;
    }
    const names = this.listDirectory(path);
    if (names === undefined) return;
    for (const name of names) {
      const child = join(path, name);
      if (name.startsWith('.')) {
        this.skip(child, 'hidden entry');
        continue;
      }
      let stats: Stats;
      try {
        stats = statSync(child);
      } catch (cause) {
        // Dangling links, link loops (ELOOP), entries removed meanwhile: skip this one only.
        // A name that is not UTF-8 comes back with U+FFFD and then names no file at all.
        const why = name.includes('\ufffd') ? 'the name is not valid UTF-8' : errnoOf(cause);
        this.skip(child, `cannot read: ${why}`);
        continue;
      }
      this.visit(child, stats, depth + 1, false);
    }
  }

  /** Entry names in sorted order, reading at most what the entry budget still allows. */
  private listDirectory(path: string): string[] | undefined {
    const names: string[] = [];
    let dir: ReturnType<typeof opendirSync>;
    try {
      dir = opendirSync(path);
    } catch (cause) {
      this.skip(path, `cannot read: ${errnoOf(cause)}`);
      return undefined;
    }
    try {
      for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
        if (this.entries >= this.limits.maxEntries) {
          this.skip(
            path,
            `more than ${this.limits.maxEntries} entries searched; the rest not read`,
          );
          break;
        }
        this.entries++;
        names.push(entry.name);
      }
    } catch (cause) {
      this.skip(path, `cannot read: ${errnoOf(cause)}`);
    } finally {
      dir.closeSync();
    }
    return names.sort();
  }

  private file(path: string): void {
    const jsonLines = JSON_LINES.test(path);
    const fileCap = jsonLines ? this.limits.maxJsonLinesBytes : this.limits.maxFileBytes;
    const left = this.limits.maxTotalBytes - this.bytes;
    const read = readRegularFile(path, Math.min(fileCap, left));
    if (read === TOO_LARGE) {
      this.skip(
        path,
        left < fileCap
          ? `not read: the ${this.limits.maxTotalBytes}-byte total for all files is spent`
          : `larger than the ${fileCap}-byte limit for one file`,
      );
      return;
    }
    if (typeof read === 'string') {
      this.skip(path, read);
      return;
    }
    this.bytes += read.byteLength;
    this.split(path, read, jsonLines);
  }

  split(origin: string, bytes: Buffer, jsonLines: boolean): void {
    if (jsonLines) {
      let n = 0;
      for (const line of lines(bytes)) {
        n++;
        if (line.byteLength > 0 && !this.add(`${origin}#L${n}`, line)) return;
      }
      return;
    }
    const bundles = npmAttestationBundles(bytes);
    if (bundles === undefined) {
      this.add(origin, bytes);
      return;
    }
    for (const entry of bundles) {
      const at = `${origin}#attestations[${entry.index}]`;
      if (typeof entry.bundle === 'string') this.skip(at, entry.bundle);
      else if (!this.add(at, entry.bundle)) return;
    }
  }

  /** False once the document budget is spent (the rest of that source is skipped, once). */
  private add(origin: string, bytes: Buffer): boolean {
    if (this.documents.length >= this.limits.maxDocuments) {
      this.skip(
        origin,
        `more than ${this.limits.maxDocuments} documents: this and the rest not read`,
      );
      return false;
    }
    this.documents.push({ source: origin, bytes });
    return true;
  }

  skip(source: string, reason: string): void {
    this.skipped.push({ source, reason });
  }
}

const TOO_LARGE = 'too large';

/**
 * The bytes of a regular file, or why it was not read. Opened non-blocking and checked with
 * fstat after opening (the entry may have been swapped since stat); the cap is enforced on
 * the bytes actually read, so a file that grows, or a device, can never exceed it.
 */
function readRegularFile(path: string, cap: number): Buffer | string {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (cause) {
    return `cannot read: ${errnoOf(cause)}`;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return `not a regular file (${fileType(stats)})`;
    return readOpenFile(fd, cap) ?? TOO_LARGE;
  } catch (cause) {
    return `cannot read: ${errnoOf(cause)}`;
  } finally {
    closeSync(fd);
  }
}

/** JSON Lines unless the text is one JSON value spread over lines (a pretty-printed document). */
function looksLikeOneDocument(bytes: Buffer): boolean {
  const text = bytes.toString('latin1').trim();
  return !/\}\s*\n\s*\{/.test(text);
}

function* lines(bytes: Buffer): Generator<Buffer> {
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, start)) {
    yield trimCr(bytes.subarray(start, i));
    start = i + 1;
  }
  yield trimCr(bytes.subarray(start));
}

function trimCr(line: Buffer): Buffer {
  return line.byteLength > 0 && line[line.byteLength - 1] === 0x0d ? line.subarray(0, -1) : line;
}

function fileType(stats: Stats): string {
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSocket()) return 'socket';
  if (stats.isDirectory()) return 'directory';
  return 'special file';
}

function errnoOf(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file (a dangling link?)';
  if (code === 'ELOOP') return 'too many levels of symbolic links (a link loop)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? 'unknown error';
}
