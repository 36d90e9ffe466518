import { digestSetsMatch } from '../attestation/digest-set.js';
import type { ResourceDescriptor, Statement } from '../attestation/statement.js';
import { toUtcTimestamp } from '../encoding/rfc3339.js';
import { asVouchError } from '../errors.js';
import { attestationTime } from '../predicates/timestamps.js';
import type { CompiledPolicy, CompiledRequirement } from './compile.js';
import { type ConditionResult, type ConditionVariables, toCelValue } from './condition.js';
import type { Artifact, Rejection, RequirementResult, SatisfiedBy, Signer } from './decision.js';
import type { ExaminedDocument, SignedDocumentView } from './examine.js';
import {
  belowThreshold,
  conditionRejection,
  expired,
  futureTimestamp,
  missingText,
  noSubjectMatches,
  noTimestamp,
  type RejectionReason,
  signerRejection,
  weakSubjectMismatch,
} from './rejections.js';

/** What every requirement of one evaluation is judged against. */
export interface EvaluationContext {
  readonly policy: CompiledPolicy;
  readonly artifact: Artifact;
  /** The evaluation time T in epoch ms. */
  readonly now: number;
  readonly nowDate: Date;
}

/** One requirement's outcome, with when it stops holding. */
export interface RequirementJudgement {
  readonly result: RequirementResult;
  /** When the requirement stops being satisfied (+Infinity: never; -Infinity: not satisfied). */
  readonly expiry: number;
}

/** One signer for which a document counts, with its expiry in epoch ms (+Infinity: never). */
interface CountedSigner {
  readonly entry: SatisfiedBy;
  readonly expires: number;
}

/** One document judged for one requirement: the signers it counts for, or why it counts for none. */
type DocumentVerdict =
  | { readonly counts: true; readonly counted: readonly CountedSigner[] }
  | ({ readonly counts: false } & RejectionReason);

/** One requirement being judged, with what its messages share. */
interface RequirementScope {
  readonly requirement: CompiledRequirement;
  /** Its authorities as messages name them, e.g. "builder or security". */
  readonly who: string;
  readonly context: EvaluationContext;
}

/** DESIGN.md section 6 for one requirement over every examined document, then its threshold. */
export function judgeRequirement(
  requirement: CompiledRequirement,
  documents: readonly ExaminedDocument[],
  context: EvaluationContext,
): RequirementJudgement {
  const scope: RequirementScope = { requirement, who: requirement.signers.join(' or '), context };
  const counted: CountedSigner[] = [];
  const rejected: Rejection[] = [];
  for (const doc of documents) {
    let verdict: DocumentVerdict;
    try {
      verdict =
        doc.kind === 'rejected'
          ? { counts: false, code: doc.code, message: doc.message }
          : judgeDocument(scope, doc);
    } catch (err) {
      verdict = { counts: false, code: 'INTERNAL', message: asVouchError(err).describe() };
    }
    if (verdict.counts) {
      counted.push(...verdict.counted);
    } else {
      rejected.push({
        attestation: doc.digest,
        source: doc.source,
        code: verdict.code,
        message: verdict.message,
      });
    }
  }
  // Thresholds count distinct signers, however many attestations one signer made.
  const keyExpiry = new Map<string, number>();
  for (const { entry, expires } of counted) {
    const signer = signerKey(entry.signer);
    keyExpiry.set(signer, Math.max(keyExpiry.get(signer) ?? expires, expires));
  }
  const { name, threshold } = requirement;
  const entries = counted.map((c) => c.entry);
  if (keyExpiry.size >= threshold) {
    // Satisfied until fewer than `threshold` keys have a counting attestation left: the
    // threshold-th latest key expiry.
    const expiries = [...keyExpiry.values()].sort((a, b) => b - a);
    return {
      result: { name, satisfied: true, satisfiedBy: entries, rejected },
      expiry: expiries[threshold - 1] ?? Number.NEGATIVE_INFINITY,
    };
  }
  rejected.push(...belowThreshold(entries, threshold, scope.who, keyExpiry.size));
  rejected.sort((a, b) =>
    a.attestation < b.attestation ? -1 : a.attestation > b.attestation ? 1 : 0,
  );
  const missing = missingText(requirement, scope.who, entries, keyExpiry.size);
  return {
    result: { name, satisfied: false, satisfiedBy: [], rejected, missing },
    expiry: Number.NEGATIVE_INFINITY,
  };
}

