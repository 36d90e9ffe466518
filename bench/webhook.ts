/**
 * Admission webhook load: `vouch serve` in its own process, driven over HTTPS on loopback by a
 * fixed-schedule (open-loop) client with keep-alive connections, as the apiserver's client is.
 * Request i is due at t0 + i/rate whatever came back before, and its latency is measured from
 * that due time, so a stall shows up in the percentiles (autocannon's -R sends in bursts per
 * tick, which overstates p99). Floor: the same requests, driven the same way, answered by a
 * no-op Node HTTPS webhook: what the machine, Node's TLS and HTTP and the driver take. Warm: caches on, after a warm-up. Cold: caches off, so every
 * admission discovers and verifies every attestation again. Reports p50/p99/max, errors and
 * the server's RSS (start, max, end). Mixed: the warm rate of small pods while, once a second, a
 * Deployment of many images arrives whose attestations must all be verified again (more than
 * the documents cache holds): the small pods' latency and the server's event-loop delay (its
 * nodejs_eventloop_lag_* gauges, read before and after the phase) show whether one large
 * admission holds up the others. Registry: pods name images by tag in a loopback
 * docker-registry holding their provenance as referrers, so each admission resolves its tags
 * (never cached) and discovers attestations there (cached for the discovery TTL, or not at all
 * in the cold variant).
 *
 *   npm run bench -- --suite webhook [--webhook-rate 500] [--webhook-seconds 60]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '../src/crypto/keys.js';
import { registryPeersPresent, startRegistry } from '../test/support/registry.js';
import { type Allocation, admissionAllocation } from './admission-allocation.js';
import { atMost, type BenchOptions, type Ratio, type Suite } from './harness.js';
import {
  drive,
  LOOP_RESOLUTION_MS,
  type Phase,
  type PhaseResult,
  startResponder,
  stopResponder,
} from './webhook-driver.js';
import {
  type Caching,
  IMAGES,
  LARGE_DOCUMENTS,
  LARGE_IMAGES,
  MIXED_CACHED_DOCUMENTS,
  NOISE,
  pinnedImages,
  podImages,
  type RegistryTarget,
  review,
  seedRegistry,
  writeInstallation,
} from './webhook-installation.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The cold path's rate: every admission verifies every document again. */
const COLD_RATE = 50;
/** DESIGN.md section 11 / issue 12: p99 of warm admissions, ms. */
const WARM_P99_MS = 5;
/** RSS growth over the warm phase that still counts as flat, % (webhook-driver.ts, rssGrowth). */
const FLAT_RSS_PERCENT = 10;

/**
 * Who answers: `vouch serve`, or the floor, a no-op Node HTTPS webhook (bench/no-op-webhook.mjs:
 * TLS, HTTP, JSON and a log line, nothing of Vouch) that shows what this machine, Node and the
 * driver take before Vouch does anything.
 */
type Answerer = 'vouch' | 'no-op';

