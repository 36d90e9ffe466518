import { type JsonLimits, parseStrictJson } from '../../encoding/strict-json.js';
import { VouchError } from '../../errors.js';
import { GRYPE, parseGrypeReport } from './grype.js';
import { OSV_SCANNER, parseOsvReport } from './osv.js';
import type { ScannerSource, ScanReport } from './scan-report.js';
import { parseTrivyReport, TRIVY } from './trivy.js';

export const SCAN_FORMATS = ['grype', 'trivy', 'osv'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** The scanner that writes each format. */
export const SCANNERS: Readonly<Record<ScanFormat, ScannerSource>> = {
  grype: GRYPE,
  trivy: TRIVY,
  osv: OSV_SCANNER,
};

/**
 * Scanner reports run larger than envelopes (grype repeats its configuration and every
 * description): 64 MiB, still bounded; nesting stays shallow in every format.
 */
export const SCAN_REPORT_LIMITS: JsonLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 64 };

export function isScanFormat(value: string): value is ScanFormat {
  return (SCAN_FORMATS as readonly string[]).includes(value);
}

/**
 * Parses a scanner's JSON report (strict JSON: size, depth and duplicate-key limits) in the
 * named format. A report of another known scanner is rejected with a hint naming it.
 */
export function parseScanReport(
  format: ScanFormat,
  bytes: string | Uint8Array,
  limits: JsonLimits = SCAN_REPORT_LIMITS,
): ScanReport {
  const json = parseStrictJson(bytes, limits);
  const looksLike = recogniseFormat(json);
  if (looksLike !== undefined && looksLike !== format) {
    throw new VouchError('SCAN_REPORT_INVALID', `this is a ${looksLike} report, not ${format}`, {
      path: '$',
      field: 'format',
      hint: `import it as ${looksLike}`,
    });
  }
  switch (format) {
    case 'grype':
      return parseGrypeReport(json);
    case 'trivy':
      return parseTrivyReport(json);
    case 'osv':
      return parseOsvReport(json);
    default: {
      const never: never = format;
      throw new VouchError('SCAN_FORMAT_UNSUPPORTED', `unknown format ${String(never)}`);
    }
  }
}

/** Which scanner wrote a report, judged by its top-level fields; only used for hints. */
function recogniseFormat(json: unknown): ScanFormat | undefined {
  if (Array.isArray(json))
    return json.length > 0 && hasKey(json[0], 'Target') ? 'trivy' : undefined;
  if (hasKey(json, 'matches') && hasKey(json, 'descriptor')) return 'grype';
  if (hasKey(json, 'SchemaVersion') || hasKey(json, 'Results')) return 'trivy';
  if (hasKey(json, 'results')) return 'osv';
  return undefined;
}

function hasKey(value: unknown, key: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, key)
  );
}
