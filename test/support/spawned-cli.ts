import { spawn, spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { assertBuilt, VOUCH_BIN } from './built-cli.js';

export interface SpawnedResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/vouch.js as a separate process, as scripts run it. */
export function spawnVouch(
  args: readonly string[],
  options: { input?: string | Buffer; cwd?: string } = {},
): SpawnedResult {
  assertBuilt();
  const result = spawnSync(process.execPath, [VOUCH_BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The CLI error contract (DESIGN.md section 4): exit 2, ONE coded line on stderr; returns it. */
export function expectOneLineError(result: SpawnedResult, code = 'USAGE'): string {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n');
  expect(lines, result.stderr).toHaveLength(2);
  expect(lines[1]).toBe('');
  const line = lines[0] ?? '';
  expect(line).toMatch(new RegExp(`^vouch: error ${code}(?: at .+?)?: \\S.*$`));
  return line;
}

/**
 * Runs bin/vouch.js as a separate process without blocking this one (a registry's token
 * server may run in the test process), seeing only PATH and `env` of the environment.
 */
export function spawnVouchAsync(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; input?: string } = {},
): Promise<SpawnedResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VOUCH_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
