import type { VexJustification, VexStatus } from './openvex.js';
import type { SeveritySummary } from './severity.js';
import type { VulnerabilityDatabase } from './vulns.js';

/** Vouch's own predicate: a person's signed decision about a verified vulnerability scan. */
export const VULN_REVIEW_PREDICATE_TYPE = 'https://vouch.dev/attestation/vuln-review/v1';

export const REVIEW_DECISIONS = ['approved', 'rejected'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** DESIGN.md section 8. `reviewedAt` is the time a policy's maxAge is measured from. */
export type VulnReviewPredicate = {
  readonly reviewer: { readonly id: string };
  readonly reviewedAt: string;
  readonly decision: ReviewDecision;
  readonly scan: {
    /** `sha256:<hex>` of the scan attestation's exact bytes. */
    readonly attestation: string;
    readonly scanner: { readonly name: string; readonly uri: string; readonly version?: string };
    readonly database?: VulnerabilityDatabase;
    readonly scanFinishedOn: string;
  };
  readonly summary: SeveritySummary;
  readonly triage: readonly TriageStatement[];
  readonly note?: string;
};

/**
 * One triage decision in a review: an OpenVEX-style statement about one vulnerability of the
 * reviewed scan (field names as in OPENVEX-SPEC.md).
 */
export interface TriageStatement {
  readonly vulnerability: string;
  readonly status: VexStatus;
  readonly justification?: VexJustification;
  readonly impact_statement?: string;
  readonly action_statement?: string;
  readonly status_notes?: string;
}
