import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type Measurement, median } from './harness.js';

/** Repository root: the bench runs from build/bench/index.js. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A whole process, timed from outside: start-up, work and exit. */
export interface Command {
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
}

/** Wall milliseconds of one run; throws when the command fails, so no failure is timed. */
export function timeRun(command: Command): number {
  const start = performance.now();
  const run = spawnSync(command.file, command.args, {
    cwd: command.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - start;
  if (run.status !== 0) {
    throw new Error(`${command.name} exited ${run.status}: ${run.stderr.toString().trim()}`);
  }
  return ms;
}

/**
 * Runs the commands `rounds` times, round-robin in rotating order (as compare() does), and
 * returns each one's runs per second.
 */
export function compareProcesses(
  group: string,
  commands: readonly Command[],
  rounds: number,
): Measurement[] {
  for (const c of commands) timeRun(c); // warm the file cache; also checks each one works
  const times = commands.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < commands.length; k++) {
      const index = (round + k) % commands.length;
      const command = commands[index];
      if (command !== undefined) times[index]?.push(timeRun(command));
    }
  }
  return commands.map((c, i) => {
    const perSec = (times[i] ?? []).map((ms) => 1000 / ms);
    return { group, contender: c.name, opsPerSec: median(perSec), rounds: perSec };
  });
}
