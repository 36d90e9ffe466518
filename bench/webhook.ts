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
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { envelopeToJson, signEnvelope } from '../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../src/attestation/envelope.js';
import { buildStatement } from '../src/attestation/statement.js';
import { type GeneratedKeyPair, generateKeyPair, loadPrivateKey } from '../src/crypto/keys.js';
import { RegistryClient } from '../src/sources/oci/client.js';
import { Deadline } from '../src/sources/oci/deadline.js';
import { MEDIA_TYPE } from '../src/sources/oci/media-types.js';
import { OciRegistry } from '../src/sources/oci/registry.js';
import { registryPeersPresent, startRegistry } from '../test/support/registry.js';
import { writeSelfSigned } from '../test/support/self-signed.js';
import { type Allocation, admissionAllocation } from './admission-allocation.js';
import { atMost, type BenchOptions, type Ratio, type Suite } from './harness.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMAGES = 20;
/** The cold path's rate: every admission verifies every document again. */
const COLD_RATE = 50;
/** DESIGN.md section 11 / issue 12: p99 of warm admissions, ms. */
const WARM_P99_MS = 5;
/** RSS growth over the warm phase that still counts as flat, % of its start. */
const FLAT_RSS_PERCENT = 10;
/**
 * monitorEventLoopDelay's sampling interval, the driver's and prom-client's (its default
 * eventLoopMonitoringPrecision): every sample it records includes it, so an idle loop reads
 * 10 ms. Delays are reported net of it.
 */
const LOOP_RESOLUTION_MS = 10;
const netOfResolution = (ms: number) => Math.max(0, ms - LOOP_RESOLUTION_MS);
/** How long a responder may take to listen, and a request to be answered (ms). */
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** What an allowed AdmissionReview response contains. */
const ALLOWED = Buffer.from('"allowed":true');
/** Attestations in the store besides each image's own provenance: other images' noise. */
const NOISE = 30;
/** The large admission of the mixed phase: images, and attestations of each to verify. */
const LARGE_IMAGES = 16;
const LARGE_DOCUMENTS = 64;
/**
 * The mixed phase's documents cache: room for the small pods' documents, not for the large
 * admission's, so each large admission verifies all of its documents again (and evicts the
 * small pods' few, which the next small admissions verify again: a small, honest cost).
 */
const MIXED_CACHED_DOCUMENTS = 64;

interface Phase {
  readonly name: string;
  readonly rate: number;
  readonly seconds: number;
  /** Every this many requests, one is the large admission instead of a small pod. */
  readonly largeEvery?: number;
  /** The images of small pod i (default: images pinned by digest, attested locally). */
  readonly images?: (i: number) => readonly string[];
}

/** A loopback registry holding the bench images (by tag) and their provenance (as referrers). */
interface RegistryTarget {
  readonly host: string;
  readonly key: GeneratedKeyPair;
}

/** Latency of the large admissions of a mixed phase. */
interface LargeResult {
  readonly sent: number;
  readonly errors: number;
  readonly p50: number;
  readonly max: number;
}

/** The server's event-loop delay over a phase, ms (nodejs_eventloop_lag_* gauges). */
interface LoopDelay {
  readonly p99: number;
  readonly max: number;
}

