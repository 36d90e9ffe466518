import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/cli/files.js';
import { coldStartSuite } from './cold-start.js';
import { dsseSuite } from './dsse.js';
import { type BenchOptions, DEFAULT_OPTIONS, type Suite, type SuiteResult } from './harness.js';
import { hashingSuite } from './hashing.js';
import { keylessSuite } from './keyless.js';
import { policySuite } from './policy.js';
import { registrySuite } from './registry.js';
import { formatSuite, formatTargets, resultsJson } from './report.js';
import { webhookSuite } from './webhook.js';

// Every suite `npm run bench` runs, in order.
const SUITES: readonly Suite[] = [
  dsseSuite,
  policySuite,
  keylessSuite,
  coldStartSuite,
  hashingSuite,
  registrySuite,
  webhookSuite,
];

const USAGE = `usage: npm run bench -- [--json FILE] [--suite NAME]... [--rounds N] [--round-ms MS] [--warmup-ms MS] [--scale-max N] [--hash-mib N] [--webhook-rate N] [--webhook-seconds N]
suites: ${SUITES.map((s) => s.name).join(', ')}
a smoke run: npm run bench -- --rounds 3 --round-ms 20 --warmup-ms 20 --scale-max 100 --hash-mib 16 --webhook-seconds 2`;

function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} must be a positive integer\n${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      suite: { type: 'string', multiple: true },
      rounds: { type: 'string' },
      'round-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      'scale-max': { type: 'string' },
      'hash-mib': { type: 'string' },
      'webhook-rate': { type: 'string' },
      'webhook-seconds': { type: 'string' },
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
    scaleMax: positiveInteger(values['scale-max'], '--scale-max', DEFAULT_OPTIONS.scaleMax),
    hashMib: positiveInteger(values['hash-mib'], '--hash-mib', DEFAULT_OPTIONS.hashMib),
    webhookRate: positiveInteger(
      values['webhook-rate'],
      '--webhook-rate',
      DEFAULT_OPTIONS.webhookRate,
    ),
    webhookSeconds: positiveInteger(
      values['webhook-seconds'],
      '--webhook-seconds',
      DEFAULT_OPTIONS.webhookSeconds,
    ),
  };
  const wanted = values.suite ?? SUITES.map((s) => s.name);
  const unknown = wanted.filter((name) => !SUITES.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')}\n${USAGE}`);
  const results: SuiteResult[] = [];
  for (const suite of SUITES.filter((s) => wanted.includes(s.name))) {
    const result = await suite.run(options, (line) => console.error(line));
    results.push(result);
    console.log(`${formatSuite(result)}\n`);
  }
  console.log(
    `node ${process.version}; median of ${options.rounds} rounds of ${options.roundMs} ms after ${options.warmupMs} ms warm-up per case (spawned processes: ${options.rounds} runs each); ratios are medians of per-round ratios; ops/CPU-s is per second of this process's CPU time\n`,
  );
  console.log(formatTargets(results));
  if (values.json !== undefined) {
    writeFileAtomic(values.json, resultsJson(results, options));
    console.error(`bench: wrote ${values.json}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
