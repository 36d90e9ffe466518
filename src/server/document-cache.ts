import { hash } from 'node:crypto';
import type { CompiledPolicy } from '../policy/compile.js';
import type { VerifiedDocument, VerifiedDocumentMemo } from '../policy/evaluate.js';
import { LruMap } from './lru.js';

export type CacheCounter = (result: 'hit' | 'miss') => void;

/** Bytes of remembered documents, whatever the entry count. */
const MAX_CACHED_BYTES = 256 * 1024 * 1024;

/**
 * The verified-document cache (DESIGN.md section 11): what the strict parse, the signature
 * checks and the Statement parse found about a document, keyed by the document's digest and
 * the policy's trust material. Only those steps are remembered: subjects, times, thresholds and
 * conditions are judged on every request, so a hit can make an answer faster, never different.
 */
export class DocumentCache {
  readonly #entries: LruMap<string, VerifiedDocument>;
  readonly #trust = new WeakMap<CompiledPolicy, string>();

  constructor(
    maxEntries: number,
    private readonly count: CacheCounter = () => {},
  ) {
    this.#entries = new LruMap(maxEntries, MAX_CACHED_BYTES);
  }

  /** A memo for one compiled policy: its entries are shared with every policy holding the same keys. */
  forPolicy(policy: CompiledPolicy): VerifiedDocumentMemo {
    const trust = this.#trustOf(policy);
    return {
      get: (digest) => {
        const found = this.#entries.get(`${trust}/${digest}`);
        this.count(found === undefined ? 'miss' : 'hit');
        return found;
      },
      set: (digest, document) => {
        this.#entries.set(`${trust}/${digest}`, document, weightOf(document));
      },
    };
  }

  /**
   * The trust material signatures are checked against: every key of the policy (keyids are
   * digests of canonical SPKI). A policy with other keys never sees these entries.
   */
  #trustOf(policy: CompiledPolicy): string {
    let trust = this.#trust.get(policy);
    if (trust === undefined) {
      trust = hash('sha256', policy.keys.map((k) => k.keyid).join(','), 'hex');
      this.#trust.set(policy, trust);
    }
    return trust;
  }
}

function weightOf(document: VerifiedDocument): number {
  return document.kind === 'signed' ? document.document.envelope.payload.byteLength : 0;
}
