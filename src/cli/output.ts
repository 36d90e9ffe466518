import { Option } from 'commander';
import { escapeTerminal } from '../encoding/terminal-text.js';
import { asVouchError, type ErrorKind, VouchError } from '../errors.js';

/** Exit codes (DESIGN.md section 4). */
export const EXIT_OK = 0;
export const EXIT_DENIED = 1;
export const EXIT_ERROR = 2;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * Environment variables commands read for context (the CI system they run in). Injected so
   * that in-process tests never see the real environment; absent means empty.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Standard input, for interactive prompts. */
  stdin?(): NodeJS.ReadableStream;
  /** True when a person is at a terminal: standard input and standard error are TTYs. */
  isTerminal?(): boolean;
}

/**
 * The process's own streams. A reader that goes away (`vouch verify ... | head -1`) closes
 * the pipe: later writes are dropped instead of crashing on EPIPE, and the exit code still
 * says what was decided. Any other write failure (a full disk) is an IO_ERROR, exit 2, so a
 * script never takes truncated output for a success.
 */
export function processIo(): Io {
  const closed = { out: false, err: false };
  const guard = (stream: NodeJS.WriteStream, key: keyof typeof closed) => {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      closed[key] = true;
      if (err.code === 'EPIPE') return;
      process.exitCode = EXIT_ERROR;
      if (!closed.err) {
        process.stderr.write(
          `vouch: error IO_ERROR: cannot write standard ${key === 'out' ? 'output' : 'error'}: ${escapeTerminal(err.message)}\n`,
        );
      }
    });
    return (text: string): void => {
      if (!closed[key]) stream.write(text);
    };
  };
  return {
    out: guard(process.stdout, 'out'),
    err: guard(process.stderr, 'err'),
    env: process.env,
    stdin: () => process.stdin,
    isTerminal: () => process.stdin.isTTY === true && process.stderr.isTTY === true,
  };
}

export const REPORT_FORMATS = ['text', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `--output text|json`, the same on every command that has it (docs/json-output.md). */
export function outputOption(): Option {
  return new Option('--output <format>', 'output format').choices(REPORT_FORMATS).default('text');
}

/** Verification failures exit 1 like a deny; everything else is a usage/config/input error. */
export function exitCodeFor(kind: ErrorKind): number {
  return kind === 'verification' ? EXIT_DENIED : EXIT_ERROR;
}

export interface ReportOptions {
  /** Also print the stack trace (on standard error). */
  readonly debug: boolean;
  /** Also print `{"error": {...}}` on standard output (`--output json`). */
  readonly json: boolean;
  /** The flag that sets a field of the command being run, if any. */
  readonly flagOf?: (field: string) => string | undefined;
}

/** The error as scripts read it: `--output json` prints `{"error": ErrorJson}`. */
export interface ErrorJson {
  readonly code: string;
  readonly message: string;
  readonly hint: string | null;
  /** The flag, field, file or JSON path at fault; null when the message says it all. */
  readonly at: string | null;
}

const FOREIGN_HINT = 'an unexpected fault: run with --debug for the stack trace, and report it';

/**
 * Reports an error as ONE line on standard error, `vouch: error CODE at WHERE: message (hint)`
 * (DESIGN.md section 4), and as JSON on standard output when asked. Returns the exit code.
 */
export function reportError(io: Io, err: unknown, options: ReportOptions): number {
  const e = asVouchError(err);
  const json = errorJson(e, options.flagOf, err instanceof VouchError ? undefined : FOREIGN_HINT);
  io.err(`vouch: error ${describeErrorJson(json)}\n`);
  if (options.json) io.out(`${JSON.stringify({ error: json })}\n`);
  if (options.debug) io.err(`${(err instanceof Error && err.stack) || String(err)}\n`);
  return exitCodeFor(e.kind);
}

/** `CODE at WHERE: message (hint)` on one terminal-safe line. */
export function describeErrorJson(e: ErrorJson): string {
  const at = e.at === null ? '' : ` at ${e.at}`;
  const hint = e.hint === null ? '' : ` (${e.hint})`;
  return escapeTerminal(`${e.code}${clip(at)}: ${clip(e.message)}${clip(hint)}`);
}

// An error line quotes argv and file names: a megabyte argument must not make a megabyte line.
const MAX_PART = 1000;

function clip(text: string): string {
  return text.length <= MAX_PART
    ? text
    : `${text.slice(0, MAX_PART)}… (${text.length - MAX_PART} more characters)`;
}

/** An error as a JSON value, for errors reported inside a command's JSON output. */
export function errorJsonOf(err: unknown): ErrorJson {
  return errorJson(asVouchError(err), undefined, undefined);
}

function errorJson(
  e: VouchError,
  flagOf: ((field: string) => string | undefined) | undefined,
  fallbackHint: string | undefined,
): ErrorJson {
  const flag = e.field === undefined ? undefined : flagOf?.(e.field);
  return {
    code: e.code,
    message: e.message,
    hint: e.hint ?? fallbackHint ?? null,
    at: flag ?? e.path ?? e.field ?? null,
  };
}