/** A signer's identity for counting: the same key under two authorities counts once. */
function signerKey(signer: Signer): string {
  return `${signer.kind} ${signer.id}`;
}

/** DESIGN.md section 6 steps 3–7 for one signed document and one requirement. */
function judgeDocument(scope: RequirementScope, doc: SignedDocumentView): DocumentVerdict {
  const { requirement, context } = scope;
  const signers = requirementSigners(requirement, doc);
  if (signers.length === 0) {
    return {
      counts: false,
      ...signerRejection(doc, requirement, scope.who, context.policy),
    };
  }
  const { statement } = doc;
  if (statement === undefined) {
    return { counts: false, code: 'MALFORMED', message: `statement: ${doc.statementError ?? '?'}` };
  }
  if (statement.predicateType !== requirement.predicateType) {
    return {
      counts: false,
      code: 'WRONG_PREDICATE_TYPE',
      message: `predicateType is ${statement.predicateType}, not ${requirement.predicateType}`,
    };
  }
  const subject = matchingSubject(doc, statement, context.artifact);
  if (typeof subject === 'string') {
    return { counts: false, code: 'SUBJECT_MISMATCH', message: subject };
  }
  const time =
    requirement.timeSource === 'log' ? doc.logged.time : timeAt(doc, statement, requirement);
  if (requirement.maxAge !== undefined) {
    const rejection = timeRejection(scope, requirement.maxAge, time);
    if (rejection !== undefined) return { counts: false, ...rejection };
  }
  const expires =
    requirement.maxAge === undefined || time === undefined
      ? Number.POSITIVE_INFINITY
      : time + requirement.maxAge;
  const counted: CountedSigner[] = [];
  const failures: ConditionResult[] = [];
  let variables: DocumentVariables | undefined;
  for (const { authority, kind, id: keyid } of signers) {
    variables = new DocumentVariables(
      doc,
      statement,
      subject,
      { authority, keyid },
      context.nowDate,
    );
    const outcome = requirement.condition?.evaluate(variables) ?? { ok: true, value: true };
    // DESIGN.md section 6 step 7: only exactly `true` counts.
    if (outcome.ok && outcome.value === true) {
      const signer: Signer = { authority, kind, id: keyid };
      const entry: SatisfiedBy = {
        attestation: doc.digest,
        source: doc.source,
        signer,
        time: time === undefined ? null : toUtcTimestamp(time),
        expiresAt: Number.isFinite(expires) ? toUtcTimestamp(expires) : null,
      };
      counted.push({ entry, expires });
    } else {
      failures.push(outcome);
    }
  }
  if (counted.length > 0) return { counts: true, counted };
  const error = failures.find((f): f is Extract<ConditionResult, { ok: false }> => !f.ok);
  const read =
    variables === undefined ? '' : (requirement.condition?.describeReads(variables) ?? '');
  return {
    counts: false,
    ...conditionRejection(requirement.condition?.source ?? '', read, error?.error),
  };
}

/**
 * DESIGN.md section 6 step 3 for one requirement: plain keys of its authorities that verified,
 * then its logged signers (keyless identities).
 */
