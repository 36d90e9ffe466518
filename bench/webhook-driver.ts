/**
 * The webhook bench's driver: starts a responder (`vouch serve` or the no-op floor) and sends it
 * AdmissionReviews at a fixed rate over keep-alive HTTPS connections, open loop, latency from
 * each request's due time; reads the server's gauges and RSS around each phase.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { type Agent, request } from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { largeReview, pinnedImages, review } from './webhook-installation.js';

/**
 * monitorEventLoopDelay's sampling interval, the driver's and prom-client's (its default
 * eventLoopMonitoringPrecision): every sample it records includes it, so an idle loop reads
 * 10 ms. Delays are reported net of it.
 */
export const LOOP_RESOLUTION_MS = 10;
const netOfResolution = (ms: number) => Math.max(0, ms - LOOP_RESOLUTION_MS);
/** How long a responder may take to listen, and a request to be answered (ms). */
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** What an allowed AdmissionReview response contains. */
const ALLOWED = Buffer.from('"allowed":true');

export interface Phase {
  readonly name: string;
  readonly rate: number;
  readonly seconds: number;
  /** Every this many requests, one is the large admission instead of a small pod. */
  readonly largeEvery?: number;
  /** The images of small pod i (default: images pinned by digest, attested locally). */
  readonly images?: (i: number) => readonly string[];
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

export interface PhaseResult extends Phase {
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

/**
 * Starts a webhook process (`vouch serve`, or the floor's no-op responder) and resolves with it
 * and its URL once it logs that it listens. Its log goes to a file, as a container's goes to
 * the runtime: the driver's process never reads it, so it takes no turn of the driver's loop.
 */
export function startResponder(args: readonly string[], log: string): Promise<Responder> {
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
export async function stopResponder(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export interface Responder {
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
export async function drive(
  url: string,
  agent: Agent,
  phase: Phase,
  pid: number,
): Promise<PhaseResult> {
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
