import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VouchError } from '../errors.js';
import { readFileBounded } from '../sources/bounded-read.js';

export interface WriteOptions {
  /** File mode for a new file (e.g. 0o600 for private keys). */
  mode?: number;
  /** Refuse to replace an existing file. */
  exclusive?: boolean;
}

/**
 * Writes a file atomically: a temporary file in the same directory, fsynced, then renamed
 * (or hard-linked when exclusive, which fails if the target exists), so a reader never sees
 * a partial file and a failure leaves the old one intact.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): void {
  const temp = join(
    dirname(path),
    `.vouch-tmp-${basename(path)}-${randomBytes(6).toString('hex')}`,
  );
  let fd: number;
  try {
    fd = openSync(temp, 'wx', options.mode ?? 0o644);
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot create a file next to ${path}`, { cause, path });
  }
  try {
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.exclusive) {
      linkSync(temp, path);
      unlinkSync(temp);
    } else {
      renameSync(temp, path);
    }
  } catch (cause) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new VouchError('FILE_EXISTS', `${path} already exists`, {
        path,
        hint: 'choose another name or remove it',
      });
    }
    throw new VouchError('IO_ERROR', `cannot write ${path}`, { cause, path });
  }
}

// The largest input a command reads (scanner reports may be 64 MiB, SCAN_REPORT_LIMITS).
const MAX_INPUT = 64 * 1024 * 1024;

/** Reads a file, or standard input for `-`, up to 64 MiB (a path like /dev/zero stops there). */
export function readInput(path: string): Buffer {
  return readFileBounded(path, MAX_INPUT, path === '-' ? 'standard input' : path);
}

export function readText(path: string): string {
  return readInput(path).toString('utf8');
}

/** Reads a secret from the environment variable a flag names. */
export function passphraseFromEnv(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (value === undefined || value === '') {
    throw new VouchError('USAGE', `environment variable ${variable} is not set`, {
      hint: `export ${variable}=... before running vouch`,
    });
  }
  return value;
}
