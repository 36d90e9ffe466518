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

type OptionValue = string | readonly string[] | true | undefined;

/**
 * A command line from named options, so a test states what differs rather than repeating flags:
 * `commandLine('verify', { policy: 'p.yaml', attestations: ['a', 'b'], plainHttp: true })` is
 * `verify --policy p.yaml --attestations a b --plain-http`. Undefined options are left out.
 */
export function commandLine(command: string, options: Record<string, OptionValue>): string[] {
  const args = command.split(' ');
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    args.push(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    if (value !== true) args.push(...(typeof value === 'string' ? [value] : value));
  }
  return args;
}
