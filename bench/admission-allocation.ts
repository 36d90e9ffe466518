/**
 * Heap a warm admission allocates, measured in-process: `vouch serve`'s server (serve.ts) on
 * the bench's installation, asked through fastify's inject (no sockets), with V8's sampling heap
 * profiler counting every allocation, collected ones included. On a 2-core machine the
 * webhook's p99 at 500 admissions/s follows what an admission allocates, not the CPU it takes
 * (docs/architecture.md, "Webhook latency under load"): this is the figure that moves it, and
 * unlike a p99 it barely varies from run to run. GET /healthz, asked the same way, is what
 * fastify and inject take for a request that judges nothing.
 */
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { serve } from '../src/server/serve.js';

export interface Allocation {
  /** KB per AdmissionReview answered. */
  readonly admission: number;
  /** KB per GET /healthz. */
  readonly healthz: number;
}

/** Bytes between samples: small enough that thousands of requests give a stable mean. */
const SAMPLING_INTERVAL = 1024;
const WARM_UP = 2000;
const MEASURED = 4000;

interface SamplingNode {
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

const allocated = (node: SamplingNode): number =>
  node.children.reduce((sum, child) => sum + allocated(child), node.selfSize);

export async function admissionAllocation(
  dir: string,
  config: string,
  body: (i: number) => string,
): Promise<Allocation> {
  const logger = pino(
    { base: { service: 'vouch' } },
    pino.destination({ dest: join(dir, 'in-process.log'), sync: true }),
  );
  const running = await serve(config, { logger });
  const session = new Session();
  session.connect();
  // Encoded before sampling starts: building a request is the driver's work, not the server's.
  const bodies = Array.from({ length: WARM_UP + MEASURED }, (_, i) => body(i));
  const admit = (i: number) =>
    running.server.app.inject({
      method: 'POST',
      url: '/validate',
      headers: { 'content-type': 'application/json' },
      payload: bodies[i] as string,
    });
  const healthz = () => running.server.app.inject({ method: 'GET', url: '/healthz' });
  // KB per request of `ask`, over MEASURED requests after WARM_UP (caches filled, code optimised).
  const measure = async (ask: (i: number) => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < WARM_UP; i++) await ask(i);
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (let i = 0; i < MEASURED; i++) await ask(WARM_UP + i);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    return allocated(profile.head as SamplingNode) / MEASURED / 1024;
  };
  try {
    // What is measured must be the warm path that allows, not a failure's.
    const first = await admit(0);
    if (!first.body.includes('"allowed":true')) {
      throw new Error(`the bench admission was not allowed: ${first.body.slice(0, 300)}`);
    }
    return { admission: await measure(admit), healthz: await measure(healthz) };
  } finally {
    session.disconnect();
    await running.close();
    logger.flush();
  }
}
