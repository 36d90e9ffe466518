import {
  documentSigners,
  parseSignedDocument,
  type SignedDocument,
} from '../attestation/attestation.js';
import { attestationDigest, IN_TOTO_PAYLOAD_TYPE } from '../attestation/envelope.js';
import {
  parseStatement,
  type ResourceDescriptor,
  type Statement,
} from '../attestation/statement.js';
import { asVouchError } from '../errors.js';
import type { CompiledPolicy } from './compile.js';
import type { RejectionCode } from './decision.js';
import { type LogEvidence, logEvidence } from './log-evidence.js';

/** One candidate attestation as received (its exact bytes are what gets verified). */
export interface CandidateDocument {
  readonly bytes: Uint8Array | string;
  /** Where it was read (`file`, `file.jsonl#L3`, an OCI reference), reported in the decision. */
  readonly source?: string;
}

/**
 * What steps 1-3 (strict parse, payloadType, signatures) and the Statement parse found about
 * one document: a function of its bytes and the policy's keys only, so it may be remembered.
 * Subjects, times, thresholds and conditions are judged again on every evaluation.
 */
export type VerifiedDocument = RejectedDocument | Omit<SignedDocumentView, 'memo'>;

/** Remembered VerifiedDocuments by document digest; the caller binds it to one set of keys. */
export interface VerifiedDocumentMemo {
  get(digest: string): VerifiedDocument | undefined;
  set(digest: string, document: VerifiedDocument): void;
}

/** A document after the checks every requirement shares: parse, payloadType, signatures. */
export type ExaminedDocument = RejectedDocument | SignedDocumentView;

/** A document that counts for no requirement, and why (DESIGN.md section 6 steps 1-2). */
export interface RejectedDocument {
  readonly kind: 'rejected';
  readonly digest: string;
  readonly source: string | null;
  readonly code: RejectionCode;
  readonly message: string;
}

/** A well-formed in-toto envelope and who verifiably signed it (DESIGN.md section 6 step 3). */
export interface SignedDocumentView {
  readonly kind: 'signed';
  readonly digest: string;
  readonly source: string | null;
  readonly document: SignedDocument;
  /** Keyids of policy keys whose signature verifies. */
  readonly verified: readonly string[];
  /** Signers that need log evidence (keyless identities, logged keys), and refusals. */
  readonly logged: LogEvidence;
  /** Parsed only once some policy key verified it (never read an unverified claim). */
  readonly statement: Statement | undefined;
  readonly statementError: string | undefined;
  readonly memo: Memo;
}

/** What the requirements share about one signed document, each computed on first use. */
export interface Memo {
  celPredicate?: unknown;
  celSubject?: unknown;
  celStatement?: unknown;
  hints?: readonly string[];
  /** Who signed it, as every requirement it does not satisfy by signer reports. */
  signerNote?: string;
  /** The subject matching the artifact, or why none does. */
  subject?: ResourceDescriptor | string;
  /** Attestation time per timestampPath (undefined: the path holds no time). */
  times?: Map<string, number | undefined>;
}

/** A received document after the strict parse (DESIGN.md section 6 step 1), or why not. */
type ParsedCandidate = { readonly digest: string; readonly source: string | null } & (
  | { readonly document: SignedDocument }
  | { readonly code: RejectionCode; readonly message: string }
);

/** DESIGN.md section 6 step 1: the strict parse. */
function parseCandidate(candidate: CandidateDocument): ParsedCandidate {
  const source = candidate.source ?? null;
  try {
    const document = parseSignedDocument(candidate.bytes);
    return { digest: document.digest, source, document };
  } catch (err) {
    // A document that does not parse strictly never counts.
    const e = asVouchError(err);
    // UNSUPPORTED_BUNDLE keeps its code: "re-sign with a supported client", not "fix the JSON".
    const code = e.code === 'INTERNAL' || e.code === 'UNSUPPORTED_BUNDLE' ? e.code : 'MALFORMED';
    return { digest: attestationDigest(candidate.bytes), source, code, message: e.describe() };
  }
}

/**
 * One entry per digest, in digest order: repetition and order never matter. Of the same
 * bytes read from several places, the first source in code-unit order is the one reported.
 */
function earlier(a: string | null, b: string | null): boolean {
  return a !== null && (b === null || a < b);
}

function distinct(parsed: readonly ParsedCandidate[]): ParsedCandidate[] {
  const byDigest = new Map<string, ParsedCandidate>();
  for (const p of parsed) {
    const kept = byDigest.get(p.digest);
    if (kept === undefined || earlier(p.source, kept.source)) byDigest.set(p.digest, p);
  }
  return [...byDigest.values()].sort((a, b) =>
    a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0,
  );
}

/**
 * DESIGN.md section 6 steps 1-3 for every candidate, once for all requirements: distinct by
 * digest, in digest order, through the memo when the caller gives one.
 */
export function examineAll(
  candidates: readonly CandidateDocument[],
  policy: CompiledPolicy,
  memo: VerifiedDocumentMemo | undefined,
): ExaminedDocument[] {
  if (memo === undefined) {
    return distinct(candidates.map(parseCandidate)).map((d) => examine(d, policy));
  }
  // Same order and de-duplication as distinct(), but a remembered document is not parsed again.
  const byDigest = new Map<string, CandidateDocument>();
  for (const c of candidates) {
    const digest = attestationDigest(c.bytes);
    const kept = byDigest.get(digest);
    if (kept === undefined || earlier(c.source ?? null, kept.source ?? null)) {
      byDigest.set(digest, c);
    }
  }
  return [...byDigest]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([digest, c]) => {
      // Where the bytes were read belongs to this request, never to the cache.
      const source = c.source ?? null;
      const known = memo.get(digest);
      if (known !== undefined) {
        return known.kind === 'signed' ? { ...known, source, memo: {} } : { ...known, source };
      }
      const examined = examine(parseCandidate(c), policy);
      // An INTERNAL fault is not a property of the bytes: never remembered.
      if (examined.kind === 'signed') {
        const { memo: _perEvaluation, ...verified } = examined;
        memo.set(digest, verified);
      } else if (examined.code !== 'INTERNAL') {
        memo.set(digest, examined);
      }
      return examined;
    });
}

/** DESIGN.md section 6 steps 2 and 3, once per document for all requirements. */
function examine(parsed: ParsedCandidate, policy: CompiledPolicy): ExaminedDocument {
  if (!('document' in parsed)) return { kind: 'rejected', ...parsed };
  const { digest, source, document } = parsed;
  try {
    const { payloadType } = document.envelope;
    if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      return {
        kind: 'rejected',
        digest,
        source,
        code: 'WRONG_PAYLOAD_TYPE',
        message: `payloadType is ${JSON.stringify(payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`,
      };
    }
    const verified = documentSigners(document, policy.keys)
      .map((k) => k.keyid)
      .sort();
    const logged = logEvidence(document, policy.authorities, verified);
    let statement: Statement | undefined;
    let statementError: string | undefined;
    if (verified.length > 0 || logged.signers.length > 0) {
      try {
        statement = parseStatement(document.envelope.payload);
      } catch (err) {
        statementError = asVouchError(err).describe();
      }
    }
    return {
      kind: 'signed',
      digest,
      source,
      document,
      verified,
      logged,
      statement,
      statementError,
      memo: {},
    };
  } catch (err) {
    return {
      kind: 'rejected',
      digest,
      source,
      code: 'INTERNAL',
      message: asVouchError(err).describe(),
    };
  }
}
