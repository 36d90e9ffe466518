import type { DigestSet } from '../attestation/digest-set.js';
import type { ErrorCode } from '../errors.js';
import { VOUCH_VERSION } from '../version.js';

/** Why an attestation does not count for a requirement (DESIGN.md section 7). */
export const REJECTION_CODES = [
  'MALFORMED',
  'UNTRUSTED_SIGNER',
  'BAD_SIGNATURE',
  'WRONG_PAYLOAD_TYPE',
  'WRONG_PREDICATE_TYPE',
  'SUBJECT_MISMATCH',
  'NO_TIMESTAMP',
  'EXPIRED',
  'FUTURE_TIMESTAMP',
  'CONDITION_FALSE',
  'CONDITION_ERROR',
  'BELOW_THRESHOLD',
  'UNSUPPORTED_BUNDLE',
  'CERTIFICATE_INVALID',
  'LOG_EVIDENCE_INVALID',
  'INTERNAL',
] as const satisfies readonly ErrorCode[];

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** The artifact a decision is about: a digest set plus an optional name. */
export interface Artifact {
  readonly name?: string;
  readonly digest: DigestSet;
}

/** The version of the decision JSON this code writes (docs/decision.md). */
export const DECISION_SCHEMA_VERSION = 'vouch.dev/decision/v1';

/**
 * Who signed, as a requirement counts it (DESIGN.md section 2): a key of an authority, by its
 * canonical keyid; `identity` (issuer + certificate subject) is reserved for keyless signers.
 */
export interface Signer {
  readonly authority: string;
  readonly kind: 'key' | 'identity';
  readonly id: string;
}

/** One attestation that counts, for one signer. */
export interface SatisfiedBy {
  /** `sha256:<hex>` of the document bytes as received. */
  readonly attestation: string;
  /** Where it was read: a file, `file.jsonl#L3`; null when the caller gave bytes alone. */
  readonly source: string | null;
  readonly signer: Signer;
  /** Attestation time (RFC 3339), null when the predicate has none. */
  readonly time: string | null;
  /** When it ages out (time + maxAge); null without maxAge. */
  readonly expiresAt: string | null;
}

export interface Rejection {
  readonly attestation: string;
  /** Where it was read, as in SatisfiedBy. */
  readonly source: string | null;
  readonly code: RejectionCode;
  readonly message: string;
}

export interface RequirementResult {
  readonly name: string;
  readonly satisfied: boolean;
  readonly satisfiedBy: readonly SatisfiedBy[];
  readonly rejected: readonly Rejection[];
  /** What would satisfy the requirement; only when it is not satisfied. */
  readonly missing?: string;
}

/** An input entry that was not read (a FIFO, an oversized file, a dangling link...), and why. */
export interface SkippedInput {
  readonly source: string;
  readonly reason: string;
}

/**
 * A source of attestations, or one path of it, that could not be read (a registry that did
 * not answer): whatever it held is missing, which can only deny (DESIGN.md section 9).
 */
export interface SourceFailure {
  /** What could not be read: an OCI reference and discovery path, a file. */
  readonly source: string;
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * A platform manifest of an image index that had to be allowed too (DESIGN.md section 9),
 * judged over its own attestations. `artifact.digest` is empty when the index has no such
 * platform: that entry is a deny whose `sourceFailures` say so.
 */
export interface PlatformDecision {
  /** `os/arch[/variant]` as the index names it (as asked, when the index lacks it). */
  readonly platform: string;
  readonly allowed: boolean;
  readonly artifact: Artifact;
  readonly requirements: readonly RequirementResult[];
  readonly expiresAt: string | null;
  readonly sourceFailures?: readonly SourceFailure[];
}

/** The decision JSON of `vouch verify --output json` (DESIGN.md section 7, docs/decision.md). */
export interface Decision {
  readonly schemaVersion: typeof DECISION_SCHEMA_VERSION;
  /** The Vouch release that decided. */
  readonly vouchVersion: string;
  readonly allowed: boolean;
  readonly policy: string;
  /** The policy file and the trust material it resolved to (docs/policy.md, "Policy digest"). */
  readonly policyDigest: { readonly sha256: string };
  readonly evaluatedAt: string;
  readonly artifact: Artifact;
  readonly requirements: readonly RequirementResult[];
  /** Earliest time the allow turns into a deny as counted attestations age out; null if never or denied. */
  readonly expiresAt: string | null;
  /** Entries of the attestation paths that were not read; present only when there are some. */
  readonly skipped?: readonly SkippedInput[];
  /** Sources that failed (documents they held are missing); present only when there are some. */
  readonly sourceFailures?: readonly SourceFailure[];
  /**
   * Only when platform manifests were asked for: each one's own decision. `allowed` above is
   * then false if any of them is denied, and `expiresAt` is the earliest of them all.
   */
  readonly platforms?: readonly PlatformDecision[];
}

/** What a decision needs to know of the policy that could not decide. */
interface PolicyIdentity {
  readonly name: string;
  readonly digest: { readonly sha256: string };
  readonly requirements: readonly { readonly name: string }[];
}

/**
 * A deny for a decision that could not be made (a fault while evaluating, an artifact that
 * could not be resolved): fail closed, every requirement unsatisfied and saying why.
 */
export function undecided(
  policy: PolicyIdentity,
  artifact: Artifact,
  evaluatedAt: string,
  why: string,
): Decision {
  return {
    schemaVersion: DECISION_SCHEMA_VERSION,
    vouchVersion: VOUCH_VERSION,
    allowed: false,
    policy: policy.name,
    policyDigest: policy.digest,
    evaluatedAt,
    artifact,
    requirements: policy.requirements.map((r) => ({
      name: r.name,
      satisfied: false,
      satisfiedBy: [],
      rejected: [],
      missing: `not evaluated: ${why}`,
    })),
    expiresAt: null,
  };
}
