/** The five severity buckets every scanner's labels are normalised to. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Counts of findings by normalised severity: the cheap summary a policy evaluates. */
export interface SeveritySummary {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  readonly unknown: number;
  readonly total: number;
}

// Labels used by grype (Negligible), trivy (UNKNOWN), GitHub advisories (MODERATE) and
// vendor feeds (Important, Minimal). Anything else is "unknown", never a lower severity.
// A Map: a label such as `constructor` or `__proto__` must find nothing, not Object.prototype.
const LABELS: ReadonlyMap<string, Severity> = new Map([
  ['critical', 'critical'],
  ['high', 'high'],
  ['important', 'high'],
  ['medium', 'medium'],
  ['moderate', 'medium'],
  ['low', 'low'],
  ['negligible', 'low'],
  ['minimal', 'low'],
  ['unknown', 'unknown'],
  ['none', 'unknown'],
]);

/** A scanner's severity label in one of the five buckets, or undefined if unrecognised. */
export function severityFromLabel(label: string): Severity | undefined {
  return LABELS.get(label.trim().toLowerCase());
}

/**
 * CVSS v3/v4 qualitative rating bands (FIRST CVSS v3.1 specification, section 5):
 * 9.0-10.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. A base score of 0.0 ("none")
 * or out of range is "unknown" so that it is never counted as harmless by mistake.
 */
export function severityFromCvssScore(score: number): Severity {
  if (!Number.isFinite(score) || score <= 0 || score > 10) return 'unknown';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** Higher of two severities; "unknown" ranks below every known bucket. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** Counts by bucket; anything that is not a bucket counts as unknown, so the buckets sum to total. */
export function summarise(severities: Iterable<Severity>): SeveritySummary {
  const counts = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  let total = 0;
  for (const s of severities) {
    const bucket = counts.has(s) ? s : 'unknown';
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    total++;
  }
  const count = (s: Severity): number => counts.get(s) ?? 0;
  return {
    critical: count('critical'),
    high: count('high'),
    medium: count('medium'),
    low: count('low'),
    unknown: count('unknown'),
    total,
  };
}

/** `7 findings: 1 critical, 2 high, 2 medium, 1 low, 1 unknown`. */
export function describeSummary(s: SeveritySummary): string {
  const findings = `${s.total} finding${s.total === 1 ? '' : 's'}`;
  return `${findings}: ${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low, ${s.unknown} unknown`;
}
