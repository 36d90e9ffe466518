import type { Decision } from '../policy/decision.js';
import {
  type DemoStep,
  decisionOutcome,
  denialReasons,
  divergences,
  judgeStep,
  type Outcome,
} from './outcome.js';
import { ARTIFACT } from './sample-data.js';
import type { CliRun, DemoShell } from './shell.js';

/** A setup step failed: the steps after it would mean nothing. */
export class StepFailed extends Error {
  constructor(readonly step: string) {
    super(`demo step ${step} failed`);
  }
}

export interface StepResult {
  readonly actual: Outcome;
  readonly reasons?: readonly string[];
}

export interface StepPlan {
  readonly name: string;
  readonly title: string;
  /** What happens and why, for a newcomer. */
  readonly story: readonly string[];
  readonly expected: Outcome;
  readonly because?: readonly string[];
  /** Setup steps stop the demo when they fail: nothing after them would mean anything. */
  readonly setup?: boolean;
}

/** The steps of one demo run and how each is run, judged and printed. */
export class Scenario {
  readonly steps: DemoStep[] = [];
  /** When the demo started: the times of its evidence are relative to it. */
  readonly started = Date.now();
  /** Set once the last step ran. */
  completed = false;

  constructor(readonly shell: DemoShell) {}

  /** Every step ran (none stopped the demo) and went as expected. */
  ok(): boolean {
    return this.completed && this.steps.every((s) => s.ok);
  }

  /** `verify` arguments for the release policy over the attestations in `where`. */
  release(where: string): string[] {
    const sh = this.shell;
    return [
      '--policy',
      sh.path('policy.yaml'),
      '--artifact',
      sh.path(ARTIFACT),
      '--attestations',
      sh.path(where),
    ];
  }

  gate(vsa: string): string[] {
    const sh = this.shell;
    return [
      '--policy',
      sh.path('deploy-gate.yaml'),
      '--artifact',
      sh.path(ARTIFACT),
      '--attestations',
      sh.path(vsa),
    ];
  }

  vsaFlags(out: string): string[] {
    return ['--emit-vsa', '--key', this.shell.path('keys/verifier.key'), '--vsa-out', out];
  }

  /**
   * Runs `vouch verify` as a user would (text output, shown), then the same decision as JSON
   * (not shown) to check that it denies for the reason the step is about.
   */
  async decide(args: readonly string[], vsa: readonly string[] = []): Promise<StepResult> {
    const shown = await this.shell.vouch(['verify', ...args, ...vsa]);
    const actual = decisionOutcome(shown.code);
    if (actual === 'error') return { actual };
    const json = await this.shell.vouch(['verify', ...args, '--output', 'json'], { quiet: true });
    if (decisionOutcome(json.code) !== actual) return { actual: 'error' };
    return { actual, reasons: denialReasons(JSON.parse(json.stdout) as Decision) };
  }

  command(run: CliRun): StepResult {
    return { actual: run.code === 0 ? 'ok' : 'error' };
  }

  async step(plan: StepPlan, body: () => Promise<StepResult>): Promise<void> {
    const sh = this.shell;
    sh.print();
    sh.print(`--- ${this.steps.length + 1}. ${plan.title} ---`);
    for (const line of plan.story) sh.print(line);
    sh.print();
    let result: StepResult;
    try {
      result = await body();
    } catch (err) {
      sh.print(`  (the demo itself failed: ${err instanceof Error ? err.message : String(err)})`);
      result = { actual: 'error' };
    }
    const step = judgeStep({
      name: plan.name,
      title: plan.title,
      expected: plan.expected,
      actual: result.actual,
      expectedReasons: plan.because ?? [],
      reasons: result.reasons ?? [],
    });
    this.steps.push(step);
    const why = step.expectedReasons.length === 0 ? '' : ` (${step.expectedReasons.join(', ')})`;
    sh.print(
      step.ok
        ? `  => ${step.actual}${why}, as expected`
        : `  => UNEXPECTED: ${divergences([step]).join('')}`,
    );
    if (!step.ok && plan.setup === true) throw new StepFailed(plan.name);
  }

  summarise(): void {
    const sh = this.shell;
    sh.print();
    sh.print('=== Summary ===');
    for (const s of this.steps) {
      sh.print(
        `  ${s.ok ? 'ok  ' : 'FAIL'}  ${s.name.padEnd(22)} expected ${s.expected.padEnd(8)} got ${s.actual}`,
      );
    }
    const diverged = divergences(this.steps);
    if (this.ok()) {
      sh.print(`All ${this.steps.length} steps went as expected.`);
    } else {
      sh.print(`The demo diverged from what it should show (${diverged.length} step(s)):`);
      for (const d of diverged) sh.print(`  ${d}`);
      if (!this.completed) sh.print('  and the demo stopped before its last step');
    }
  }
}