function requirementSigners(
  requirement: CompiledRequirement,
  doc: SignedDocumentView,
): readonly { readonly authority: string; readonly kind: Signer['kind']; readonly id: string }[] {
  // Plain loops: this runs for every requirement and document, and flatMap with spreads
  // allocated four arrays per call (measured in bench/policy.ts).
  const signers: { authority: string; kind: Signer['kind']; id: string }[] = [];
  for (const id of doc.verified) {
    const authority = requirement.trusted.get(id);
    if (authority !== undefined) signers.push({ authority, kind: 'key', id });
  }
  for (const s of doc.logged.signers) if (requirement.logged.has(s.authority)) signers.push(s);
  return signers;
}

/**
 * The CEL variables of one document and counted key. A variable the condition never reads is
 * never converted. The getters sit on the prototype: accessors in an object literal are made
 * anew for every object and keep the whole document alive past young-generation collections.
 */
class DocumentVariables implements ConditionVariables {
  readonly predicateType: string;

  constructor(
    private readonly doc: SignedDocumentView,
    private readonly parsed: Statement,
    private readonly matched: ResourceDescriptor,
    readonly signer: ConditionVariables['signer'],
    readonly now: Date,
  ) {
    this.predicateType = parsed.predicateType;
  }

  get predicate(): unknown {
    this.doc.memo.celPredicate ??= toCelValue(this.parsed.predicate);
    return this.doc.memo.celPredicate;
  }

  get subject(): unknown {
    this.doc.memo.celSubject ??= toCelValue(this.matched);
    return this.doc.memo.celSubject;
  }

  get statement(): unknown {
    this.doc.memo.celStatement ??= toCelValue(this.parsed);
    return this.doc.memo.celStatement;
  }
}

/** DESIGN.md section 6 step 6: time exists, time <= T + clockSkew and T - time <= maxAge. */
function timeRejection(
  scope: RequirementScope,
  maxAge: number,
  time: number | undefined,
): RejectionReason | undefined {
  const { requirement, context } = scope;
  const fromLog = requirement.timeSource === 'log';
  const field = fromLog ? 'verified log time' : (requirement.timestampPath ?? '?');
  if (time === undefined) return noTimestamp(fromLog, field);
  const skew = context.policy.clockSkew;
  if (time > context.now + skew) return futureTimestamp(field, time, context.now, skew);
  if (context.now - time > maxAge) return expired(field, time, maxAge);
  return undefined;
}

/** The statement's time at the requirement's timestampPath (DESIGN.md section 8), read once per path. */
function timeAt(
  doc: SignedDocumentView,
  statement: Statement,
  requirement: CompiledRequirement,
): number | undefined {
  const { timestampPath, timestampSegments } = requirement;
  if (timestampPath === undefined || timestampSegments === undefined) return undefined;
  doc.memo.times ??= new Map();
  if (doc.memo.times.has(timestampPath)) return doc.memo.times.get(timestampPath);
  const time = attestationTime(statement.predicate, timestampSegments);
  doc.memo.times.set(timestampPath, time);
  return time;
}

function matchingSubject(
  doc: SignedDocumentView,
  statement: Statement,
  artifact: Artifact,
): ResourceDescriptor | string {
  doc.memo.subject ??= findSubject(statement, artifact);
  return doc.memo.subject;
}

/** The first subject whose digest set matches the artifact, or why none does (DESIGN.md 6.5). */
function findSubject(statement: Statement, artifact: Artifact): ResourceDescriptor | string {
  const match = statement.subject.find((s) => digestSetsMatch(s.digest, artifact.digest));
  if (match !== undefined) return match;
  const weak = statement.subject.find((s) =>
    WEAK_ALGORITHMS.some((alg) => sameDigest(s.digest[alg], artifact.digest[alg])),
  );
  if (weak !== undefined) {
    const algs = WEAK_ALGORITHMS.filter((a) => sameDigest(weak.digest[a], artifact.digest[a]));
    return weakSubjectMismatch(weak, algs);
  }
  return noSubjectMatches(statement, artifact);
}

const WEAK_ALGORITHMS = ['sha1', 'md5'] as const;

function sameDigest(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
