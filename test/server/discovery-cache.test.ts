import { describe, expect, it } from 'vitest';
import { DiscoveryCache } from '../../src/server/discovery-cache.js';

describe('the discovery cache', () => {
  it('keeps a discovery for the TTL, then discovers again', async () => {
    let now = 1_000_000;
    let loads = 0;
    const cache = new DiscoveryCache<number>(30_000, () => now);
    const load = async () => ++loads;
    expect(await cache.discover('k', load)).toBe(1);
    now += 29_999;
    expect(await cache.discover('k', load)).toBe(1);
    now += 1;
    expect(await cache.discover('k', load)).toBe(2);
  });

  it('a wall clock stepped back (NTP, a VM resumed) does not keep an entry past its TTL', async () => {
    // Attack: a deleted attestation (or a changed namespace label) keeps counting for as long
    // as the clock reads earlier than when the entry was stored, however long that really is.
    let now = 1_000_000;
    let loads = 0;
    const cache = new DiscoveryCache<number>(30_000, () => now);
    const load = async () => ++loads;
    expect(await cache.discover('k', load)).toBe(1);
    now -= 3_600_000;
    expect(await cache.discover('k', load)).toBe(2);
  });

  it('keeps discoveries within a byte budget: large ones push older ones out, an oversized one is not kept', async () => {
    // Attack: images with hundreds of large attestations, each kept for the TTL, until the heap
    // is gone (and with failurePolicy Fail, every admission with it).
    let loads = 0;
    const cache = new DiscoveryCache<number>(
      30_000,
      () => 0,
      undefined,
      100,
      100,
      (n) => n,
    );
    const load = (weight: number) => async () => {
      loads++;
      return weight;
    };
    await cache.discover('a', load(60));
    await cache.discover('b', load(60));
    await cache.discover('b', load(60));
    expect(loads).toBe(2);
    await cache.discover('a', load(60));
    expect(loads).toBe(3);
    await cache.discover('huge', load(150));
    await cache.discover('huge', load(150));
    expect(loads).toBe(5);
  });
});
