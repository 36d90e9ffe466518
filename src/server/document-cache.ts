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
   * The trust material documents are verified against: the policy digest covers the file
   * (identities), every key and every trusted root, so a document verified under one trust
   * material is never reused under another.
   */
  #trustOf(policy: CompiledPolicy): string {
    return policy.digest.sha256;
  }
}

function weightOf(document: VerifiedDocument): number {
  return document.kind === 'signed' ? document.document.envelope.payload.byteLength : 0;
}
