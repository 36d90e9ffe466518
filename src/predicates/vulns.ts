import * as z from 'zod';
import { parseRfc3339, toUtcTimestamp } from '../encoding/rfc3339.js';
import { narrow } from '../encoding/shape.js';
import { VouchError } from '../errors.js';
import {
  maxSeverity,
  type Severity,
  type SeveritySummary,
  severityFromCvssScore,
  severityFromLabel,
  summarise,
} from './severity.js';

/** in-toto attestation predicates/vulns_02.md. */
export const VULNS_PREDICATE_TYPE = 'https://in-toto.io/attestation/vulns/v0.2';

/**
 * The `method` of the normalised severity Vouch adds to every result next to the scanner's
 * own: one of critical, high, medium, low, unknown.
 */
export const NORMALISED_SEVERITY_METHOD = 'vouch';

/** The vulnerability database a scan used (the predicate's `scanner.db`). */
export interface VulnerabilityDatabase {
  readonly uri?: string;
  readonly version?: string;
  /** RFC 3339 UTC: when the database was last updated (built). */
  readonly lastUpdate?: string;
}

export interface SeverityScore {
  readonly method: string;
  readonly score: string;
}

export interface VulnsResult {
  readonly id: string;
  readonly severity: readonly SeverityScore[];
  readonly annotations?: readonly Readonly<Record<string, unknown>>[];
}

/**
 * The vulns v0.2 predicate. `summary` is a Vouch extension field (in-toto spec/v1 parsing
 * rules allow producers to add fields): counts by normalised severity, one per result,
 * so a policy need not walk every finding.
 */
export type VulnsPredicate = {
  readonly scanner: {
    readonly uri: string;
    readonly version?: string;
    readonly db?: VulnerabilityDatabase;
    readonly result: readonly VulnsResult[];
  };
  readonly metadata: { readonly scanStartedOn: string; readonly scanFinishedOn: string };
  readonly summary: SeveritySummary;
};

/** One finding of a verified scan, as a reviewer sees it. */
export interface ScanFindingView {
  readonly id: string;
  readonly severity: Severity;
  readonly aliases: readonly string[];
  /** `name version` of the affected package when the scan records it. */
  readonly package?: string;
}

/** What a review records about (and shows of) the scan it reviews. */
export interface ScanEvidence {
  readonly scanner: { readonly name: string; readonly uri: string; readonly version?: string };
  readonly database?: VulnerabilityDatabase;
  readonly scanFinishedOn: string;
  readonly findings: readonly ScanFindingView[];
  readonly summary: SeveritySummary;
}

const Score = z.looseObject({ method: z.string(), score: z.string() });
const Summary = z.strictObject({
  critical: z.int().nonnegative(),
  high: z.int().nonnegative(),
  medium: z.int().nonnegative(),
  low: z.int().nonnegative(),
  unknown: z.int().nonnegative(),
  total: z.int().nonnegative(),
});
// Unknown fields are ignored (in-toto parsing rules); the fields read are checked.
const Predicate = z.looseObject({
  scanner: z.looseObject({
    uri: z.string().min(1),
    version: z.string().optional(),
    db: z
      .looseObject({
        uri: z.string().optional(),
        version: z.string().optional(),
        lastUpdate: z.string().optional(),
      })
      .optional(),
    result: z.array(
      z.looseObject({
        id: z.string().min(1),
        severity: z.array(Score),
        annotations: z.array(z.record(z.string(), z.unknown())).optional(),
      }),
    ),
  }),
  metadata: z.looseObject({ scanFinishedOn: z.string() }),
  summary: Summary.optional(),
});

/**
 * Reads a (verified) vulns v0.2 predicate, from Vouch or another producer. Severity counts are
 * recomputed from the results; a `summary` that disagrees with them is malformed.
 */
export function scanEvidenceFromPredicate(predicate: unknown): ScanEvidence {
  const p = narrow(Predicate, predicate, 'MALFORMED', 'not a vulns v0.2 predicate', {
    at: ['predicate'],
  });
  const finished = parseRfc3339(p.metadata.scanFinishedOn);
  if (finished === undefined) {
    throw new VouchError('MALFORMED', 'scanFinishedOn is not an RFC 3339 time', {
      path: '$.predicate.metadata.scanFinishedOn',
    });
  }
  const findings = p.scanner.result.map((r): ScanFindingView => {
    const annotation = r.annotations?.find((a) => typeof a.package === 'string');
    const aliases = r.annotations?.flatMap((a) =>
      Array.isArray(a.aliases) ? a.aliases.filter((x): x is string => typeof x === 'string') : [],
    );
    const pkg =
      annotation === undefined
        ? undefined
        : `${String(annotation.package)} ${typeof annotation.installedVersion === 'string' ? annotation.installedVersion : ''}`.trim();
    return {
      id: r.id,
      severity: severityOfScores(r.severity),
      aliases: aliases ?? [],
      ...(pkg === undefined ? {} : { package: pkg }),
    };
  });
  const summary = summarise(findings.map((f) => f.severity));
  if (p.summary !== undefined && !sameSummary(p.summary, summary)) {
    throw new VouchError('MALFORMED', 'summary disagrees with the results it summarises', {
      path: '$.predicate.summary',
    });
  }
  const db = p.scanner.db;
  return {
    scanner: {
      name: scannerName(p.scanner.uri),
      uri: p.scanner.uri,
      ...(p.scanner.version === undefined ? {} : { version: p.scanner.version }),
    },
    ...(db === undefined
      ? {}
      : {
          database: {
            ...(db.uri === undefined ? {} : { uri: db.uri }),
            ...(db.version === undefined ? {} : { version: db.version }),
            ...(db.lastUpdate === undefined ? {} : { lastUpdate: db.lastUpdate }),
          },
        }),
    scanFinishedOn: toUtcTimestamp(finished),
    findings,
    summary,
  };
}

const CVSS_SCORE = /^\d+(?:\.\d+)?$/;

/** Vouch's normalised entry if present, else the highest label or CVSS score recognised. */
function severityOfScores(scores: readonly SeverityScore[]): Severity {
  const normalised = scores.find((s) => s.method === NORMALISED_SEVERITY_METHOD);
  const own = normalised === undefined ? undefined : severityFromLabel(normalised.score);
  if (own !== undefined) return own;
  let best: Severity = 'unknown';
  for (const { score } of scores) {
    const s = CVSS_SCORE.test(score)
      ? severityFromCvssScore(Number(score))
      : (severityFromLabel(score) ?? 'unknown');
    best = maxSeverity(best, s);
  }
  return best;
}

function sameSummary(a: SeveritySummary, b: SeveritySummary): boolean {
  return (
    a.critical === b.critical &&
    a.high === b.high &&
    a.medium === b.medium &&
    a.low === b.low &&
    a.unknown === b.unknown &&
    a.total === b.total
  );
}

/** `pkg:github/anchore/grype@0.87.0` → `grype`; any other URI names itself. */
function scannerName(uri: string): string {
  const m = /^pkg:[^/]+\/(?:[^/@]+\/)*([^/@]+)(?:@.*)?$/.exec(uri);
  return m?.[1] ?? uri;
}
