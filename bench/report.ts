import { cpus } from 'node:os';
import { type BenchOptions, meets, type Ratio, type SuiteResult } from './harness.js';

// Spawned processes run a few per second: keep a decimal below 100.
const formatRate = (n: number): string =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);

/** A plain-text table per suite: rates by group and contender, then ratios against targets. */
export function formatSuite(result: SuiteResult): string {
  if (result.skipped !== undefined) return `${result.suite}: skipped: ${result.skipped}`;
  const rows = result.measurements.map((m) => {
    const min = Math.min(...m.rounds);
    const max = Math.max(...m.rounds);
    return [
      m.group,
      m.contender,
      formatRate(m.opsPerSec),
      `${formatRate(min)}–${formatRate(max)}`,
      m.opsPerCpuSec === undefined ? '-' : formatRate(m.opsPerCpuSec),
    ];
  });
  const header = ['case', 'implementation', 'ops/s (median)', 'range over rounds', 'ops/CPU-s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ');
  const out = [`${result.suite}: ${result.description}`];
  if (rows.length > 0) out.push(line(header), line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) out.push(line(r));
  if (result.table !== undefined) out.push(...result.table);
  out.push('');
  for (const ratio of result.ratios) out.push(formatRatio(ratio));
  return out.join('\n');
}

/** A ratio with its target and whether it is met. */
export function formatRatio(ratio: Ratio): string {
  const figure = Number.isInteger(ratio.value) ? String(ratio.value) : ratio.value.toFixed(3);
  const value = `${ratio.name} = ${figure}${ratio.unit === undefined ? '' : ` ${ratio.unit}`}`;
  const t = ratio.target;
  if (t === undefined) return value;
  return `${value}  (target ${t.op} ${t.value}: ${meets(ratio) ? 'met' : 'NOT MET'})`;
}

/** Every target of the run, one line each, for the end of `npm run bench`. */
export function formatTargets(results: readonly SuiteResult[]): string {
  const lines = results.flatMap((r) =>
    r.ratios
      .filter((ratio) => ratio.target !== undefined)
      .map((ratio) => `  ${r.suite}: ${formatRatio(ratio)}`),
  );
  const missed = results.flatMap((r) => r.ratios).filter((ratio) => !meets(ratio)).length;
  const skipped = results
    .filter((r) => r.skipped !== undefined)
    .map((r) => `  ${r.suite}: skipped`);
  const verdict =
    missed > 0
      ? `${missed} target(s) NOT MET`
      : skipped.length > 0
        ? `every target measured met; ${skipped.length} suite(s) skipped`
        : 'every target met';
  return ['targets:', ...lines, ...skipped, verdict].join('\n');
}

/** Machine-readable results, with what is needed to compare runs across machines. */
export function resultsJson(results: readonly SuiteResult[], options: BenchOptions): string {
  const cpu = cpus();
  return `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: { model: cpu[0]?.model ?? 'unknown', count: cpu.length },
      options,
      suites: results,
    },
    null,
    2,
  )}\n`;
}
