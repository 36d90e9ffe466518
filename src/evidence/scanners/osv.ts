import * as z from 'zod';
import { narrow } from '../../encoding/shape.js';
import {
  maxSeverity,
  type Severity,
  severityFromCvssScore,
  severityFromLabel,
} from '../../predicates/severity.js';
import {
  type ScanFinding,
  type ScannerSource,
  type ScanReport,
  scannerIdentity,
} from './scan-report.js';

// `osv-scanner --format json` (google/osv-scanner pkg/models/results.go):
// {results[{source{path,type}, packages[{package{name,version,ecosystem},
//   vulnerabilities[<full OSV record>], groups[{ids, aliases, max_severity}]}]}]}.
// osv-scanner 1.x before 1.3 named `source` `packageSource`. A group is one vulnerability
// known under several ids; `max_severity` is the highest CVSS base score as a string.
const OsvRecord = z.looseObject({
  id: z.string().min(1),
  aliases: z.array(z.string()).nullable().optional(),
  database_specific: z.looseObject({ severity: z.string().optional() }).nullable().optional(),
  affected: z
    .array(
      z.looseObject({
        ranges: z
          .array(
            z.looseObject({
              events: z.array(z.looseObject({ fixed: z.string().optional() })).optional(),
            }),
          )
          .optional(),
      }),
    )
    .nullable()
    .optional(),
});

const Group = z.looseObject({
  ids: z.array(z.string().min(1)).min(1),
  aliases: z.array(z.string()).nullable().optional(),
  max_severity: z.string().optional(),
});

const PackageVulns = z.looseObject({
  package: z.looseObject({
    name: z.string().min(1),
    version: z.string().optional(),
    ecosystem: z.string().optional(),
    commit: z.string().optional(),
  }),
  vulnerabilities: z.array(OsvRecord).nullable().optional(),
  groups: z.array(Group).nullable().optional(),
});

const Report = z.looseObject({
  results: z.array(z.looseObject({ packages: z.array(PackageVulns).nullable().optional() })),
});

type OsvVuln = z.output<typeof OsvRecord>;

export const OSV_SCANNER: ScannerSource = { name: 'osv-scanner', repository: 'google/osv-scanner' };

/**
 * osv-scanner's JSON names no scanner version and no scan time: pass them on the command
 * line (`--scanner-version`, `--finished-on`).
 */
export function parseOsvReport(json: unknown): ScanReport {
  const report = narrow(Report, json, 'SCAN_REPORT_INVALID', 'not an osv-scanner JSON report', {
    hint: 'write the report with `osv-scanner --format json`',
  });
  const findings: ScanFinding[] = [];
  for (const result of report.results) {
    for (const pkg of result.packages ?? []) {
      const vulns = pkg.vulnerabilities ?? [];
      const groups = [...(pkg.groups ?? [])];
      // Every record belongs to a group; a record outside all groups is its own group.
      const grouped = new Set(groups.flatMap((g) => g.ids));
      for (const v of vulns) if (!grouped.has(v.id)) groups.push({ ids: [v.id] });
      const affected = {
        name: pkg.package.name,
        version: pkg.package.version || pkg.package.commit || '',
        ...(pkg.package.ecosystem ? { type: pkg.package.ecosystem } : {}),
      };
      for (const group of groups) {
        const members = vulns.filter((v) => group.ids.includes(v.id));
        const [id] = group.ids as [string, ...string[]];
        const { severity, reported } = groupSeverity(group.max_severity, members);
        const aliases = new Set([
          ...group.ids,
          ...(group.aliases ?? []),
          ...members.flatMap((m) => m.aliases ?? []),
        ]);
        aliases.delete(id);
        findings.push({
          id,
          severity,
          reportedSeverity: reported,
          package: affected,
          aliases: [...aliases].sort(),
          fixedVersions: [...new Set(members.flatMap(fixedVersions))],
        });
      }
    }
  }
  return {
    scanner: scannerIdentity(OSV_SCANNER, undefined),
    findings,
  };
}

const SCORE = /^\d+(?:\.\d+)?$/;

function groupSeverity(
  maxScore: string | undefined,
  members: readonly OsvVuln[],
): { severity: Severity; reported: string } {
  if (maxScore !== undefined && SCORE.test(maxScore)) {
    return { severity: severityFromCvssScore(Number(maxScore)), reported: maxScore };
  }
  // No CVSS score: fall back to the advisory's own label (GitHub: LOW..CRITICAL, MODERATE).
  let severity: Severity = 'unknown';
  let reported = 'unknown';
  for (const m of members) {
    const label = m.database_specific?.severity;
    const s = label === undefined ? undefined : severityFromLabel(label);
    if (label !== undefined && s !== undefined && maxSeverity(s, severity) === s) {
      severity = s;
      reported = label;
    }
  }
  return { severity, reported };
}

function fixedVersions(v: OsvVuln): string[] {
  return (v.affected ?? []).flatMap((a) =>
    (a.ranges ?? []).flatMap((r) => (r.events ?? []).flatMap((e) => (e.fixed ? [e.fixed] : []))),
  );
}
