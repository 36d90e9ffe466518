import { rfc3339Millis } from '../encoding/rfc3339.js';
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
  return rfc3339Millis(valueAtPath(predicate, segments));
}
