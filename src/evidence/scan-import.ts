import { summarise } from '../predicates/severity.js';
import {
  NORMALISED_SEVERITY_METHOD,
  type VulnsPredicate,
  type VulnsResult,
} from '../predicates/vulns.js';
import type { ScanReport } from './scanners/scan-report.js';

export interface ScanTimes {
  /** RFC 3339 UTC. The spec requires it; scanners rarely record it. */
  readonly startedOn: string;
  readonly finishedOn: string;
}

/** Converts a scanner report to the vulns v0.2 predicate, one result per finding. */
export function buildVulnsPredicate(report: ScanReport, times: ScanTimes): VulnsPredicate {
  const result = report.findings.map(
    (f): VulnsResult => ({
      id: f.id,
      severity: [
        { method: NORMALISED_SEVERITY_METHOD, score: f.severity },
        { method: report.scanner.name, score: f.reportedSeverity },
      ],
      annotations: [
        {
          package: f.package.name,
          installedVersion: f.package.version,
          ...(f.package.type === undefined ? {} : { packageType: f.package.type }),
          ...(f.package.purl === undefined ? {} : { purl: f.package.purl }),
          ...(f.fixedVersions.length === 0 ? {} : { fixedVersions: f.fixedVersions }),
          ...(f.aliases.length === 0 ? {} : { aliases: f.aliases }),
        },
      ],
    }),
  );
  return {
    scanner: {
      uri: report.scanner.uri,
      ...(report.scanner.version === undefined ? {} : { version: report.scanner.version }),
      ...(report.database === undefined ? {} : { db: report.database }),
      result,
    },
    metadata: { scanStartedOn: times.startedOn, scanFinishedOn: times.finishedOn },
    summary: summarise(report.findings.map((f) => f.severity)),
  };
}