interface PhaseResult extends Phase {
  readonly sent: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly rssMiB: { start: number; max: number; end: number };
  /** RSS growth over the phase, % (rssGrowth). */
  readonly rssGrowth: number;
  readonly large?: LargeResult;
  readonly loop: LoopDelay;
  /** The driver's own event-loop delay: a stall here is in the latencies, not the server's. */
  readonly driverLoop: LoopDelay;
  /**
   * Share of the phase's admissions the server answered within 5 ms by its own clock (its
   * latency histogram): what it spent, without the network stack and the driver.
   */
  readonly serverWithin5ms: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const digestOf = (i: number) => sha256(`bench image ${i}`);
const largeDigestOf = (i: number) => sha256(`bench large image ${i}`);

/**
 * How the installation caches: warm, cold (off), mixed (documents cache too small for the
 * large admission); attestations in the registry, cached or not.
 */
type Caching = 'on' | 'off' | 'mixed' | 'registry' | 'registry-cold';

/** Signed SLSA provenance for one image digest, as the builder of the bench images signs it. */
function provenanceFor(pair: GeneratedKeyPair, subject: string): string {
  const finishedOn = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const statement = buildStatement(
    [{ name: 'ghcr.io/acme/app', digest: { sha256: subject } }],
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
  const key = loadPrivateKey(pair.privatePem);
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), [
    key,
  ]);
  return JSON.stringify(envelopeToJson(envelope));
}

/** Keys, a policy, attestations (local, or already in the registry), TLS and a ServerConfig. */
function writeInstallation(dir: string, caching: Caching, target?: RegistryTarget): string {
  const pair = target?.key ?? generateKeyPair('ecdsa-p256');
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
  const subjects = target === undefined ? [...Array(IMAGES + NOISE).keys()].map(digestOf) : [];
  if (caching === 'mixed') {
    for (let i = 0; i < LARGE_IMAGES; i++) {
      for (let d = 0; d < LARGE_DOCUMENTS; d++) subjects.push(largeDigestOf(i));
    }
  }
  for (const [i, subject] of subjects.entries()) {
    writeFileSync(join(att, `${i}.dsse.json`), provenanceFor(pair, subject));
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
${
  target === undefined
    ? '  attestations: {registry: false, dirs: [attestations]}'
    : '  registry: {plainHttp: true}\n  attestations: {registry: true, dirs: []}'
}
  cache: {documents: ${CACHED_DOCUMENTS[caching]}, discoveryTTL: ${caching.endsWith('off') || caching.endsWith('cold') ? '0s' : '30s'}}
  imagePolicies:
    - {name: acme, images: ["ghcr.io/acme/**", "127.0.0.1:*/acme/**"], policy: {file: policy.yaml}, mode: enforce}
`,
  );
  return config;
}

const CACHED_DOCUMENTS: Record<Caching, number> = {
  on: 10_000,
  off: 0,
  mixed: MIXED_CACHED_DOCUMENTS,
  registry: 10_000,
  'registry-cold': 0,
};

/** Three of the IMAGES images for pod i, named by `image(n)`. */
const podImages =
  (image: (n: number) => string) =>
  (i: number): string[] =>
    [0, 1, 2].map((c) => image((i + c * 7) % IMAGES));

const pinnedImages = podImages((n) => `ghcr.io/acme/app@sha256:${digestOf(n)}`);

/** A pod of three images, as the apiserver sends it. */
function review(i: number, images: readonly string[]): string {
  const containers = images.map((image, c) => ({ name: `c${c}`, image }));
  return admissionReview(i, 'Pod', { containers });
}

/**
 * Pushes the IMAGES bench images (tags v0..v19, each its own config) into the registry with
 * Vouch's client, and each one's provenance as an OCI 1.1 referrer (with the tag-schema index
 * docker-registry 2.8 needs).
 */
async function seedRegistry(target: RegistryTarget): Promise<void> {
  const client = new RegistryClient(target.host, { plainHttp: true });
  const oci = new OciRegistry({ plainHttp: true });
  const deadline = Deadline.after(60_000);
  try {
    for (let n = 0; n < IMAGES; n++) {
      const config = Buffer.from(JSON.stringify({ bench: n }));
      const configDigest = await client.pushBlob('acme/app', config, deadline);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPE.ociManifest,
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: configDigest,
            size: config.byteLength,
          },
          layers: [],
        }),
      );
      const { digest } = await client.pushManifest(
        'acme/app',
        `v${n}`,
        manifest,
        MEDIA_TYPE.ociManifest,
        deadline,
      );
      await oci.push(`oci://${target.host}/acme/app@${digest}`, {
        bytes: Buffer.from(provenanceFor(target.key, digest.slice('sha256:'.length))),
        format: 'dsse',
        created: new Date().toISOString(),
      });
    }
  } finally {
    client.close();
    oci.close();
  }
}

