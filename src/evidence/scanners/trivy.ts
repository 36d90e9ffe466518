import * as z from 'zod';
import { narrow } from '../../encoding/shape.js';
import { VouchError } from '../../errors.js';
import { severityFromLabel } from '../../predicates/severity.js';
import type { VulnerabilityDatabase } from '../../predicates/vulns.js';
import {
  reportTimestamp,
  type ScanFinding,
  type ScannerSource,
  type ScanReport,
  scannerIdentity,
} from './scan-report.js';

// `trivy --format json` (aquasecurity/trivy pkg/types/report.go), SchemaVersion 2:
// {SchemaVersion, CreatedAt, ArtifactName, Trivy{Version}, Results[{Target, Class, Type,
// Vulnerabilities[{VulnerabilityID, PkgName, InstalledVersion, FixedVersion, Severity}]}]}.
// Results and Vulnerabilities are omitted when empty; older releases printed null.
const Vulnerability = z.looseObject({
  VulnerabilityID: z.string().min(1),
  PkgName: z.string().min(1),
  InstalledVersion: z.string(),
  FixedVersion: z.string().optional(),
  Severity: z.string(),
  VendorIDs: z.array(z.string()).optional(),
  PkgIdentifier: z.looseObject({ PURL: z.string().optional() }).optional(),
});

const Report = z.looseObject({
  SchemaVersion: z.literal(2),
  CreatedAt: z.string().optional(),
  Trivy: z
    .looseObject({
      Version: z.string().optional(),
      VulnerabilityDB: z
        .looseObject({
          Version: z.union([z.number(), z.string()]).optional(),
          UpdatedAt: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  Results: z
    .array(
      z.looseObject({
        Target: z.string(),
        Type: z.string().optional(),
        Vulnerabilities: z.array(Vulnerability).nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
});

export const TRIVY: ScannerSource = { name: 'trivy', repository: 'aquasecurity/trivy' };

export function parseTrivyReport(json: unknown): ScanReport {
  if (Array.isArray(json)) {
    throw new VouchError('SCAN_REPORT_INVALID', 'this is a trivy report before SchemaVersion 2', {
      path: '$',
      hint: 'upgrade trivy (0.20 or later) and write the report with `trivy --format json`',
    });
  }
  const report = narrow(
    Report,
    json,
    'SCAN_REPORT_INVALID',
    'not a trivy JSON report (SchemaVersion 2)',
    { hint: 'write the report with `trivy --format json`' },
  );
  const findings: ScanFinding[] = [];
  for (const result of report.Results ?? []) {
    for (const v of result.Vulnerabilities ?? []) {
      const purl = v.PkgIdentifier?.PURL;
      findings.push({
        id: v.VulnerabilityID,
        severity: severityFromLabel(v.Severity) ?? 'unknown',
        reportedSeverity: v.Severity || 'UNKNOWN',
        package: {
          name: v.PkgName,
          version: v.InstalledVersion,
          ...(result.Type ? { type: result.Type } : {}),
          ...(purl ? { purl } : {}),
        },
        aliases: v.VendorIDs ?? [],
        // Trivy joins several fixed versions with ", ".
        fixedVersions: v.FixedVersion ? v.FixedVersion.split(/,\s*/).filter(Boolean) : [],
      });
    }
  }
  const db = report.Trivy?.VulnerabilityDB;
  const lastUpdate = reportTimestamp(db?.UpdatedAt, '$.Trivy.VulnerabilityDB.UpdatedAt');
  const database: VulnerabilityDatabase | undefined =
    db === undefined
      ? undefined
      : {
          ...(db.Version === undefined ? {} : { version: String(db.Version) }),
          ...(lastUpdate === undefined ? {} : { lastUpdate }),
        };
  const reportedAt = reportTimestamp(report.CreatedAt, '$.CreatedAt');
  return {
    scanner: scannerIdentity(TRIVY, report.Trivy?.Version),
    ...(database === undefined || Object.keys(database).length === 0 ? {} : { database }),
    findings,
    ...(reportedAt === undefined ? {} : { reportedAt }),
  };
}