async function run(
  caching: Caching,
  phases: readonly Phase[],
  target?: RegistryTarget,
  answerer: Answerer = 'vouch',
): Promise<PhaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-bench-webhook-'));
  const config = writeInstallation(dir, caching, target);
  const args =
    answerer === 'vouch'
      ? [join(REPO, 'bin', 'vouch.js'), 'serve', '--config', config]
      : [join(REPO, 'bench', 'no-op-webhook.mjs'), join(dir, 'tls.crt'), join(dir, 'tls.key')];
  const started = await startResponder(args, join(dir, 'decisions.log')).catch((err) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  // One pool of keep-alive connections for the warm-up and the phases, as the apiserver keeps
  // its connections to a webhook.
  const agent = new Agent({
    keepAlive: true,
    ca: readFileSync(join(dir, 'tls.crt')),
    maxSockets: 32,
  });
  try {
    const results: PhaseResult[] = [];
    for (const phase of phases) {
      const result = await drive(started.url, agent, phase, started.child.pid ?? 0);
      if (!phase.name.startsWith('warm-up')) results.push(result);
    }
    return results;
  } finally {
    agent.destroy();
    await stopResponder(started.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runWebhookBench(
  rate: number,
  seconds: number,
  log: (line: string) => void,
): Promise<PhaseResult[]> {
  const warmUp = { name: 'warm-up', rate, seconds: Math.min(5, seconds) };
  log(
    `webhook: ${warmUp.seconds} s warm-up, ${seconds} s at ${rate}/s against a no-op webhook (the floor), then warm, then the cold path, then mixed`,
  );
  return [
    ...(await run('on', [warmUp, { name: 'floor (no-op)', rate, seconds }], undefined, 'no-op')),
    ...(await run('on', [warmUp, { name: 'warm (caches on)', rate, seconds }])),
    ...(await run('off', [
      { name: 'cold (caches off)', rate: COLD_RATE, seconds: Math.min(seconds, 10) },
    ])),
    ...(await run('mixed', [
      warmUp,
      { name: 'mixed (small pods)', rate, seconds: Math.min(seconds, 20), largeEvery: rate },
    ])),
    ...(await runRegistryPhases(Math.min(seconds, 10), log)),
  ];
}

/** The warm installation's allocation per admission, in this process (admission-allocation.ts). */
async function warmAllocation(): Promise<Allocation> {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-bench-webhook-'));
  try {
    return await admissionAllocation(dir, writeInstallation(dir, 'on'), (i) =>
      review(i, pinnedImages(i)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rates of the registry phases: every tag is resolved on every admission. */
const REGISTRY_RATE = 100;
const REGISTRY_COLD_RATE = 20;

/** The registry phases, when docker-registry is here (one line says so when it is not). */
async function runRegistryPhases(
  seconds: number,
  log: (line: string) => void,
): Promise<PhaseResult[]> {
  if (!registryPeersPresent()) {
    log('webhook: registry phases skipped (docker-registry and skopeo not installed)');
    return [];
  }
  const registry = await startRegistry('anonymous');
  try {
    const target = { host: registry.host, key: generateKeyPair('ecdsa-p256') };
    await seedRegistry(target);
    const images = podImages((n) => `${registry.host}/acme/app:v${n}`);
    return [
      ...(await run(
        'registry',
        [
          { name: 'warm-up', rate: REGISTRY_RATE, seconds: 2, images },
          { name: 'registry (tags)', rate: REGISTRY_RATE, seconds, images },
        ],
        target,
      )),
      ...(await run(
        'registry-cold',
        [{ name: 'registry cold', rate: REGISTRY_COLD_RATE, seconds, images }],
        target,
      )),
    ];
  } finally {
    await registry.stop();
  }
}

function formatPhases(results: readonly PhaseResult[]): string[] {
  const f = (ms: number) => ms.toFixed(2).padStart(8);
  return [
    'phase               rate/s  requests  errors     p50 ms   p99 ms   max ms   loop p99/max ms   driver loop   server <=5ms   RSS MiB start/max/end  growth',
    ...results.map(
      (r) =>
        `${r.name.padEnd(19)} ${String(r.rate).padStart(6)} ${String(r.sent).padStart(9)} ${String(r.errors).padStart(7)} ${f(r.p50)} ${f(r.p99)} ${f(r.max)}   ${(Number.isNaN(r.loop.max) ? '-' : `${r.loop.p99.toFixed(1)}/${r.loop.max.toFixed(1)}`).padStart(15)}   ${`${r.driverLoop.p99.toFixed(1)}/${r.driverLoop.max.toFixed(1)}`.padStart(11)}   ${(Number.isNaN(r.serverWithin5ms) ? '-' : `${(r.serverWithin5ms * 100).toFixed(2)}%`).padStart(12)}   ${`${r.rssMiB.start.toFixed(0)}/${r.rssMiB.max.toFixed(0)}/${r.rssMiB.end.toFixed(0)}`.padStart(21)}  ${`${r.rssGrowth.toFixed(1)}%`.padStart(6)}`,
    ),
    ...results.flatMap((r) =>
      r.large === undefined
        ? []
        : [
            `${r.name}: ${r.large.sent} large admissions (${r.large.errors} errors) p50 ${r.large.p50.toFixed(1)} ms, max ${r.large.max.toFixed(1)} ms; server event-loop delay p99 ${r.loop.p99.toFixed(1)} ms, max ${r.loop.max.toFixed(1)} ms`,
          ],
    ),
    `(${IMAGES} images, ${IMAGES + NOISE} attestations in the store, 3 images per pod; latency from each request's due time; floor: the same requests answered by a no-op Node HTTPS webhook; event-loop delays net of the ${LOOP_RESOLUTION_MS} ms sampling interval; RSS growth: median of the last quarter's samples over the first quarter's; mixed: once a second a Deployment of ${LARGE_IMAGES} images with ${LARGE_DOCUMENTS} attestations each, verified again, ${MIXED_CACHED_DOCUMENTS} documents cached; registry: pods name ${IMAGES} images by tag in a loopback docker-registry holding one provenance referrer each, tags resolved on every admission, discovery cached 30 s (cold: not cached, nothing cached))`,
  ];
}

export const webhookSuite: Suite = {
  name: 'webhook',
  description:
    '`vouch serve` over HTTPS on loopback, driven at a fixed rate with keep-alive connections: a no-op webhook (the floor), warm (caches on), cold, and warm with large admissions arriving (mixed)',
  async run(options: BenchOptions, log: (line: string) => void) {
    const results = await runWebhookBench(options.webhookRate, options.webhookSeconds, log);
    const allocation = await warmAllocation();
    const floor = results.find((r) => r.name.startsWith('floor'));
    const ratios: Ratio[] = results.flatMap((r): Ratio[] => [
      { name: `${r.name}: errors`, value: r.errors, unit: 'requests', target: atMost(0) },
      ...(r === floor ? [{ name: `${r.name}: p99`, value: r.p99, unit: 'ms' }] : []),
      ...(r.name.startsWith('warm')
        ? [
            { name: `${r.name}: p99`, value: r.p99, unit: 'ms', target: atMost(WARM_P99_MS) },
            ...(floor === undefined
              ? []
              : [{ name: `${r.name}: p99 over the floor's`, value: r.p99 / floor.p99 }]),
            {
              name: `${r.name}: RSS growth`,
              value: r.rssGrowth,
              unit: '%',
              target: atMost(FLAT_RSS_PERCENT),
            },
          ]
        : []),
      ...(r.large === undefined
        ? []
        : [
            { name: `${r.name}: p99`, value: r.p99, unit: 'ms' },
            { name: `${r.name}: max`, value: r.max, unit: 'ms' },
            {
              name: `${r.name}: large errors`,
              value: r.large.errors,
              unit: 'requests',
              target: atMost(0),
            },
            { name: `${r.name}: server event-loop delay max`, value: r.loop.max, unit: 'ms' },
          ]),
    ]);
    ratios.push(
      {
        name: 'warm admission: heap allocated (in-process)',
        value: allocation.admission,
        unit: 'KB',
      },
      { name: 'GET /healthz: heap allocated (in-process)', value: allocation.healthz, unit: 'KB' },
    );
    return {
      suite: this.name,
      description: this.description,
      measurements: [],
      ratios,
      table: [
        ...formatPhases(results),
        `heap allocated per warm admission (in-process, sampled): ${allocation.admission.toFixed(1)} KB; per GET /healthz: ${allocation.healthz.toFixed(1)} KB`,
      ],
    };
  },
};
