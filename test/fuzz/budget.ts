import fc from 'fast-check';
import { expect } from 'vitest';
import { VouchError } from '../../src/errors.js';

/**
 * The fuzz budget. In `npm test` every target runs a few hundred cases from a fixed seed (a few
 * seconds in all); `npm run fuzz` (VOUCH_FUZZ=long) spreads VOUCH_FUZZ_RUNS cases (default
 * 100,000) over the targets by weight. VOUCH_FUZZ_SEED replays a run.
 */
const env = process.env;
export const LONG = env.VOUCH_FUZZ === 'long';
const SEED = Number(env.VOUCH_FUZZ_SEED ?? 20261123);
const TOTAL = Number(env.VOUCH_FUZZ_RUNS ?? 100_000);

/** One call on hostile input must return within this (generous: the machine may be busy). */
export const CALL_LIMIT_MS = 3000;
/** Heap growth allowed over one target's run. */
const HEAP_LIMIT_BYTES = 768 * 1024 * 1024;

// Share of the long run per target (sums to 1); directory trees touch the file system, so fewer.
const WEIGHTS = {
  envelopes: 0.18,
  bundles: 0.13,
  statements: 0.1,
  policies: 0.12,
  allow: 0.12,
  cel: 0.12,
  scanners: 0.12,
  openvex: 0.1,
  trees: 0.01,
} as const;
export type Target = keyof typeof WEIGHTS;

export function fuzzParameters(target: Target, shortRuns: number): fc.Parameters<unknown> {
  return {
    seed: SEED + Object.keys(WEIGHTS).indexOf(target),
    numRuns: LONG ? Math.ceil(TOTAL * WEIGHTS[target]) : shortRuns,
    // Report the failing input itself, shrunk, so a finding can be replayed.
    verbose: 1,
  };
}

/** Runs a fuzz target as a property, checks heap growth, and prints its figures in long mode. */
export function fuzz<T>(
  target: Target,
  shortRuns: number,
  arb: fc.Arbitrary<T>,
  check: (value: T) => void,
): void {
  const params = fuzzParameters(target, shortRuns);
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = heapBefore;
  let cases = 0;
  const started = performance.now();
  fc.assert(
    fc.property(arb, (value) => {
      check(value);
      if (++cases % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }),
    params as fc.Parameters<[T]>,
  );
  const ms = performance.now() - started;
  expect(peak - heapBefore, `${target}: heap grew without bound`).toBeLessThan(HEAP_LIMIT_BYTES);
  if (LONG) {
    console.log(
      `fuzz ${target}: ${cases} cases in ${(ms / 1000).toFixed(1)} s (seed ${params.seed}, peak heap ${Math.round(peak / 2 ** 20)} MiB)`,
    );
  }
}

/** Calls fn within the time limit; returns its value. */
export function timed<T>(what: string, fn: () => T): T {
  const started = performance.now();
  try {
    return fn();
  } finally {
    const ms = performance.now() - started;
    expect(ms, `${what} took ${Math.round(ms)} ms`).toBeLessThan(CALL_LIMIT_MS);
  }
}

/**
 * Calls a parser on hostile input: it may return or throw a VouchError with a specific code,
 * never another exception and never INTERNAL; and it returns in time.
 */
export function coded<T>(what: string, fn: () => T): T | VouchError {
  return timed(what, () => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof VouchError)) {
        throw new Error(`${what}: uncoded ${String((err as Error)?.stack ?? err)}`);
      }
      expect(err.code, `${what}: ${err.describe()}`).not.toBe('INTERNAL');
      return err;
    }
  });
}