/** A Deployment of LARGE_IMAGES images, each with LARGE_DOCUMENTS attestations. */
function largeReview(i: number): string {
  const containers = [...Array(LARGE_IMAGES).keys()].map((c) => ({
    name: `c${c}`,
    image: `ghcr.io/acme/app@sha256:${largeDigestOf(c)}`,
  }));
  return admissionReview(i, 'Deployment', {
    replicas: 1,
    selector: { matchLabels: { app: 'large' } },
    template: { metadata: { labels: { app: 'large' } }, spec: { containers } },
  });
}

function admissionReview(i: number, kind: 'Pod' | 'Deployment', spec: object): string {
  const group = kind === 'Pod' ? '' : 'apps';
  const version = kind === 'Pod' ? 'v1' : 'apps/v1';
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `bench-${i}`,
      kind: { group, version: 'v1', kind },
      resource: { group, version: 'v1', resource: `${kind.toLowerCase()}s` },
      namespace: 'bench',
      operation: 'CREATE',
      userInfo: { username: 'bench' },
      object: {
        apiVersion: version,
        kind,
        metadata: { name: `p${i}`, namespace: 'bench' },
        spec,
      },
      dryRun: false,
    },
  });
}

/**
 * Starts a webhook process (`vouch serve`, or the floor's no-op responder) and resolves with it
 * and its URL once it logs that it listens. Its log goes to a file, as a container's goes to
 * the runtime: the driver's process never reads it, so it takes no turn of the driver's loop.
 */
