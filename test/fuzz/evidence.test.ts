import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../src/errors.js';
import { buildVulnsPredicate } from '../../src/evidence/scan-import.js';
import { parseScanReport, SCAN_FORMATS } from '../../src/evidence/scanners/formats.js';
import { triageFromVex } from '../../src/evidence/triage.js';
import { parseOpenVex } from '../../src/predicates/openvex.js';
import { scanEvidenceFromPredicate } from '../../src/predicates/vulns.js';
import { itWithVectors, REPO, vector } from '../support/paths.js';
import { coded, fuzz, timed } from './budget.js';
import { mutatedJson, mutatedText } from './mutate.js';

// Fuzz targets over what scanners and VEX producers write: grype, trivy and osv-scanner reports,
// OpenVEX documents. A report that parses must summarise to buckets that sum to its total.
const FIXTURES = join(REPO, 'test', 'fixtures', 'scanners');
const REPORTS = [
  ['grype', 'grype.json'],
  ['grype', 'grype-db-v5-empty.json'],
  ['trivy', 'trivy.json'],
  ['trivy', 'trivy-clean-no-version.json'],
  ['osv', 'osv-scanner.json'],
] as const;
const at = '2026-11-23T10:00:00Z';

/** OpenVEX documents of the shared corpus (spec examples, go-vex and vexctl test data). */
function vexDocuments(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json') && statSync(path).size < 64 * 1024) {
        const text = readFileSync(path, 'utf8');
        if (text.includes('"@context": "https://openvex.dev/ns')) out.push(text);
      }
    }
  };
  walk(vector('openvex'));
  return out;
}

describe('fuzz: scanner reports and OpenVEX', () => {
  it('scanner reports (every format, byte and structure mutations)', () => {
    const arb = fc.oneof(
      ...REPORTS.flatMap(([format, file]) => {
        const text = readFileSync(join(FIXTURES, file), 'utf8');
        return [
          mutatedText(text).map((t) => [format, t] as const),
          mutatedJson(JSON.parse(text)).map((j) => [format, JSON.stringify(j) ?? 'null'] as const),
        ];
      }),
      // A report read as the wrong format must be refused, never misread.
      fc
        .tuple(fc.constantFrom(...SCAN_FORMATS), fc.constantFrom(...REPORTS))
        .map(([format, [, file]]) => [format, readFileSync(join(FIXTURES, file), 'utf8')] as const),
    );
    fuzz('scanners', 150, arb, ([format, text]) => {
      const report = coded('parseScanReport', () => parseScanReport(format, text));
      if (report instanceof VouchError) return;
      const predicate = timed('buildVulnsPredicate', () =>
        buildVulnsPredicate(report, { startedOn: at, finishedOn: at }),
      );
      const s = predicate.summary;
      expect(s.critical + s.high + s.medium + s.low + s.unknown).toBe(s.total);
      expect(s.total).toBe(report.findings.length);
      const evidence = coded('scanEvidenceFromPredicate', () =>
        scanEvidenceFromPredicate(JSON.parse(JSON.stringify(predicate))),
      );
      expect(evidence).not.toBeInstanceOf(VouchError);
      if (!(evidence instanceof VouchError)) expect(evidence.summary).toEqual(s);
    });
  });

  itWithVectors('OpenVEX documents', () => {
    const documents = vexDocuments();
    expect(documents.length).toBeGreaterThan(5);
    const arb = fc.oneof(
      ...documents
        .slice(0, 12)
        .flatMap((text) => [
          mutatedText(text),
          mutatedJson(JSON.parse(text)).map((j) => JSON.stringify(j) ?? 'null'),
        ]),
    );
    const findings = [
      { id: 'CVE-2023-1234', aliases: ['GHSA-1234'] },
      { id: 'constructor', aliases: ['__proto__'] },
    ];
    fuzz('openvex', 150, arb, (text) => {
      const doc = coded('parseOpenVex', () => parseOpenVex(text));
      if (doc instanceof VouchError) return;
      coded('triageFromVex', () => triageFromVex(doc, findings));
    });
  });
});
