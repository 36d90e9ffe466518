import * as z from 'zod';
import { narrow } from '../../encoding/shape.js';
import { severityFromLabel } from '../../predicates/severity.js';
import type { VulnerabilityDatabase } from '../../predicates/vulns.js';
import {
  reportTimestamp,
  type ScanFinding,
  type ScannerSource,
  type ScanReport,
  scannerIdentity,
} from './scan-report.js';

// `grype -o json` (anchore/grype grype/presenter/models/document.go): matches[] with
// vulnerability, relatedVulnerabilities, artifact; descriptor {name, version, timestamp, db}.
// Reports carry many more fields; they are allowed and ignored.
const Match = z.looseObject({
  vulnerability: z.looseObject({
    id: z.string().min(1),
    severity: z.string().optional(),
    fix: z.looseObject({ versions: z.array(z.string()).optional() }).optional(),
  }),
  relatedVulnerabilities: z.array(z.looseObject({ id: z.string().min(1) })).optional(),
  artifact: z.looseObject({
    name: z.string().min(1),
    version: z.string(),
    type: z.string().optional(),
    purl: z.string().optional(),
  }),
});

// descriptor.db: DB schema v6 nests {schemaVersion, from, built, path, valid} under `status`;
// schema v5 and earlier put {built, schemaVersion, location, checksum} at the top.
const DbStatus = z.looseObject({
  built: z.string().optional(),
  schemaVersion: z.union([z.string(), z.number()]).optional(),
  from: z.string().optional(),
});
const Db = z.looseObject({ status: DbStatus.optional() }).and(DbStatus);

const Report = z.looseObject({
  matches: z.array(Match),
  descriptor: z.looseObject({
    name: z.literal('grype'),
    version: z.string(),
    timestamp: z.string().optional(),
    db: Db.nullable().optional(),
  }),
});

export const GRYPE: ScannerSource = { name: 'grype', repository: 'anchore/grype' };

export function parseGrypeReport(json: unknown): ScanReport {
  const report = narrow(Report, json, 'SCAN_REPORT_INVALID', 'not a grype JSON report', {
    hint: 'write the report with `grype -o json`',
  });
  const findings = report.matches.map(
    (m): ScanFinding => ({
      id: m.vulnerability.id,
      severity: severityFromLabel(m.vulnerability.severity ?? '') ?? 'unknown',
      reportedSeverity: m.vulnerability.severity || 'Unknown',
      package: {
        name: m.artifact.name,
        version: m.artifact.version,
        ...(m.artifact.type ? { type: m.artifact.type } : {}),
        ...(m.artifact.purl ? { purl: m.artifact.purl } : {}),
      },
      aliases: (m.relatedVulnerabilities ?? [])
        .map((r) => r.id)
        .filter((id) => id !== m.vulnerability.id),
      fixedVersions: m.vulnerability.fix?.versions ?? [],
    }),
  );
  const database = grypeDatabase(report.descriptor.db ?? undefined);
  const reportedAt = reportTimestamp(report.descriptor.timestamp, '$.descriptor.timestamp');
  return {
    scanner: scannerIdentity(GRYPE, report.descriptor.version),
    ...(database === undefined ? {} : { database }),
    findings,
    ...(reportedAt === undefined ? {} : { reportedAt }),
  };
}

function grypeDatabase(db: z.output<typeof Db> | undefined): VulnerabilityDatabase | undefined {
  if (db === undefined) return undefined;
  const status = db.status ?? db;
  const at = db.status === undefined ? '$.descriptor.db' : '$.descriptor.db.status';
  const lastUpdate = reportTimestamp(status.built, `${at}.built`);
  const out: VulnerabilityDatabase = {
    ...(status.from ? { uri: status.from } : {}),
    ...(status.schemaVersion === undefined ? {} : { version: String(status.schemaVersion) }),
    ...(lastUpdate === undefined ? {} : { lastUpdate }),
  };
  return Object.keys(out).length === 0 ? undefined : out;
}
