import { performance } from 'node:perf_hooks';

/** How long and how often each contender runs. */
export interface BenchOptions {
  readonly warmupMs: number;
  readonly roundMs: number;
  readonly rounds: number;
  /** Largest size of the policy scale curve. */
  readonly scaleMax: number;
  /** Size of the file the hashing suite hashes, MiB. */
  readonly hashMib: number;
  /** The webhook suite's warm phase: requests per second and seconds. */
  readonly webhookRate: number;
  readonly webhookSeconds: number;
}

// Many short rounds: contenders alternate every 100 ms, so bursts of other work on a shared
// machine hit them alike and cancel out of the per-round ratios.
export const DEFAULT_OPTIONS: BenchOptions = {
  warmupMs: 1000,
  roundMs: 100,
  rounds: 41,
  scaleMax: 10000,
  hashMib: 1024,
  webhookRate: 500,
  webhookSeconds: 60,
};

/** One implementation of the same work; `op` must return true (checked before timing). */
export interface Contender {
  readonly name: string;
  readonly op: () => boolean;
}

export interface Measurement {
  /** What is measured, e.g. "ed25519". */
  readonly group: string;
  readonly contender: string;
  /** Median over the rounds. */
  readonly opsPerSec: number;
  /** ops/s of each round, in round order (every contender ran once per round). */
  readonly rounds: readonly number[];
  /**
   * Ops per second of this process's CPU time (user + system), median over the rounds: what the
   * work costs, whatever else the machine was doing. Absent for spawned processes.
   */
  readonly opsPerCpuSec?: number;
}

/** A bound a ratio must meet: at least (throughput) or at most (time). */
export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
}

/**
 * A figure a suite reports, with the target it must meet if any: mostly a ratio of two
 * measurements taken side by side (the median over rounds of the per-round ratio, see
 * pairedRatio), or an absolute figure with its unit where the target is one (a latency, a
 * count of requests).
 */
export interface Ratio {
  readonly name: string;
  readonly value: number;
  /** Unit of an absolute figure (`ms`, `requests`); none for a ratio. */
  readonly unit?: string;
  readonly target?: Target;
}

export const atLeast = (value: number): Target => ({ op: '>=', value });
export const atMost = (value: number): Target => ({ op: '<=', value });

/** Whether a ratio meets its target (true when it has none). */
export function meets(ratio: Ratio): boolean {
  const t = ratio.target;
  if (t === undefined) return true;
  return t.op === '>=' ? ratio.value >= t.value : ratio.value <= t.value;
}

export interface SuiteResult {
  readonly suite: string;
  readonly description: string;
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly Ratio[];
  /** Lines of a suite's own table, for figures that are not rates (latencies, counts). */
  readonly table?: readonly string[];
  /** Why the suite did not run (a peer it needs is missing): one line, and no figures. */
  readonly skipped?: string;
}

/** A benchmark suite; bench/index.ts runs every registered one, one after another. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  run(options: BenchOptions, log: (line: string) => void): SuiteResult | Promise<SuiteResult>;
}

/** The result of a suite that cannot run here. */
export function skippedSuite(suite: Suite, reason: string): SuiteResult {
  return {
    suite: suite.name,
    description: suite.description,
    measurements: [],
    ratios: [],
    skipped: reason,
  };
}

// Collected op results keep the optimiser from dropping the measured calls.
let sink = 0;

interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

function runFor(op: () => boolean, ms: number): Rate {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  let ops = 0;
  let now = start;
  // Check the clock every batch, not every op: reading it costs as much as a cheap op.
  const batch = 16;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) if (op()) sink++;
    ops += batch;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (ops * 1000) / (now - start), cpu: (ops * 1e6) / (cpu.user + cpu.system || 1) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? Number.NaN;
  const lower = sorted[mid - 1] ?? upper;
  return sorted.length % 2 === 1 ? upper : (lower + upper) / 2;
}

/**
 * Runs contenders round-robin (each round runs every contender once, in rotating order), so
 * that drift on a shared machine (thermal, other processes) spreads evenly; reports medians.
 * No forced gc() between rounds: it would bill each side for collections the other's garbage
 * caused, and penalise whichever allocates more; each round pays for its own garbage.
 */
export function compare(
  group: string,
  contenders: readonly Contender[],
  options: BenchOptions,
): Measurement[] {
  for (const c of contenders) {
    if (c.op() !== true) throw new Error(`${group}/${c.name}: the measured op does not succeed`);
  }
  for (const c of contenders) runFor(c.op, options.warmupMs / contenders.length);
  const rates = contenders.map((): Rate[] => []);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const index = (round + k) % contenders.length;
      const contender = contenders[index];
      if (contender === undefined) continue;
      rates[index]?.push(runFor(contender.op, options.roundMs));
    }
  }
  if (sink === -1) console.log('unreachable');
  return contenders.map((c, i) => {
    const measured = rates[i] ?? [];
    const rounds = measured.map((r) => r.wall);
    return {
      group,
      contender: c.name,
      opsPerSec: median(rounds),
      rounds,
      opsPerCpuSec: median(measured.map((r) => r.cpu)),
    };
  });
}

/**
 * The median over rounds of a's rate divided by b's rate in the same round. Both ran within
 * one round, close in time, so machine-wide slowdowns cancel out of each quotient; this is
 * steadier on a shared 2-core machine than the quotient of two medians.
 */
export function pairedRatio(a: Measurement, b: Measurement): number {
  const quotients = a.rounds.map((rate, i) => rate / (b.rounds[i] ?? Number.NaN));
  return median(quotients);
}
