import { parseRfc3339, toUtcTimestamp } from '../../encoding/rfc3339.js';
import { VouchError } from '../../errors.js';
import type { Severity } from '../../predicates/severity.js';
import type { VulnerabilityDatabase } from '../../predicates/vulns.js';

/** The package a finding was matched in. */
export interface AffectedPackage {
  readonly name: string;
  readonly version: string;
  /** Ecosystem or package type as the scanner names it (npm, deb, Go, ...). */
  readonly type?: string;
  readonly purl?: string;
}

/** One vulnerability matched in one package, as a scanner reported it. */
export interface ScanFinding {
  readonly id: string;
  readonly severity: Severity;
  /** The scanner's own severity label or score, kept next to the normalised one. */
  readonly reportedSeverity: string;
  readonly package: AffectedPackage;
  /** Other identifiers of the same vulnerability (CVE for a GHSA, ...), for VEX matching. */
  readonly aliases: readonly string[];
  readonly fixedVersions: readonly string[];
}

export interface ScannerIdentity {
  /** Short name: grype, trivy, osv-scanner. */
  readonly name: string;
  /** Package URL of the scanner source, the vulns predicate's `scanner.uri`. */
  readonly uri: string;
  readonly version?: string;
}

/** A scanner's JSON report narrowed to what the vulns predicate records. */
export interface ScanReport {
  readonly scanner: ScannerIdentity;
  readonly database?: VulnerabilityDatabase;
  readonly findings: readonly ScanFinding[];
  /** When the report was written, if the scanner records it (RFC 3339 UTC). */
  readonly reportedAt?: string;
}

/** Where a scanner's source lives, for its identity URI. */
export interface ScannerSource {
  readonly name: string;
  /** GitHub OWNER/REPO. */
  readonly repository: string;
}

// Scanner versions look like 0.87.0, v0.87.0 or 2.0.0-rc1; builds from source print
// placeholders such as "[not provided]" that are no version at all.
const VERSION = /^v?\d[\w.+-]*$/;

/**
 * The scanner identity: `scanner.uri` is `pkg:github/OWNER/REPO[@VERSION]`, the form the
 * in-toto vulns v0.2 example uses. An unusable version is left out rather than guessed.
 */
export function scannerIdentity(
  source: ScannerSource,
  version: string | undefined,
): ScannerIdentity {
  const v = version !== undefined && VERSION.test(version) ? version.replace(/^v/, '') : undefined;
  return v === undefined
    ? { name: source.name, uri: `pkg:github/${source.repository}` }
    : {
        name: source.name,
        uri: `pkg:github/${source.repository}@${encodeURIComponent(v)}`,
        version: v,
      };
}

/** A time a report records, in UTC; empty means "not recorded" (grype with timestamps off). */
export function reportTimestamp(value: string | undefined, path: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const date = parseRfc3339(value);
  if (date === undefined) {
    throw new VouchError(
      'SCAN_REPORT_INVALID',
      `${JSON.stringify(value)} is not an RFC 3339 time`,
      {
        path,
      },
    );
  }
  return toUtcTimestamp(date);
}
