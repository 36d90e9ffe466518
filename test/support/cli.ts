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

export { tempDir } from './temp-dir.js';

export interface KeyFiles {
  key: string;
  pub: string;
  keyid: string;
}

/** Makes a key pair with `vouch keygen` itself (PREFIX.key, PREFIX.pub) and returns the paths. */
export async function keygen(dir: string, name: string, ...flags: string[]): Promise<KeyFiles> {
  const prefix = join(dir, name);
  const result = await runCli('keygen', '--out', prefix, ...flags);
  if (result.code !== 0) throw new Error(`keygen failed: ${result.stderr}`);
  return { key: `${prefix}.key`, pub: `${prefix}.pub`, keyid: result.stdout.trim() };
}
