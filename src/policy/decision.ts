import type { DigestSet } from '../attestation/digest-set.js';
import type { ErrorCode } from '../errors.js';

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
  'INTERNAL',
  'CERTIFICATE_INVALID',
  'LOG_EVIDENCE_INVALID',
  'UNSUPPORTED_BUNDLE',
] as const satisfies readonly ErrorCode[];

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** The artifact a decision is about: a digest set plus an optional name. */
export interface Artifact {
  readonly name?: string;
  readonly digest: DigestSet;
}

/** One attestation that counts, for one key. */
export interface SatisfiedBy {
  /** `sha256:<hex>` of the document bytes as received. */
  readonly attestation: string;
  readonly authority: string;
  readonly keyid: string;
  /** Attestation time (RFC 3339), null when the predicate has none. */
  readonly time: string | null;
  /** When it ages out (time + maxAge); null without maxAge. */
  readonly expiresAt: string | null;
}

export interface Rejection {
  readonly attestation: string;
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

/** The decision JSON of `vouch verify --output json` (DESIGN.md section 7). */
export interface Decision {
  readonly allowed: boolean;
  readonly policy: string;
  readonly evaluatedAt: string;
  readonly artifact: Artifact;
  readonly requirements: readonly RequirementResult[];
  /** Earliest time the allow turns into a deny as counted attestations age out; null if never or denied. */
  readonly expiresAt: string | null;
}
