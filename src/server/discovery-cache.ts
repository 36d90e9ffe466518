import type { CacheCounter } from './document-cache.js';
import { LruMap } from './lru.js';

/**
 * Discovered attestations per image, kept for a short TTL (DESIGN.md section 11): it bounds how
 * long a newly pushed (or deleted) attestation takes to be seen. Concurrent lookups of one key
 * share one discovery; a failed discovery (or one `keep` refuses) is never kept.
 */
export class DiscoveryCache<T> {
  readonly #entries: LruMap<string, { at: number; documents: Promise<T> }>;

  constructor(
    private readonly ttl: number,
    private readonly clock: () => number = Date.now,
    private readonly count: CacheCounter = () => {},
    maxEntries = 10_000,
    /** Bounds what is kept by size too (the bytes of discovered documents), with `weigh`. */
    maxWeight = Number.POSITIVE_INFINITY,
    private readonly weigh: (found: T) => number = () => 0,
  ) {
    this.#entries = new LruMap(maxEntries, maxWeight);
  }

  /** `keep` says whether a discovery that succeeded may be kept (one with failed paths is not). */
  discover(
    key: string,
    load: () => Promise<T>,
    keep: (found: T) => boolean = () => true,
  ): Promise<T> {
    const now = this.clock();
    const found = this.#entries.get(key);
    // An age below zero is a clock stepped back, not a fresh entry: it is not trusted.
    const age = found === undefined ? Number.NaN : now - found.at;
    if (found !== undefined && age >= 0 && age < this.ttl) {
      this.count('hit');
      return found.documents;
    }
    this.count('miss');
    const documents = load();
    if (this.ttl > 0) {
      const entry = { at: now, documents };
      this.#entries.set(key, entry);
      const ours = (): boolean => this.#entries.get(key)?.documents === documents;
      const forget = (): void => {
        if (ours()) this.#entries.delete(key);
      };
      documents.then((value) => {
        if (!keep(value)) forget();
        else if (ours()) this.#entries.set(key, entry, this.weigh(value));
      }, forget);
    }
    return documents;
  }
}
