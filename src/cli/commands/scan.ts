import type { Command } from 'commander';
import type { OutputFormat } from '../../attestation/produce.js';
import { buildStatement } from '../../attestation/statement.js';
import { toUtcTimestamp, utcTimestampArg } from '../../encoding/rfc3339.js';
import { escapeTerminal } from '../../encoding/terminal-text.js';
import { VouchError } from '../../errors.js';
import { buildVulnsPredicate } from '../../evidence/scan-import.js';
import {
  isScanFormat,
  parseScanReport,
  SCAN_FORMATS,
  SCANNERS,
} from '../../evidence/scanners/formats.js';
import { scannerIdentity } from '../../evidence/scanners/scan-report.js';
import { describeSummary } from '../../predicates/severity.js';
import { VULNS_PREDICATE_TYPE } from '../../predicates/vulns.js';
import { resolveSubjects } from '../../sources/subject-arg.js';
import type { Wrap } from '../action.js';
import { readInput } from '../files.js';
import { EXIT_OK, type Io } from '../output.js';
import { addSigningOptions, emitAttestation } from '../signing.js';

interface ScanImportOptions {
  format: string;
  subject: string[];
  scannerVersion?: string;
  startedOn?: string;
  finishedOn?: string;
  key: string;
  passphraseEnv?: string;
  out?: string;
  attestationFormat: OutputFormat;
}

export function registerScan(scan: Command, io: Io, wrap: Wrap): void {
  addSigningOptions(
    scan
      .command('import')
      .description('sign a scanner JSON report as an in-toto vulns v0.2 attestation')
      .argument('<report>', 'the JSON report, or - for standard input')
      .requiredOption('--format <format>', `report format: ${SCAN_FORMATS.join(', ')}`)
      .requiredOption(
        '--subject <subject...>',
        'what was scanned: file, NAME@sha256:<hex>, sha256:<hex>',
      )
      .option('--scanner-version <version>', 'scanner version, when the report does not say')
      .option('--started-on <time>', 'RFC 3339 time the scan started (default: when it finished)')
      .option(
        '--finished-on <time>',
        'RFC 3339 time the scan finished (default: the report time, else now)',
      ),
    '--attestation-format',
  ).action(
    wrap(async (reportPath: string, opts: ScanImportOptions) => {
      const format = opts.format;
      if (!isScanFormat(format)) {
        throw new VouchError(
          'SCAN_FORMAT_UNSUPPORTED',
          `--format ${format} is not a report format Vouch reads`,
          {
            hint: `use one of ${SCAN_FORMATS.join(', ')}`,
          },
        );
      }
      let report = parseScanReport(format, readInput(reportPath));
      if (opts.scannerVersion !== undefined) {
        report = { ...report, scanner: scannerIdentity(SCANNERS[format], opts.scannerVersion) };
      }
      const finishedOn =
        (opts.finishedOn === undefined
          ? undefined
          : utcTimestampArg(opts.finishedOn, 'finishedOn')) ??
        report.reportedAt ??
        toUtcTimestamp(new Date());
      // Scanners do not record when they started; the spec requires the field.
      const startedOn =
        opts.startedOn === undefined ? finishedOn : utcTimestampArg(opts.startedOn, 'startedOn');
      if (Date.parse(startedOn) > Date.parse(finishedOn)) {
        throw new VouchError(
          'USAGE',
          `the scan started (${startedOn}) after it finished (${finishedOn})`,
        );
      }
      const predicate = buildVulnsPredicate(report, { startedOn, finishedOn });
      const subject = await resolveSubjects(opts.subject);
      const { name, version } = report.scanner;
      io.err(
        `${escapeTerminal(`${name}${version === undefined ? '' : ` ${version}`}`)}, finished ${finishedOn}: ${describeSummary(predicate.summary)}\n`,
      );
      emitAttestation(
        { ...opts, format: opts.attestationFormat },
        buildStatement(subject, VULNS_PREDICATE_TYPE, predicate),
        io,
      );
      return EXIT_OK;
    }),
  );
}
