import { cpus } from 'node:os';
import type { BenchOptions, SuiteResult } from './harness.js';

const formatRate = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A plain-text table per suite: rates by group and contender, then ratios against targets. */
export function formatSuite(result: SuiteResult): string {
  const rows = result.measurements.map((m) => {
    const min = Math.min(...m.rounds);
    const max = Math.max(...m.rounds);
    return [m.group, m.contender, formatRate(m.opsPerSec), `${formatRate(min)}–${formatRate(max)}`];
  });
  const header = ['case', 'implementation', 'ops/s (median)', 'range over rounds'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ');
  const out = [
    `${result.suite}: ${result.description}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
  ];
  for (const r of rows) out.push(line(r));
  out.push('');
  for (const ratio of result.ratios) {
    const verdict =
      ratio.target === undefined
        ? ''
        : ratio.value >= ratio.target
          ? `  (target >= ${ratio.target}: met)`
          : `  (target >= ${ratio.target}: NOT MET)`;
    out.push(`${ratio.name} = ${ratio.value.toFixed(3)}${verdict}`);
  }
  return out.join('\n');
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
