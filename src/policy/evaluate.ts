import {
  documentSigners,
  parseSignedDocument,
  type SignedDocument,
} from '../attestation/attestation.js';
import { type DigestSet, digestSetsMatch } from '../attestation/digest-set.js';
import { attestationDigest, IN_TOTO_PAYLOAD_TYPE } from '../attestation/envelope.js';
import {
  parseStatement,
  type ResourceDescriptor,
  type Statement,
} from '../attestation/statement.js';
import { toUtcTimestamp } from '../encoding/rfc3339.js';
import { asVouchError, VouchError } from '../errors.js';
import { attestationTime } from '../predicates/timestamps.js';
import { VOUCH_VERSION } from '../version.js';
import { foldAllow } from './allow.js';
import type { CompiledPolicy, CompiledRequirement } from './compile.js';
import { type ConditionResult, type ConditionVariables, toCelValue } from './condition.js';
import {
  type Artifact,
  DECISION_SCHEMA_VERSION,
  type Decision,
  type Rejection,
  type RejectionCode,
  type RequirementResult,
  type SatisfiedBy,
  type Signer,
  undecided,
} from './decision.js';
import { formatDuration } from './duration.js';

/** One candidate attestation as received (its exact bytes are what gets verified). */
export interface CandidateDocument {
  readonly bytes: Uint8Array | string;
  /** Where it was read (`file`, `file.jsonl#L3`, an OCI reference), reported in the decision. */
  readonly source?: string;
}

export interface EvaluationInput {
  readonly artifact: Artifact;
  readonly documents: readonly CandidateDocument[];
  /** The evaluation time T: the core never reads the clock. */
  readonly at: Date;
}

/**
 * Decides whether the artifact is allowed (DESIGN.md sections 6 and 7). Pure and total: it
 * never throws and never reads the clock; an unexpected fault denies. Each document is parsed
 * and verified once and shared by all requirements; documents are de-duplicated by digest and
 * sorted, so input order never changes the decision.
 */
export function evaluatePolicy(policy: CompiledPolicy, input: EvaluationInput): Decision {
  const now = input.at.getTime();
  const artifact = copyArtifact(input.artifact);
  const evaluatedAt = Number.isFinite(now) ? toUtcTimestamp(now) : 'invalid time';
  try {
    if (!Number.isFinite(now)) {
      throw new VouchError('USAGE', 'the evaluation time is invalid', { field: 'at' });
    }
    const context: Context = { policy, artifact, now, nowDate: new Date(now) };
    const documents = distinct(input.documents.map(parseCandidate)).map((d) => examine(d, policy));
    const results = policy.requirements.map((r) => judgeRequirement(r, documents, context));
    const satisfied = new Map(results.map((r) => [r.result.name, r]));
    const allowed =
      foldAllow(policy.allow, (n) => (satisfied.get(n)?.result.satisfied ? 1 : 0)) === 1;
    const expiry = allowed
      ? foldAllow(policy.allow, (n) => satisfied.get(n)?.expiry ?? Number.NEGATIVE_INFINITY)
      : Number.POSITIVE_INFINITY;
    return {
      schemaVersion: DECISION_SCHEMA_VERSION,
      vouchVersion: VOUCH_VERSION,
      allowed,
      policy: policy.name,
      policyDigest: policy.digest,
      evaluatedAt,
      artifact,
      requirements: results.map((r) => r.result),
      expiresAt: Number.isFinite(expiry) ? toUtcTimestamp(expiry) : null,
    };
  } catch (err) {
    // Fail closed: a fault anywhere above is a deny that says why.
    return undecided(policy, artifact, evaluatedAt, asVouchError(err).describe());
  }
}

interface Context {
  readonly policy: CompiledPolicy;
  readonly artifact: Artifact;
  readonly now: number;
  readonly nowDate: Date;
}

/** A document after the checks every requirement shares: parse, payloadType, signatures. */
type Examined =
  | {
      readonly kind: 'rejected';
      readonly digest: string;
      readonly source: string | null;
      readonly code: RejectionCode;
      readonly message: string;
    }
  | SignedCandidate;

