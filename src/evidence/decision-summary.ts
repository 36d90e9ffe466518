import { parseRfc3339 } from '../encoding/rfc3339.js';
import { VouchError } from '../errors.js';
import type { Artifact, Decision } from '../policy/decision.js';
import type {
  ResourceRef,
  VerificationSummaryPredicate,
} from '../predicates/verification-summary.js';
import { buildVerificationSummary } from './verification-summary.js';

export interface DecisionSummaryContext {
  readonly verifierId: string;
  readonly verifierVersion?: Readonly<Record<string, string>>;
  /** The policy: a URI naming it and its digest (file and trust material, policy-digest.ts). */
  readonly policy: ResourceRef;
  /** `sha256:<hex>` of every document the decision examined. */
  readonly examined: readonly string[];
}

/**
 * A decision as a SLSA verification summary v1 predicate (slsa.dev/verification_summary/v1).
 * verificationResult is PASSED exactly when the artifact was allowed. timeVerified is the
 * evaluation time the decision was made for. inputAttestations lists every document the
 * decision examined, counted or rejected: the spec asks for all attestations used, and the
 * full set is what lets an auditor reproduce a FAILED decision (whose counted set may be empty)
 * as well as a PASSED one.
 */
export function summarizeDecision(
  decision: Decision,
  context: DecisionSummaryContext,
): VerificationSummaryPredicate {
  const timeVerified = parseRfc3339(decision.evaluatedAt);
  if (timeVerified === undefined) {
    throw new VouchError('INTERNAL', `decision time ${decision.evaluatedAt} is not RFC 3339`);
  }
  return buildVerificationSummary({
    verifierId: context.verifierId,
    ...(context.verifierVersion === undefined ? {} : { verifierVersion: context.verifierVersion }),
    timeVerified,
    resourceUri: resourceUriOf(decision.artifact),
    policy: context.policy,
    inputAttestations: [...new Set(context.examined)].map((d) => ({ digest: digestRef(d) })),
    verificationResult: decision.allowed ? 'PASSED' : 'FAILED',
  });
}

/** The artifact's name, or its digest when it has none (`sha256:<hex>`, preferring sha256). */
export function resourceUriOf(artifact: Artifact): string {
  if (artifact.name !== undefined) return artifact.name;
  const { sha256 } = artifact.digest;
  if (sha256 !== undefined) return `sha256:${sha256}`;
  const [alg, value] = Object.entries(artifact.digest)[0] ?? [];
  if (alg === undefined || value === undefined) {
    throw new VouchError('USAGE', 'the artifact has neither a name nor a digest');
  }
  return `${alg}:${value}`;
}

function digestRef(digest: string): Record<string, string> {
  const colon = digest.indexOf(':');
  return { [digest.slice(0, colon)]: digest.slice(colon + 1) };
}
