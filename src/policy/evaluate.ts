import { toUtcTimestamp } from '../encoding/rfc3339.js';
import { asVouchError, VouchError } from '../errors.js';
import { VOUCH_VERSION } from '../version.js';
import { foldAllow } from './allow.js';
import type { CompiledPolicy } from './compile.js';
import { type Artifact, DECISION_SCHEMA_VERSION, type Decision, undecided } from './decision.js';
import { type CandidateDocument, examineAll, type VerifiedDocumentMemo } from './examine.js';
import { type EvaluationContext, judgeRequirement } from './judge.js';

export type { CandidateDocument, VerifiedDocument, VerifiedDocumentMemo } from './examine.js';

export interface EvaluationInput {
  readonly artifact: Artifact;
  readonly documents: readonly CandidateDocument[];
  /** The evaluation time T: the core never reads the clock. */
  readonly at: Date;
  /** Optional memo of steps 1-3 per document (DESIGN.md section 11 verified-document cache). */
  readonly verifiedDocuments?: VerifiedDocumentMemo;
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
    const context: EvaluationContext = { policy, artifact, now, nowDate: new Date(now) };
    const documents = examineAll(input.documents, policy, input.verifiedDocuments);
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

function copyArtifact(artifact: Artifact): Artifact {
  const digest = { ...artifact.digest };
  return artifact.name === undefined ? { digest } : { name: artifact.name, digest };
}
