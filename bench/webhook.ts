/**
 * Admission webhook load: `vouch serve` in its own process, driven over HTTPS on loopback by a
 * fixed-schedule (open-loop) client with keep-alive connections, as the apiserver's client is.
 * Request i is due at t0 + i/rate whatever came back before, and its latency is measured from
 * that due time, so a stall shows up in the percentiles (autocannon's -R sends in bursts per
 * tick, which overstates p99). Warm: caches on, after a warm-up. Cold: caches off, so every
 * admission discovers and verifies every attestation again. Reports p50/p99/max, errors and
 * the server's RSS (start, max, end).
 *
 *   npm run bench -- --suite webhook [--webhook-rate 500] [--webhook-seconds 60]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envelopeToJson, signEnvelope } from '../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../src/attestation/envelope.js';
import { buildStatement } from '../src/attestation/statement.js';
import { generateKeyPair, loadPrivateKey } from '../src/crypto/keys.js';
import { writeSelfSigned } from '../test/support/self-signed.js';
import { atMost, type BenchOptions, type Ratio, type Suite } from './harness.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMAGES = 20;
/** The cold path's rate: every admission verifies every document again. */
const COLD_RATE = 50;
/** DESIGN.md section 11 / issue 12: p99 of warm admissions, ms. */
const WARM_P99_MS = 5;
/** RSS growth over the warm phase that still counts as flat, % of its start. */
const FLAT_RSS_PERCENT = 10;
/** Attestations in the store besides each image's own provenance: other images' noise. */
const NOISE = 30;

interface Phase {
  readonly name: string;
  readonly rate: number;
  readonly seconds: number;
}

interface PhaseResult extends Phase {
  readonly sent: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly rssMiB: { start: number; max: number; end: number };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const digestOf = (i: number) => sha256(`bench image ${i}`);

/** Keys, a policy, attestations, TLS and a ServerConfig in a temporary directory. */
function writeInstallation(dir: string, caches: boolean): string {
  const pair = generateKeyPair('ecdsa-p256');
  const key = loadPrivateKey(pair.privatePem);
  writeFileSync(join(dir, 'builder.pub'), pair.publicPem);
  writeFileSync(
    join(dir, 'policy.yaml'),
    `apiVersion: vouch/v1
kind: Policy
metadata: {name: bench}
spec:
  authorities: {builder: {keys: [{file: builder.pub}]}}
  requirements:
    - name: provenance
      predicateType: https://slsa.dev/provenance/v1
      signers: [builder]
      maxAge: 720h
      condition: predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"
`,
  );
  const att = join(dir, 'attestations');
  mkdirSync(att, { recursive: true });
  const finishedOn = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  for (let i = 0; i < IMAGES + NOISE; i++) {
    const statement = buildStatement(
      [{ name: 'ghcr.io/acme/app', digest: { sha256: digestOf(i) } }],
      'https://slsa.dev/provenance/v1',
      {
        buildDefinition: {
          buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
          externalParameters: {
            workflow: {
              repository: 'https://github.com/acme/app',
              ref: 'refs/heads/main',
              path: 'release.yml',
            },
          },
        },
        runDetails: {
          builder: { id: 'https://github.com/actions/runner' },
          metadata: { finishedOn },
        },
      },
    );
    const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), [
      key,
    ]);
    writeFileSync(join(att, `${i}.dsse.json`), JSON.stringify(envelopeToJson(envelope)));
  }
  writeSelfSigned(join(dir, 'tls.key'), join(dir, 'tls.crt'), 'bench', ['IP:127.0.0.1']);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `apiVersion: vouch/v1
kind: ServerConfig
spec:
  listen: 127.0.0.1:0
  tls: {cert: tls.crt, key: tls.key}
  attestations: {registry: false, dirs: [attestations]}
  cache: {documents: ${caches ? 10000 : 0}, discoveryTTL: ${caches ? '30s' : '0s'}}
  imagePolicies:
    - {name: acme, images: ["ghcr.io/acme/**"], policy: {file: policy.yaml}, mode: enforce}
`,
  );
  return config;
}

/** A pod of three images, as the apiserver sends it. */
function review(i: number): string {
  const containers = [0, 1, 2].map((c) => ({
    name: `c${c}`,
    image: `ghcr.io/acme/app@sha256:${digestOf((i + c * 7) % IMAGES)}`,
  }));
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `bench-${i}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'bench',
      operation: 'CREATE',
      userInfo: { username: 'bench' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p${i}`, namespace: 'bench' },
        spec: { containers },
      },
      dryRun: false,
    },
  });
}

