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

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  stdin: () => process.stdin,
  isTerminal: () => process.stdin.isTTY === true && process.stderr.isTTY === true,
};

/** Verification failures exit 1 like a deny; everything else is a usage/config/input error. */
export function exitCodeFor(kind: ErrorKind): number {
  return kind === 'verification' ? EXIT_DENIED : EXIT_ERROR;
}

/** Prints an error as one coded line; the stack only with --debug. */
export function reportError(io: Io, err: unknown, debug: boolean): number {
  const e = asVouchError(err);
  io.err(`vouch: error ${escapeTerminal(e.describe())}\n`);
  if (debug) io.err(`${(err instanceof Error && err.stack) || String(err)}\n`);
  else if (!(err instanceof VouchError)) io.err('vouch: run with --debug for details\n');
  return exitCodeFor(e.kind);
}