interface SignedCandidate {
  readonly kind: 'signed';
  readonly digest: string;
  readonly source: string | null;
  readonly document: SignedDocument;
  /** Keyids of policy keys whose signature verifies. */
  readonly verified: readonly string[];
  /** Parsed only once some policy key verified it (never read an unverified claim). */
  readonly statement: Statement | undefined;
  readonly statementError: string | undefined;
  readonly memo: Memo;
}

/** What the requirements share about one signed document, each computed on first use. */
interface Memo {
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
type Parsed = { readonly digest: string; readonly source: string | null } & (
  | { readonly document: SignedDocument }
  | { readonly code: RejectionCode; readonly message: string }
);

function parseCandidate(candidate: CandidateDocument): Parsed {
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

function distinct(parsed: readonly Parsed[]): Parsed[] {
  const byDigest = new Map<string, Parsed>();
  for (const p of parsed) {
    const kept = byDigest.get(p.digest);
    if (kept === undefined || earlier(p.source, kept.source)) byDigest.set(p.digest, p);
  }
  return [...byDigest.values()].sort((a, b) =>
    a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0,
  );
}

/** DESIGN.md section 6 steps 2 and 3, once per document for all requirements. */
function examine(parsed: Parsed, policy: CompiledPolicy): Examined {
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
    let statement: Statement | undefined;
    let statementError: string | undefined;
    if (verified.length > 0) {
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

/** A counting attestation for one key, with its expiry in epoch ms (+Infinity: never). */
interface Counted {
  readonly entry: SatisfiedBy;
  readonly expires: number;
}

type Verdict =
  | { readonly counts: true; readonly counted: readonly Counted[] }
  | { readonly counts: false; readonly code: RejectionCode; readonly message: string };

interface Judged {
  readonly result: RequirementResult;
  /** When the requirement stops being satisfied (+Infinity: never; -Infinity: not satisfied). */
  readonly expiry: number;
}

/** One requirement being judged, with what its messages share. */
interface Judging {
  readonly requirement: CompiledRequirement;
  /** Its authorities as messages name them, e.g. "builder or security". */
  readonly who: string;
  readonly context: Context;
}

function judgingOf(requirement: CompiledRequirement, context: Context): Judging {
  return { requirement, who: requirement.signers.join(' or '), context };
}

function judgeRequirement(
  requirement: CompiledRequirement,
  documents: readonly Examined[],
  context: Context,
): Judged {
  const judging = judgingOf(requirement, context);
  const counted: Counted[] = [];
  const rejected: Rejection[] = [];
  for (const doc of documents) {
    let verdict: Verdict;
    try {
      verdict =
        doc.kind === 'rejected'
          ? { counts: false, code: doc.code, message: doc.message }
          : judgeDocument(judging, doc);
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
  if (keyExpiry.size >= threshold) {
    // Satisfied until fewer than `threshold` keys have a counting attestation left: the
    // threshold-th latest key expiry.
    const expiries = [...keyExpiry.values()].sort((a, b) => b - a);
    return {
      result: { name, satisfied: true, satisfiedBy: counted.map((c) => c.entry), rejected },
      expiry: expiries[threshold - 1] ?? Number.NEGATIVE_INFINITY,
    };
  }
  const { who } = judging;
  const keysOf = new Map<string, { source: string | null; keys: string[] }>();
  for (const { entry } of counted) {
    const keys = keysOf.get(entry.attestation)?.keys ?? [];
    keysOf.set(entry.attestation, {
      source: entry.source,
      keys: [...keys, short(entry.signer.id)],
    });
  }
  for (const [digest, { source, keys }] of keysOf) {
    rejected.push({
      attestation: digest,
      source,
      code: 'BELOW_THRESHOLD',
      message: `counts for key ${keys.join(', ')}, but ${threshold} distinct keys of ${who} are required and only ${keyExpiry.size} signed`,
    });
  }
  rejected.sort((a, b) =>
    a.attestation < b.attestation ? -1 : a.attestation > b.attestation ? 1 : 0,
  );
  const missing =
    keyExpiry.size === 0
      ? `no attestation of type ${requirement.predicateType} signed by ${who}${requirement.condition === undefined ? '' : ' that meets the condition'} counts for this artifact${threshold > 1 ? ` (${threshold} distinct keys must sign)` : ''}`
      : `${threshold} distinct keys of ${who} must sign; ${keyExpiry.size} did (${counted
          .map((c) => short(c.entry.signer.id))
          .filter((id, i, all) => all.indexOf(id) === i)
          .join(', ')})`;
  return {
    result: { name, satisfied: false, satisfiedBy: [], rejected, missing },
    expiry: Number.NEGATIVE_INFINITY,
  };
}

/** DESIGN.md section 6 steps 3–7 for one signed document and one requirement. */
function judgeDocument(judging: Judging, doc: SignedCandidate): Verdict {
  const { requirement, context } = judging;
  const keys = doc.verified.filter((k) => requirement.trusted.has(k));
  if (keys.length === 0) return signerRejection(judging, doc);
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
  const time = timeAt(doc, statement, requirement);
  if (requirement.maxAge !== undefined) {
    const rejection = timeRejection(judging, requirement.maxAge, time);
    if (rejection !== undefined) return rejection;
  }
  const expires =
    requirement.maxAge === undefined || time === undefined
      ? Number.POSITIVE_INFINITY
      : time + requirement.maxAge;
  const counted: Counted[] = [];
  const failures: ConditionResult[] = [];
  let variables: DocumentVariables | undefined;
  for (const keyid of keys) {
    const authority = requirement.trusted.get(keyid) ?? '';
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
      const signer: Signer = { authority, kind: 'key', id: keyid };
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
  const source = requirement.condition?.source ?? '';
  // What the condition read, so the author sees why (issue: "FAILED" vs "PASSED").
  const read =
    variables === undefined ? '' : (requirement.condition?.describeReads(variables) ?? '');
  const values = read === '' ? '' : `; it read ${read}`;
  return error === undefined
    ? { counts: false, code: 'CONDITION_FALSE', message: `condition is false: ${source}${values}` }
    : {
        counts: false,
        code: 'CONDITION_ERROR',
        message: `condition could not be evaluated (${error.error}): ${source}${values}`,
      };
}

/**
 * The CEL variables of one document and counted key. A variable the condition never reads is
 * never converted. The getters sit on the prototype: accessors in an object literal are made
 * anew for every object and keep the whole document alive past young-generation collections.
 */
class DocumentVariables implements ConditionVariables {
  readonly predicateType: string;

  constructor(
    private readonly doc: SignedCandidate,
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

/** DESIGN.md section 6 step 3 failed: no key of the requirement's authorities signed. */
function signerRejection(judging: Judging, doc: SignedCandidate): Verdict {
  const { requirement, who } = judging;
  doc.memo.hints ??= signatureHints(doc.document);
  for (const hint of doc.memo.hints) {
    if (!requirement.trusted.has(hint)) continue;
    // A hint names a key the requirement trusts, yet no signature verifies: tampered or broken.
    return {
      counts: false,
      code: 'BAD_SIGNATURE',
      message: `a signature names key ${short(hint)} of ${who} but does not verify over this payload (tampered, or signed with another key)`,
    };
  }
  doc.memo.signerNote ??= signerNote(doc, doc.memo.hints, judging.context.policy);
  return {
    counts: false,
    code: 'UNTRUSTED_SIGNER',
    message: `${doc.memo.signerNote}; this requirement accepts only ${who}`,
  };
}

/** Who signed a document, said once for every requirement it does not satisfy by signer. */
function signerNote(
  doc: SignedCandidate,
  hints: readonly string[],
  policy: CompiledPolicy,
): string {
  const { document } = doc;
  if (document.format === 'bundle' && document.bundle.signer === 'certificate') {
    return 'keyless (certificate) bundle: authorities trust keys only';
  }
  const signatures = document.envelope.signatures.length;
  if (signatures === 0) return 'the envelope carries no signatures';
  if (doc.verified.length > 0) {
    return `signed by ${doc.verified.map((k) => `${authorityOf(k, policy)} ${short(k)}`).join(', ')}`;
  }
  const hinted = hints.length === 0 ? '' : `, keyid hints ${hints.map(short).join(', ')}`;
  return `no policy key verifies it: tampered, or signed by a key outside the policy (${signatures} signature(s)${hinted})`;
}

function timeRejection(
  judging: Judging,
  maxAge: number,
  time: number | undefined,
): Verdict | undefined {
  const { requirement, context } = judging;
  const field = requirement.timestampPath ?? '?';
  if (time === undefined) {
    return {
      counts: false,
      code: 'NO_TIMESTAMP',
      message: `predicate field ${field} is missing or not an RFC 3339 time with a timezone`,
    };
  }
  const skew = context.policy.clockSkew;
  // DESIGN.md section 6 step 6: time <= T + clockSkew and T - time <= maxAge.
  if (time > context.now + skew) {
    return {
      counts: false,
      code: 'FUTURE_TIMESTAMP',
      message: `${field} ${toUtcTimestamp(time)} is after the evaluation time ${toUtcTimestamp(context.now)} plus clock skew ${formatDuration(skew)}`,
    };
  }
  if (context.now - time > maxAge) {
    return {
      counts: false,
      code: 'EXPIRED',
      message: `${field} ${toUtcTimestamp(time)} is older than maxAge ${formatDuration(maxAge)}: expired ${toUtcTimestamp(time + maxAge)}`,
    };
  }
  return undefined;
}

/** The statement's time at the requirement's timestampPath (DESIGN.md section 8), read once per path. */
function timeAt(
  doc: SignedCandidate,
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
  doc: SignedCandidate,
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
    return `subject ${label(weak)} matches the artifact only by ${algs.join(', ')}, which cannot identify an artifact (a sha256, sha384, sha512 or sha3 digest must match)`;
  }
  const listed = statement.subject.slice(0, 3).map(label).join(', ');
  const more = statement.subject.length > 3 ? ` and ${statement.subject.length - 3} more` : '';
  return `no subject matches the artifact ${digestLabel(artifact.digest)}: subjects are ${listed}${more}`;
}

const WEAK_ALGORITHMS = ['sha1', 'md5'] as const;

function sameDigest(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function signatureHints(document: SignedDocument): string[] {
  const hints: string[] = [];
  for (const { keyid } of document.envelope.signatures) if (keyid !== undefined) hints.push(keyid);
  if (document.format === 'bundle') {
    const material = document.bundle.bundle.verificationMaterial.content;
    if (material.$case === 'publicKey' && material.publicKey.hint !== '')
      hints.push(material.publicKey.hint);
  }
  return hints;
}

function authorityOf(keyid: string, policy: CompiledPolicy): string {
  return policy.authorities.find((a) => a.keys.some((k) => k.keyid === keyid))?.name ?? '?';
}

function label(subject: ResourceDescriptor): string {
  const name = subject.name ?? subject.uri ?? '(unnamed)';
  return `${name} ${digestLabel(subject.digest)}`;
}

function digestLabel(digest: DigestSet): string {
  const [alg, value] = Object.entries(digest)[0] ?? ['?', '?'];
  return `${alg}:${value.slice(0, 16)}…`;
}

/** A signer's identity for counting: the same key under two authorities counts once. */
function signerKey(signer: Signer): string {
  return `${signer.kind} ${signer.id}`;
}

function short(keyid: string): string {
  return keyid.slice(0, 16);
}

function copyArtifact(artifact: Artifact): Artifact {
  const digest = { ...artifact.digest };
  return artifact.name === undefined ? { digest } : { name: artifact.name, digest };
}
