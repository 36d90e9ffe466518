import { VouchError } from '../errors.js';
import type {
  ReviewDecision,
  TriageStatement,
  VulnReviewPredicate,
} from '../predicates/vuln-review.js';
import type { ScanEvidence } from '../predicates/vulns.js';

export interface ReviewInput {
  readonly reviewerId: string;
  /** RFC 3339 UTC. */
  readonly reviewedAt: string;
  readonly decision: ReviewDecision;
  readonly scanAttestation: string;
  readonly scan: ScanEvidence;
  readonly triage: readonly TriageStatement[];
  readonly note?: string;
}

const ATTESTATION_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Builds the review predicate; every triage entry must name a finding of the scan, once. */
export function buildVulnReview(input: ReviewInput): VulnReviewPredicate {
  if (input.reviewerId.trim() === '') {
    throw new VouchError('USAGE', 'the reviewer id is empty', {
      field: 'reviewer',
      hint: 'give an email address or another stable identity',
    });
  }
  if (!ATTESTATION_DIGEST.test(input.scanAttestation)) {
    throw new VouchError('USAGE', `${input.scanAttestation} is not a sha256:<hex> digest`);
  }
  const ids = new Set(input.scan.findings.map((f) => f.id));
  const seen = new Set<string>();
  for (const t of input.triage) {
    if (!ids.has(t.vulnerability)) {
      throw new VouchError('USAGE', `${t.vulnerability} is not a finding of the reviewed scan`, {
        field: 'triage',
        hint: 'triage only what the scan found; check the id (only OpenVEX import matches aliases)',
      });
    }
    if (seen.has(t.vulnerability)) {
      throw new VouchError('USAGE', `${t.vulnerability} is triaged twice`, { field: 'triage' });
    }
    seen.add(t.vulnerability);
  }
  const { scanner, database, scanFinishedOn, summary } = input.scan;
  const note = input.note?.trim();
  return {
    reviewer: { id: input.reviewerId.trim() },
    reviewedAt: input.reviewedAt,
    decision: input.decision,
    scan: {
      attestation: input.scanAttestation,
      scanner,
      ...(database === undefined ? {} : { database }),
      scanFinishedOn,
    },
    summary,
    triage: [...input.triage].sort((a, b) =>
      a.vulnerability < b.vulnerability ? -1 : a.vulnerability > b.vulnerability ? 1 : 0,
    ),
    ...(note === undefined || note === '' ? {} : { note }),
  };
}