function startResponder(args: readonly string[], log: string): Promise<Responder> {
  const out = openSync(log, 'w');
  const child = spawn(process.execPath, args, { stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const fail = (why: string) => {
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: ${why}`));
    };
    const poll = setInterval(() => {
      const url = /"url":"(https:[^"]+)"/.exec(readFileSync(log, 'utf8'))?.[1];
      if (url === undefined) {
        if (performance.now() - started > START_TIMEOUT_MS) fail('did not listen in time');
        return;
      }
      clearInterval(poll);
      child.off('exit', exited);
      resolve({ child, url });
    }, 50);
    const exited = (code: number | null) => fail(`exited with ${code}`);
    child.once('exit', exited);
    child.once('error', (err) => fail(err.message));
  });
}

/** Stops a responder; one that already exited (a crash during a phase) is not waited for. */
async function stopResponder(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Responder {
  readonly child: ChildProcess;
  readonly url: string;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * RSS growth over a phase, %: the median of its last quarter's samples over the median of its
 * first quarter's. A leak grows both; the heap's sawtooth (a major GC due or just done at the
 * phase's edges) moves single readings by a fifth, not a quarter's median.
 */
function rssGrowth(samples: readonly number[]): number {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const median = (xs: readonly number[]) => percentiles([...xs])(0.5);
  const first = median(samples.slice(0, quarter));
  return ((median(samples.slice(-quarter)) - first) / first) * 100;
}

/**
 * Sends `rate` requests a second for `seconds` on schedule; latency from each due time. The
 * bodies are encoded before the clock starts, so the driver spends its loop on sockets only.
 */
async function drive(url: string, agent: Agent, phase: Phase, pid: number): Promise<PhaseResult> {
  const total = Math.round(phase.rate * phase.seconds);
  const every = phase.largeEvery;
  const isLarge = (i: number) => every !== undefined && i % every === every - 1;
  const bodies = Array.from({ length: total }, (_, i) =>
    Buffer.from(isLarge(i) ? largeReview(i) : review(i, (phase.images ?? pinnedImages)(i))),
  );
  const latencies: number[] = [];
  const largeLatencies: number[] = [];
  let errors = 0;
  let largeErrors = 0;
  // Reading the gauges resets the server's event-loop histogram: the next reading is this phase's.
  const before = await serverGauges(url, agent);
  const rss = [rssMiB(pid)];
  const sampler = setInterval(() => rss.push(rssMiB(pid)), 250);
  const driverDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  driverDelay.enable();
  const t0 = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  const send = (i: number, due: number) =>
    new Promise<void>((resolve) => {
      const large = isLarge(i);
      const body = bodies[i] as Buffer;
      let settled = false;
      // Each request counts once: an answer cut off after it began ends in an error too.
      const settle = (latency: number | undefined) => {
        if (settled) return;
        settled = true;
        if (latency !== undefined) (large ? largeLatencies : latencies).push(latency);
        else if (large) largeErrors++;
        else errors++;
        resolve();
      };
      const req = request(
        `${url}/validate`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.byteLength },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const allowed = res.statusCode === 200 && Buffer.concat(chunks).includes(ALLOWED);
            settle(allowed ? performance.now() - due : undefined);
          });
        },
      );
      // An answer that never comes is an error, not a phase that never ends.
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('no answer in time')));
      req.on('error', () => settle(undefined));
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
  driverDelay.disable();
  const driverLoop = {
    p99: netOfResolution(driverDelay.percentile(99) / 1e6),
    max: netOfResolution(driverDelay.max / 1e6),
  };
  const after = await serverGauges(url, agent);
  const answered = after.admissions - before.admissions;
  const serverWithin5ms =
    answered === 0 ? Number.NaN : (after.within5ms - before.within5ms) / answered;
  rss.push(rssMiB(pid));
  const small = percentiles(latencies);
  const big = percentiles(largeLatencies);
  return {
    ...phase,
    sent: latencies.length + errors,
    errors,
    p50: small(0.5),
    p99: small(0.99),
    max: small(1),
    rssMiB: { start: rss[0] ?? 0, max: Math.max(...rss), end: rss.at(-1) ?? 0 },
    rssGrowth: rssGrowth(rss),
    ...(every === undefined
      ? {}
      : {
          large: {
            sent: largeLatencies.length + largeErrors,
            errors: largeErrors,
            p50: big(0.5),
            max: big(1),
          },
        }),
    loop: after.loop,
    driverLoop,
    serverWithin5ms,
  };
}

function percentiles(latencies: number[]): (q: number) => number {
  latencies.sort((a, b) => a - b);
  return (q) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
}

/** What the server's GET /metrics says, read before and after a phase. */
interface ServerGauges {
  /** Event-loop delay since the last reading (each reading resets it), ms. */
  readonly loop: LoopDelay;
  /** Admissions answered so far, and those the server itself answered within 5 ms. */
  readonly admissions: number;
  readonly within5ms: number;
}

function serverGauges(url: string, agent: Agent): Promise<ServerGauges> {
  return new Promise((resolve, reject) => {
    request(`${url}/metrics`, { agent }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => {
        const gauge = (name: string) =>
          Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1000;
        // vouch_admission_duration_seconds is one histogram per endpoint and answer: summed.
        const sum = (pattern: RegExp) =>
          [...text.matchAll(pattern)].reduce((n, m) => n + Number(m[1]), 0);
        resolve({
          loop: {
            p99: netOfResolution(gauge('nodejs_eventloop_lag_p99_seconds')),
            max: netOfResolution(gauge('nodejs_eventloop_lag_max_seconds')),
          },
          admissions: sum(/^vouch_admission_duration_seconds_count\{[^}]*\} (\S+)$/gm),
          within5ms: sum(/^vouch_admission_duration_seconds_bucket\{le="0\.005"[^}]*\} (\S+)$/gm),
        });
      });
    })
      .on('error', reject)
      .end();
  });
}

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
