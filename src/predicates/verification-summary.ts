import type { DigestSet } from '../attestation/digest-set.js';

/** SLSA verification_summary.md. */
export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';

export type VerificationResult = 'PASSED' | 'FAILED';

export interface ResourceRef {
  readonly uri?: string;
  readonly digest: DigestSet;
}

/** The VSA v1 predicate (SLSA verification_summary.md). */
export type VerificationSummaryPredicate = {
  readonly verifier: { readonly id: string; readonly version?: Readonly<Record<string, string>> };
  readonly timeVerified: string;
  readonly resourceUri: string;
  readonly policy: ResourceRef;
  readonly inputAttestations: readonly ResourceRef[];
  readonly verificationResult: VerificationResult;
  readonly verifiedLevels: readonly string[];
  readonly slsaVersion?: string;
};
