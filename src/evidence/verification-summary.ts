import { parseDigestSet } from '../attestation/digest-set.js';
import { toUtcTimestamp } from '../encoding/rfc3339.js';
import { VouchError } from '../errors.js';
import type {
  ResourceRef,
  VerificationResult,
  VerificationSummaryPredicate,
} from '../predicates/verification-summary.js';

export interface VerificationSummaryInput {
  readonly verifierId: string;
  /** Components of the verifier and their versions, e.g. {vouch: "0.1.0"}. */
  readonly verifierVersion?: Readonly<Record<string, string>>;
  readonly timeVerified: Date;
  readonly resourceUri: string;
  readonly policy: ResourceRef;
  /** Every attestation the decision used (the spec: all of them, if any). */
  readonly inputAttestations: readonly ResourceRef[];
  readonly verificationResult: VerificationResult;
  /** Highest level per track, e.g. SLSA_BUILD_LEVEL_2; ignored for FAILED. */
  readonly verifiedLevels?: readonly string[];
  readonly slsaVersion?: string;
}

const SLSA_LEVEL = /^SLSA_([A-Z]+)_LEVEL_\d+$/;

/** Builds a VSA v1 predicate; input attestations are sorted so input order never shows. */
export function buildVerificationSummary(
  input: VerificationSummaryInput,
): VerificationSummaryPredicate {
  if (input.verifierId.trim() === '' || input.resourceUri.trim() === '') {
    throw new VouchError('USAGE', 'a verification summary needs a verifier id and a resourceUri', {
      field: input.verifierId.trim() === '' ? 'verifierId' : 'resourceUri',
    });
  }
  const policy = resourceRef(input.policy, '$.policy');
  const inputs = input.inputAttestations
    .map((a, i) => resourceRef(a, `$.inputAttestations[${i}]`))
    .sort((a, b) => compare(sortKey(a), sortKey(b)));
  const levels = input.verifiedLevels ?? [];
  let verifiedLevels: readonly string[];
  if (input.verificationResult === 'FAILED') {
    // verifiedLevels: "... or FAILED if policy verification failed".
    verifiedLevels = ['FAILED'];
  } else {
    if (levels.includes('FAILED')) {
      throw new VouchError('USAGE', 'a PASSED summary cannot list the level FAILED');
    }
    // "Users MUST NOT include more than one level per SLSA track."
    const tracks = levels.flatMap((l) => SLSA_LEVEL.exec(l)?.[1] ?? []);
    if (new Set(tracks).size !== tracks.length) {
      throw new VouchError('USAGE', `more than one level per SLSA track in ${levels.join(', ')}`);
    }
    verifiedLevels = [...levels];
  }
  return {
    verifier: {
      id: input.verifierId,
      ...(input.verifierVersion === undefined ? {} : { version: input.verifierVersion }),
    },
    timeVerified: toUtcTimestamp(input.timeVerified),
    resourceUri: input.resourceUri,
    policy,
    inputAttestations: inputs,
    verificationResult: input.verificationResult,
    verifiedLevels,
    ...(input.slsaVersion === undefined ? {} : { slsaVersion: input.slsaVersion }),
  };
}

function resourceRef(ref: ResourceRef, path: string): ResourceRef {
  const digest = parseDigestSet(ref.digest, `${path}.digest`);
  if (Object.keys(digest).length === 0) {
    throw new VouchError('USAGE', 'a policy or input attestation needs a digest', { path });
  }
  return ref.uri === undefined ? { digest } : { uri: ref.uri, digest };
}

const sortKey = (r: ResourceRef): string =>
  Object.entries(r.digest)
    .sort(([a], [b]) => compare(a, b))
    .map(([alg, v]) => `${alg}:${v}`)
    .join(',');

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
