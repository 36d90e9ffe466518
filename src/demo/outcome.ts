import type { Decision } from '../policy/decision.js';

/** What a step ends in: a command that worked, a decision, or an error (exit 2). */
export type Outcome = 'ok' | 'allowed' | 'denied' | 'error';

/** One step of the demo, what it should have shown and what it did. */
export interface DemoStep {
  readonly name: string;
  readonly title: string;
  readonly expected: Outcome;
  readonly actual: Outcome;
  /** For a deny: `requirement CODE` for each requirement that must fail, and why. */
  readonly expectedReasons: readonly string[];
  /** For a decision: `requirement CODE` for each unsatisfied requirement and rejection code. */
  readonly reasons: readonly string[];
  readonly ok: boolean;
}

/** Exit code of a command that is not a decision. */
export function commandOutcome(code: number): Outcome {
  return code === 0 ? 'ok' : 'error';
}

/** `vouch verify`: exit 0 allowed, 1 denied, anything else an error (DESIGN.md section 4). */
export function decisionOutcome(code: number): Outcome {
  return code === 0 ? 'allowed' : code === 1 ? 'denied' : 'error';
}

/** Why a decision denies: `requirement CODE` per unsatisfied requirement and rejection code. */
export function denialReasons(decision: Decision): string[] {
  const reasons = new Set<string>();
  for (const r of decision.requirements) {
    if (r.satisfied) continue;
    if (r.rejected.length === 0) reasons.add(`${r.name} MISSING`);
    for (const rejection of r.rejected) reasons.add(`${r.name} ${rejection.code}`);
  }
  return [...reasons].sort();
}

/**
 * A step went as expected when its outcome is the expected one and, for a deny, exactly the
 * expected requirements failed, each for (at least) the expected reason: a deny for some
 * other reason would show nothing about the case it is meant to show.
 */
export function judgeStep(step: Omit<DemoStep, 'ok'>): DemoStep {
  if (step.expected !== step.actual) return { ...step, ok: false };
  if (step.expected !== 'denied') return { ...step, ok: true };
  const requirementOf = (reason: string) => reason.split(' ')[0] ?? '';
  const failed = new Set(step.reasons.map(requirementOf));
  const expectedFailed = new Set(step.expectedReasons.map(requirementOf));
  const ok =
    failed.size === expectedFailed.size &&
    [...expectedFailed].every((r) => failed.has(r)) &&
    step.expectedReasons.every((r) => step.reasons.includes(r));
  return { ...step, ok };
}

/** What diverged, one line per step that did not go as expected. */
export function divergences(steps: readonly DemoStep[]): string[] {
  return steps
    .filter((s) => !s.ok)
    .map((s) => {
      const want = describe(s.expected, s.expectedReasons);
      const got = describe(s.actual, s.actual === 'denied' ? s.reasons : []);
      return `${s.name}: expected ${want}, got ${got}`;
    });
}

function describe(outcome: Outcome, reasons: readonly string[]): string {
  return reasons.length === 0 ? outcome : `${outcome} (${reasons.join(', ')})`;
}
