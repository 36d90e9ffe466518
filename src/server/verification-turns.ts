import { setImmediate } from 'node:timers';
import { attestationDigest } from '../attestation/envelope.js';
import type { CompiledPolicy } from '../policy/compile.js';
import {
  type CandidateDocument,
  examineAll,
  type VerifiedDocument,
  type VerifiedDocumentMemo,
} from '../policy/examine.js';

/** CPU time verifications may take in one turn of the event loop, ms. */
const TURN_BUDGET_MS = 2;

/**
 * Shares the event loop between verifications: signature checks run in turns of a few
 * milliseconds, and between turns the loop serves I/O (other admissions' requests, their
 * answers). Measured (bench webhook, mixed phase): a Deployment of 16 images with 64
 * attestations each held the loop for ~360 ms in one run of immediates, and every small
 * admission behind it waited that long. The budget is shared by every verification: waiting
 * verifications resume in the order they waited, one after another, while a turn lasts.
 */
export class VerificationTurns {
  /** End of the open turn's budget; undefined when no turn is open. */
  #until: number | undefined;
  /** Settles when the open turn closes (the loop has served I/O since it opened). */
  #closed: Promise<void> = Promise.resolve();

  constructor(private readonly budgetMs = TURN_BUDGET_MS) {}

  /** Resolves when the caller may spend CPU: at once while the open turn has budget left. */
  async next(): Promise<void> {
    for (;;) {
      const now = performance.now();
      // Whoever opens a turn runs in it, whatever the budget: every turn makes progress.
      if (this.#until === undefined) return this.#open(now);
      if (now < this.#until) return;
      await this.#closed;
    }
  }

  #open(now: number): void {
    this.#until = now + this.budgetMs;
    // An immediate queued now runs after the next poll phase at the latest: the turn closes
    // once the loop has served the I/O that waited.
    this.#closed = new Promise((resolve) =>
      setImmediate(() => {
        this.#until = undefined;
        resolve();
      }),
    );
  }
}

/**
 * The memo of one verification: what the shared cache knows, asked once per document, and
 * what this verification found itself, kept even when the shared cache keeps nothing.
 */
export function verificationMemo(shared: VerifiedDocumentMemo): VerifiedDocumentMemo {
  const known = new Map<string, VerifiedDocument | undefined>();
  return {
    get(digest) {
      if (known.has(digest)) return known.get(digest);
      const found = shared.get(digest);
      known.set(digest, found);
      return found;
    },
    set(digest, document) {
      known.set(digest, document);
      shared.set(digest, document);
    },
  };
}

/**
 * DESIGN.md section 6 steps 1-3 for each candidate not yet in `memo`, one document at a time
 * in turns, so that the evaluation that follows (evaluatePolicy with the same memo) finds every
 * document examined and runs in one short turn. The memo holds exactly what evaluatePolicy
 * would compute itself (examineAll), so the decision is the same.
 */
export async function examineInTurns(
  documents: readonly CandidateDocument[],
  policy: CompiledPolicy,
  memo: VerifiedDocumentMemo,
  turns: VerificationTurns,
  signal?: AbortSignal,
): Promise<void> {
  for (const document of documents) {
    // Past the deadline nobody waits for the answer: stop spending CPU on it (fails closed).
    signal?.throwIfAborted();
    if (memo.get(attestationDigest(document.bytes)) !== undefined) continue;
    await turns.next();
    examineAll([document], policy, memo);
  }
}
