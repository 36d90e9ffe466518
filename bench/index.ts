import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/cli/files.js';
import { dsseSuite } from './dsse.js';
import { type BenchOptions, DEFAULT_OPTIONS, type Suite, type SuiteResult } from './harness.js';
import { keylessSuite } from './keyless.js';
import { policySuite } from './policy.js';
import { formatSuite, resultsJson } from './report.js';

// Every suite `npm run bench` runs, in order.
const SUITES: readonly Suite[] = [dsseSuite, policySuite, keylessSuite];

const USAGE = `usage: npm run bench -- [--json FILE] [--suite NAME]... [--rounds N] [--round-ms MS] [--warmup-ms MS]
suites: ${SUITES.map((s) => s.name).join(', ')}`;

function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} must be a positive integer\n${USAGE}`);
  return n;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      suite: { type: 'string', multiple: true },
      rounds: { type: 'string' },
      'round-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const options: BenchOptions = {
    rounds: positiveInteger(values.rounds, '--rounds', DEFAULT_OPTIONS.rounds),
    roundMs: positiveInteger(values['round-ms'], '--round-ms', DEFAULT_OPTIONS.roundMs),
    warmupMs: positiveInteger(values['warmup-ms'], '--warmup-ms', DEFAULT_OPTIONS.warmupMs),
  };
  const wanted = values.suite ?? SUITES.map((s) => s.name);
  const unknown = wanted.filter((name) => !SUITES.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')}\n${USAGE}`);
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    console.error('bench: run with node --expose-gc (npm run bench does) for steadier rounds');
  }
  const results: SuiteResult[] = [];
  for (const suite of SUITES.filter((s) => wanted.includes(s.name))) {
    const result = suite.run(options, (line) => console.error(line));
    results.push(result);
    console.log(`${formatSuite(result)}\n`);
  }
  console.log(
    `node ${process.version}; median of ${options.rounds} rounds of ${options.roundMs} ms after ${options.warmupMs} ms warm-up per case; ratios are medians of per-round ratios`,
  );
  if (values.json !== undefined) {
    writeFileAtomic(values.json, resultsJson(results, options));
    console.error(`bench: wrote ${values.json}`);
  }
}

try {
  main();
} catch (err) {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
}
