import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildVulnsPredicate } from '../../src/evidence/scan-import.js';
import { parseScanReport } from '../../src/evidence/scanners/formats.js';
import { SEVERITIES, severityFromLabel, summarise } from '../../src/predicates/severity.js';
import { scanEvidenceFromPredicate } from '../../src/predicates/vulns.js';

// Names every plain object inherits: a lookup table indexed by them must still say "unknown".
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);
const prototypeLabel = fc
  .constantFrom(...PROTOTYPE_NAMES)
  .chain((name) =>
    fc.constantFrom(name, name.toUpperCase(), ` ${name} `, name[0]?.toUpperCase() + name.slice(1)),
  );
const anyLabel = fc.oneof(
  prototypeLabel,
  fc.string(),
  fc.constantFrom('Critical', 'HIGH', 'Negligible'),
);

const bucketSum = (s: ReturnType<typeof summarise>) =>
  s.critical + s.high + s.medium + s.low + s.unknown;

describe('severity labels that name Object.prototype members', () => {
  it.each(['Constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'])(
    '%s is not a severity',
    (label) => {
      expect(severityFromLabel(label)).toBeUndefined();
    },
  );

  it('count as unknown in a grype report, so summary.unknown == 0 cannot hide them', () => {
    const report = parseScanReport(
      'grype',
      Buffer.from(
        JSON.stringify({
          matches: ['Constructor', '__proto__', 'toString', 'valueOf'].map((severity, i) => ({
            vulnerability: { id: `CVE-2026-000${i}`, severity },
            artifact: { name: 'lib', version: '1' },
          })),
          descriptor: { name: 'grype', version: '0.80.0' },
        }),
      ),
    );
    const at = '2026-11-23T10:00:00Z';
    const predicate = buildVulnsPredicate(report, { startedOn: at, finishedOn: at });
    expect(predicate.summary).toMatchObject({ unknown: 4, total: 4 });
    expect(scanEvidenceFromPredicate(predicate).summary).toMatchObject({ unknown: 4, total: 4 });
  });

  it('property: every label maps to a bucket, and the buckets always sum to the total', () => {
    fc.assert(
      fc.property(fc.array(anyLabel, { maxLength: 40 }), (labels) => {
        const severities = labels.map((l) => severityFromLabel(l) ?? 'unknown');
        for (const s of severities) expect(SEVERITIES).toContain(s);
        const summary = summarise(severities);
        expect(summary.total).toBe(labels.length);
        expect(bucketSum(summary)).toBe(summary.total);
      }),
      { seed: 8_3, numRuns: 300 },
    );
  });
});
