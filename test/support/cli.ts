import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (no build needed). */
export async function runCli(...args: string[]): Promise<CliResult> {
  return runCliWith({}, ...args);
}

export interface CliContext {
  /** Environment variables the command sees (never the test process's own). */
  env?: Record<string, string>;
  /** Text on standard input. */
  stdin?: string;
}

/** Runs the CLI in-process with an injected environment and standard input. */
export async function runCliWith(context: CliContext, ...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const input = context.stdin;
  const code = await main(['node', 'vouch', ...args], {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    env: context.env ?? {},
    ...(input === undefined ? {} : { stdin: () => Readable.from([input]) }),
    isTerminal: () => false,
  });
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'vouch-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