/** Starts `vouch serve` and resolves with its pid and URL once it logs that it listens. */
function startServer(config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin', 'vouch.js'), 'serve', '--config', config],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const url = /"url":"(https:[^"]+)"/.exec(buffered)?.[1];
      if (url !== undefined) {
        // From here on the decision log is read and dropped, so the pipe never fills.
        buffered = '';
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({ child, url });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`vouch serve exited with ${code}`)));
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Sends `rate` requests a second for `seconds` on schedule; latency from each due time. */
async function drive(url: string, ca: Buffer, phase: Phase, pid: number): Promise<PhaseResult> {
  const agent = new Agent({ keepAlive: true, ca, maxSockets: 32 });
  const total = Math.round(phase.rate * phase.seconds);
  const latencies: number[] = [];
  let errors = 0;
  const rss = { start: rssMiB(pid), max: 0, end: 0 };
  const sampler = setInterval(() => {
    rss.max = Math.max(rss.max, rssMiB(pid));
  }, 250);
  const t0 = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  const send = (i: number, due: number) =>
    new Promise<void>((resolve) => {
      const body = review(i);
      const req = request(
        `${url}/validate`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if (res.statusCode !== 200 || !text.includes('"allowed":true')) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  for (let i = 0; i < total; ) {
    const now = performance.now();
    // Every request that is due goes out now (open loop: no waiting for answers).
    while (i < total && t0 + (i * 1000) / phase.rate <= now) {
      inFlight.push(send(i, t0 + (i * 1000) / phase.rate));
      i++;
    }
    await new Promise((r) =>
      setTimeout(r, Math.max(0, t0 + (i * 1000) / phase.rate - performance.now())),
    );
  }
  await Promise.all(inFlight);
  clearInterval(sampler);
  agent.destroy();
  rss.end = rssMiB(pid);
  rss.max = Math.max(rss.max, rss.end);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    ...phase,
    sent: total,
    errors,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies.at(-1) ?? Number.NaN,
    rssMiB: rss,
  };
}

async function run(caches: boolean, phases: readonly Phase[]): Promise<PhaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-bench-webhook-'));
  const started = await startServer(writeInstallation(dir, caches)).catch((err) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  try {
    const ca = readFileSync(join(dir, 'tls.crt'));
    const results: PhaseResult[] = [];
    for (const phase of phases) {
      const result = await drive(started.url, ca, phase, started.child.pid ?? 0);
      if (!phase.name.startsWith('warm-up')) results.push(result);
    }
    return results;
  } finally {
    started.child.kill('SIGTERM');
    await new Promise((r) => started.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runWebhookBench(
  rate: number,
  seconds: number,
  log: (line: string) => void,
): Promise<PhaseResult[]> {
  const warmUp = { name: 'warm-up', rate, seconds: Math.min(5, seconds) };
  log(`webhook: ${warmUp.seconds} s warm-up, ${seconds} s at ${rate}/s warm, then the cold path`);
  // Local attestation directories. A registry-discovery phase (vouch serve reading the
  // attestations from the loopback registry bench/registry.ts starts) is one more run() with
  // an installation whose ServerConfig names that registry; its results join these.
  return [
    ...(await run(true, [warmUp, { name: 'warm (caches on)', rate, seconds }])),
    ...(await run(false, [
      { name: 'cold (caches off)', rate: COLD_RATE, seconds: Math.min(seconds, 10) },
    ])),
  ];
}

function formatPhases(results: readonly PhaseResult[]): string[] {
  const f = (ms: number) => ms.toFixed(2).padStart(8);
  return [
    'phase               rate/s  requests  errors     p50 ms   p99 ms   max ms   RSS MiB start/max/end',
    ...results.map(
      (r) =>
        `${r.name.padEnd(19)} ${String(r.rate).padStart(6)} ${String(r.sent).padStart(9)} ${String(r.errors).padStart(7)} ${f(r.p50)} ${f(r.p99)} ${f(r.max)}   ${r.rssMiB.start.toFixed(0)}/${r.rssMiB.max.toFixed(0)}/${r.rssMiB.end.toFixed(0)}`,
    ),
    `(${IMAGES} images, ${IMAGES + NOISE} attestations in the store, 3 images per pod; latency from each request's due time)`,
  ];
}

export const webhookSuite: Suite = {
  name: 'webhook',
  description:
    '`vouch serve` over HTTPS on loopback, driven at a fixed rate with keep-alive connections: warm (caches on) and cold',
  async run(options: BenchOptions, log: (line: string) => void) {
    const results = await runWebhookBench(options.webhookRate, options.webhookSeconds, log);
    const ratios: Ratio[] = results.flatMap((r): Ratio[] => [
      { name: `${r.name}: errors`, value: r.errors, unit: 'requests', target: atMost(0) },
      ...(r.name.startsWith('warm')
        ? [
            { name: `${r.name}: p99`, value: r.p99, unit: 'ms', target: atMost(WARM_P99_MS) },
            {
              name: `${r.name}: RSS growth`,
              value: ((r.rssMiB.end - r.rssMiB.start) / r.rssMiB.start) * 100,
              unit: '%',
              target: atMost(FLAT_RSS_PERCENT),
            },
          ]
        : []),
    ]);
    return {
      suite: this.name,
      description: this.description,
      measurements: [],
      ratios,
      table: formatPhases(results),
    };
  },
};
