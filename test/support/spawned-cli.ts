import { spawnSync } from 'node:child_process';
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
