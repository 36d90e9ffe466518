/**
 * When a predicate says its claim was made: the time a requirement's `maxAge` is measured
 * from (DESIGN.md section 8). A requirement may name another field with `timestampPath`.
 */
export interface PredicateTimeField {
  readonly predicateType: string;
  /** Dotted path inside the predicate. */
  readonly path: string;
  /** A claim that goes stale (a scan, a review, a VEX or verification summary): needs maxAge. */
  readonly perishable: boolean;
}

export const PREDICATE_TIME_FIELDS: readonly PredicateTimeField[] = [
  {
    predicateType: 'https://slsa.dev/provenance/v1',
    path: 'runDetails.metadata.finishedOn',
    perishable: false,
  },
  {
    predicateType: 'https://slsa.dev/provenance/v0.2',
    path: 'metadata.buildFinishedOn',
    perishable: false,
  },
  {
    predicateType: 'https://in-toto.io/attestation/vulns/v0.2',
    path: 'metadata.scanFinishedOn',
    perishable: true,
  },
  {
    predicateType: 'https://in-toto.io/attestation/vulns/v0.1',
    path: 'metadata.scanFinishedOn',
    perishable: true,
  },
  {
    predicateType: 'https://vouch.dev/attestation/vuln-review/v1',
    path: 'reviewedAt',
    perishable: true,
  },
  { predicateType: 'https://openvex.dev/ns/v0.2.0', path: 'timestamp', perishable: true },
  {
    predicateType: 'https://slsa.dev/verification_summary/v1',
    path: 'timeVerified',
    perishable: true,
  },
];

const BY_TYPE: ReadonlyMap<string, PredicateTimeField> = new Map(
  PREDICATE_TIME_FIELDS.map((f) => [f.predicateType, f]),
);

/** The predicate field holding the attestation time, if the predicate type defines one. */
export function defaultTimestampPath(predicateType: string): string | undefined {
  return BY_TYPE.get(predicateType)?.path;
}

/** True for predicate types whose claims go stale and so should carry a maxAge. */
export function isPerishable(predicateType: string): boolean {
  return BY_TYPE.get(predicateType)?.perishable === true;
}

/** Splits `a.b.c` into segments; undefined for an empty path or an empty segment. */
export function parseTimestampPath(path: string): readonly string[] | undefined {
  const segments = path.split('.');
  return segments.every((s) => s !== '') ? segments : undefined;
}

/** Follows own properties only, so `constructor` or `__proto__` never reach the prototype. */
export function valueAtPath(root: unknown, segments: readonly string[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** The attestation time in epoch milliseconds, or undefined when absent or invalid. */
export function attestationTime(
  predicate: Readonly<Record<string, unknown>>,
  segments: readonly string[],
): number | undefined {
  return parseRfc3339(valueAtPath(predicate, segments));
}

// RFC 3339 section 5.6 date-time; the offset is mandatory (a time without a zone is ambiguous).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Strict RFC 3339 date-time to epoch milliseconds (fractions beyond milliseconds are
 * truncated). Anything else is undefined: no lenient Date.parse, no local time, no
 * out-of-range fields (Date would roll 2026-02-30 over into March). A leap second (:60) is
 * not accepted: JavaScript time has none to map it to.
 */
export function parseRfc3339(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_TIME.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  const millis = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** RFC 3339 UTC text for epoch milliseconds; the fraction only when there is one. */
export function formatRfc3339(millis: number): string {
  const text = new Date(millis).toISOString();
  return text.endsWith('.000Z') ? `${text.slice(0, -5)}Z` : text;
}
