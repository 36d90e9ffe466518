import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/sources/oci/deadline.js';

// A deadline's signal is made when first asked for (most verifications in a server never send
// a request); it must still end at the deadline's time, not that long after the first use.

const abortedWithin = (signal: AbortSignal, ms: number): Promise<boolean> =>
  Promise.race([
    new Promise<boolean>((resolve) => {
      if (signal.aborted) resolve(true);
      signal.addEventListener('abort', () => resolve(true), { once: true });
    }),
    sleep(ms).then(() => false),
  ]);

describe('a registry operation deadline', () => {
  it('asked for its signal after it passed, is already aborted', async () => {
    const deadline = Deadline.after(20);
    await sleep(40);
    expect(deadline.remaining()).toBe(0);
    expect(deadline.signal.aborted).toBe(true);
  });

  it('asked for its signal late, still aborts at its own time', async () => {
    const deadline = Deadline.after(300);
    await sleep(200);
    const started = Date.now();
    expect(await abortedWithin(deadline.signal, 1000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('aborts with the signal it was tied to, and gives the same signal each time', async () => {
    const parent = new AbortController();
    const deadline = Deadline.after(60_000, parent.signal);
    const signal = deadline.signal;
    expect(deadline.signal).toBe(signal);
    parent.abort(new Error('admission ended'));
    expect(await abortedWithin(signal, 200)).toBe(true);
  });
});
