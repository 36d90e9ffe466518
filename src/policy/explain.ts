import { rfc3339Millis } from '../encoding/rfc3339.js';
import type { Decision, Rejection, RejectionCode, RequirementResult } from './decision.js';
import { formatDuration } from './duration.js';

export interface ExplainOptions {
  /** Where each attestation came from (file, file:line), by attestation digest. */
  readonly origins?: ReadonlyMap<string, readonly string[]>;
  /** Counted attestations expiring within this many ms of the evaluation are flagged. */
  readonly soon?: number;
  /** Rejections listed per unsatisfied requirement before "and N more". */
  readonly maxRejections?: number;
}

// Rejections that got furthest through DESIGN.md section 6 are the likeliest near misses.
const RELEVANCE: Readonly<Record<RejectionCode, number>> = {
  BELOW_THRESHOLD: 0,
  CONDITION_FALSE: 1,
  CONDITION_ERROR: 1,
  EXPIRED: 2,
  FUTURE_TIMESTAMP: 2,
  NO_TIMESTAMP: 2,
  SUBJECT_MISMATCH: 3,
  BAD_SIGNATURE: 4,
  CERTIFICATE_INVALID: 4,
  LOG_EVIDENCE_INVALID: 4,
  MALFORMED: 5,
  UNSUPPORTED_BUNDLE: 5,
  INTERNAL: 5,
  WRONG_PREDICATE_TYPE: 6,
  UNTRUSTED_SIGNER: 7,
  WRONG_PAYLOAD_TYPE: 8,
};

const DAY = 24 * 3600 * 1000;

/** A keyid (hex) shortened, or a keyless identity (`issuer subject`) in full. */
function signerLabel(id: string): string {
  const space = id.indexOf(' ');
  return space < 0
    ? `key ${id.slice(0, 16)}`
    : `identity ${id.slice(space + 1)} (${id.slice(0, space)})`;
}

/** The decision as text a person can act on: what counted, what is missing and why, what expires. */
export function explainDecision(decision: Decision, options: ExplainOptions = {}): string {
  const soon = options.soon ?? DAY;
  const max = options.maxRejections ?? 10;
  const at = rfc3339Millis(decision.evaluatedAt) ?? Number.NaN;
  const where = (digest: string): string => {
    const origins = options.origins?.get(digest);
    return origins === undefined || origins.length === 0
      ? short(digest)
      : `${short(digest)} (${origins.join(', ')})`;
  };
  const { artifact } = decision;
  const digests = Object.entries(artifact.digest)
    .slice(0, 1)
    .map(([alg, value]) => `${alg}:${value}`);
  const lines = [
    `${decision.allowed ? 'ALLOWED' : 'DENIED'}: ${artifact.name === undefined ? '' : `${artifact.name} `}${digests.join(' ')}`,
    `  policy ${decision.policy}, evaluated at ${decision.evaluatedAt}`,
  ];
  for (const r of decision.requirements) {
    lines.push(...explainRequirement(r, where, max));
  }
  if (decision.allowed) lines.push(...expiryLines(decision, at, soon, where));
  return `${lines.join('\n')}\n`;
}

function explainRequirement(
  r: RequirementResult,
  where: (digest: string) => string,
  max: number,
): string[] {
  if (r.satisfied) {
    const lines = [`  [satisfied]     ${r.name}`];
    for (const s of r.satisfiedBy) {
      const time = s.time === null ? '' : `, time ${s.time}`;
      lines.push(
        `      ${s.authority} ${signerLabel(s.keyid)} signed ${where(s.attestation)}${time}`,
      );
    }
    if (r.rejected.length > 0) {
      lines.push(`      (${r.rejected.length} other attestation(s) did not count)`);
    }
    return lines;
  }
  const lines = [`  [NOT satisfied] ${r.name}`, `      missing: ${r.missing ?? '?'}`];
  const ranked = [...r.rejected].sort((a, b) => RELEVANCE[a.code] - RELEVANCE[b.code]);
  for (const rejection of ranked.slice(0, max)) lines.push(explainRejection(rejection, where));
  if (ranked.length > max) {
    lines.push(`      ... and ${ranked.length - max} more (--output json lists every one)`);
  }
  return lines;
}

function explainRejection(rejection: Rejection, where: (digest: string) => string): string {
  return `      ${rejection.code} ${where(rejection.attestation)}: ${rejection.message}`;
}

function expiryLines(
  decision: Decision,
  at: number,
  soon: number,
  where: (digest: string) => string,
): string[] {
  const lines: string[] = [];
  const expires = decision.expiresAt === null ? undefined : rfc3339Millis(decision.expiresAt);
  if (expires !== undefined && decision.expiresAt !== null) {
    lines.push(
      `  decision expires ${decision.expiresAt} (in ${formatDuration(Math.max(0, expires - at))}) unless fresh attestations are added`,
    );
  }
  for (const r of decision.requirements) {
    for (const s of r.satisfiedBy) {
      const end = s.expiresAt === null ? undefined : rfc3339Millis(s.expiresAt);
      if (end !== undefined && end - at <= soon) {
        lines.push(
          `  expires soon: ${r.name} attestation ${where(s.attestation)} by ${s.authority} ages out at ${s.expiresAt ?? '?'}`,
        );
      }
    }
  }
  return lines;
}

function short(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 16);
}
