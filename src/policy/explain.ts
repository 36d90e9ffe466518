import { rfc3339Millis } from '../encoding/rfc3339.js';
import { escapeTerminal } from '../encoding/terminal-text.js';
import type {
  Decision,
  PlatformDecision,
  Rejection,
  RejectionCode,
  RequirementResult,
  SatisfiedBy,
  Signer,
  SkippedInput,
  SourceFailure,
} from './decision.js';
import { formatDuration } from './duration.js';

export interface ExplainOptions {
  /** Counted attestations expiring within this many ms of the evaluation are flagged. */
  readonly soon?: number;
  /** Rejections listed per unsatisfied requirement before "and N more". */
  readonly maxRejections?: number;
  /** Entries of the attestation paths that were not read (default: the decision's own). */
  readonly skipped?: readonly SkippedInput[];
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

/**
 * The decision as text a person can act on: what counted, what is missing and why, what
 * expires. Every line is escaped for a terminal (untrusted text cannot add or erase lines).
 */
export function explainDecision(decision: Decision, options: ExplainOptions = {}): string {
  const soon = options.soon ?? DAY;
  const max = options.maxRejections ?? 10;
  const at = rfc3339Millis(decision.evaluatedAt) ?? Number.NaN;
  const { artifact } = decision;
  const digests = Object.entries(artifact.digest)
    .slice(0, 1)
    .map(([alg, value]) => `${alg}:${value}`);
  const lines = [
    `${decision.allowed ? 'ALLOWED' : 'DENIED'}: ${artifact.name === undefined ? '' : `${artifact.name} `}${digests.join(' ')}`,
    `  policy ${decision.policy}, evaluated at ${decision.evaluatedAt}`,
  ];
  for (const r of decision.requirements) {
    lines.push(...explainRequirement(r, max));
  }
  lines.push(...skippedLines(options.skipped ?? decision.skipped ?? [], max));
  lines.push(...failureLines(decision.sourceFailures ?? []));
  lines.push(...platformLines(decision.platforms ?? [], max));
  if (decision.allowed) lines.push(...expiryLines(decision, at, soon));
  // Messages quote documents and file names: one line each, whatever they hold.
  return `${lines.map(escapeTerminal).join('\n')}\n`;
}

function explainRequirement(r: RequirementResult, max: number): string[] {
  if (r.satisfied) {
    const lines = [`  [satisfied]     ${r.name}`];
    for (const s of r.satisfiedBy) {
      const time = s.time === null ? '' : `, time ${s.time}`;
      lines.push(`      ${signerLabel(s.signer)} signed ${where(s)}${time}`);
    }
    if (r.rejected.length > 0) {
      lines.push(`      (${r.rejected.length} other attestation(s) did not count)`);
    }
    return lines;
  }
  const lines = [`  [NOT satisfied] ${r.name}`, `      missing: ${r.missing ?? '?'}`];
  const ranked = [...r.rejected].sort((a, b) => RELEVANCE[a.code] - RELEVANCE[b.code]);
  for (const rejection of ranked.slice(0, max)) lines.push(explainRejection(rejection));
  if (ranked.length > max) {
    lines.push(`      ... and ${ranked.length - max} more (the JSON decision lists every one)`);
  }
  return lines;
}

function explainRejection(rejection: Rejection): string {
  return `      ${rejection.code} ${where(rejection)}: ${rejection.message}`;
}

/** Nothing read disappears silently: a skipped FIFO or oversized file is named, with why. */
function skippedLines(skipped: readonly SkippedInput[], max: number): string[] {
  if (skipped.length === 0) return [];
  const lines = [
    `  skipped ${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'} (not read):`,
  ];
  for (const s of skipped.slice(0, max)) lines.push(`      ${s.source}: ${s.reason}`);
  if (skipped.length > max) {
    lines.push(`      ... and ${skipped.length - max} more (the JSON decision lists every one)`);
  }
  return lines;
}

/** A source that failed held attestations that are missing now: say which, and why. */
function failureLines(failures: readonly SourceFailure[]): string[] {
  if (failures.length === 0) return [];
  const lines = [
    `  ${failures.length} source(s) could not be read (what they hold did not count):`,
  ];
  for (const f of failures) lines.push(`      ${f.source}: ${f.code}: ${f.message}`);
  return lines;
}

/** Each platform manifest that had to be allowed too; a denied one says why, as the index does. */
function platformLines(platforms: readonly PlatformDecision[], max: number): string[] {
  const lines: string[] = [];
  for (const p of platforms) {
    const digest = Object.entries(p.artifact.digest)
      .slice(0, 1)
      .map(([alg, value]) => ` ${alg}:${value}`)
      .join('');
    lines.push(`  platform ${p.platform}${digest}: ${p.allowed ? 'allowed' : 'DENIED'}`);
    if (p.allowed) continue;
    const own = [
      ...p.requirements.filter((r) => !r.satisfied).flatMap((r) => explainRequirement(r, max)),
      ...failureLines(p.sourceFailures ?? []),
    ];
    lines.push(...own.map((line) => `  ${line}`));
  }
  return lines;
}

/** An attestation by its short digest and where it was read. */
function where(entry: SatisfiedBy | Rejection): string {
  return entry.source === null
    ? short(entry.attestation)
    : `${short(entry.attestation)} (${entry.source})`;
}

/** `security key 0123456789abcdef`: the authority, the kind of signer and its short id. */
function signerLabel(signer: Signer): string {
  return `${signer.authority} ${signer.kind} ${signer.kind === 'key' ? signer.id.slice(0, 16) : signer.id}`;
}

function expiryLines(decision: Decision, at: number, soon: number): string[] {
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
          `  expires soon: ${r.name} attestation ${where(s)} by ${s.signer.authority} ages out at ${s.expiresAt ?? '?'}`,
        );
      }
    }
  }
  return lines;
}

function short(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 16);
}
