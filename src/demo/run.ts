import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failClosedSteps } from './fail-closed-steps.js';
import type { DemoStep } from './outcome.js';
import { releaseSteps } from './release-steps.js';
import { Scenario, StepFailed } from './scenario.js';
import { type DemoOutput, DemoShell } from './shell.js';

export interface DemoOptions {
  /** Where the story is printed. */
  readonly io: DemoOutput;
  /** Keep the temporary directory (its path is printed) instead of removing it. */
  readonly keep?: boolean;
}

export interface DemoResult {
  readonly steps: readonly DemoStep[];
  /** Every step ran and went as expected. */
  readonly ok: boolean;
  readonly dir: string;
}

/**
 * The end-to-end demo: a release is built, attested by its builder, scanner and two
 * reviewers, allowed by a policy, its decision signed as a VSA; then the fail-closed cases
 * are denied. Every step runs the real CLI in a temporary directory.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-demo-'));
  const shell = new DemoShell(dir, options.io);
  const scenario = new Scenario(shell);
  try {
    shell.print('Vouch demo: a release, its evidence, a policy, and what fails closed.');
    shell.print('Every command below is the real vouch CLI, run in a temporary directory:');
    shell.printAbsolute(`  cd ${dir}`);
    await releaseSteps(scenario);
    shell.print();
    shell.print('=== Fail closed: deleting, ageing, forging or swapping evidence never allows ===');
    await failClosedSteps(scenario);
    scenario.completed = true;
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
    shell.print(`Stopped: step ${err.step} failed, so the steps after it cannot run.`);
  } finally {
    scenario.summarise();
    if (options.keep === true) {
      shell.printAbsolute(`Kept the demo directory: cd ${dir}`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { steps: scenario.steps, ok: scenario.ok(), dir };
}
