import type { Command } from 'commander';
import { parseSignedDocument } from '../../attestation/attestation.js';
import { digestSetsMatch } from '../../attestation/digest-set.js';
import { buildStatement, type ResourceDescriptor } from '../../attestation/statement.js';
import { type VerifiedStatement, verifyStatement } from '../../attestation/verified-statement.js';
import { loadPublicKey } from '../../crypto/keys.js';
import { toUtcTimestamp, utcTimestampArg } from '../../encoding/rfc3339.js';
import { escapeTerminal } from '../../encoding/terminal-text.js';
import { VouchError } from '../../errors.js';
import { buildVulnReview } from '../../evidence/review.js';
import { findTarget, parseTriageArg, triageFromVex } from '../../evidence/triage.js';
import { parseOpenVex } from '../../predicates/openvex.js';
import { describeSummary, SEVERITIES } from '../../predicates/severity.js';
import {
  REVIEW_DECISIONS,
  type ReviewDecision,
  type TriageStatement,
  VULN_REVIEW_PREDICATE_TYPE,
} from '../../predicates/vuln-review.js';
import {
  type ScanEvidence,
  scanEvidenceFromPredicate,
  VULNS_PREDICATE_TYPE,
} from '../../predicates/vulns.js';
import { descriptorAlgorithms } from '../../sources/artifact-algorithms.js';
import { readDocuments } from '../../sources/local.js';
import { resolveArtifactArg } from '../../sources/subject-arg.js';
import type { Wrap } from '../action.js';
import { readInput, readText } from '../files.js';
import { EXIT_OK, type Io } from '../output.js';
import { Prompter } from '../prompt.js';
import { runReviewSession, type SessionOutcome } from '../review-session.js';
import { addSigningOptions, emitAttestation, type SigningOptions } from '../signing.js';

interface ReviewOptions extends SigningOptions {
  scan: string;
  scanKey: string;
  reviewer: string;
  decision?: string;
  triage?: string[];
  vex?: string;
  note?: string;
  subject?: string[];
  reviewedAt?: string;
  interactive?: boolean;
}

/** Findings listed on standard error; the rest are counted. */
const LISTED_FINDINGS = 200;

export function registerReview(command: Command, io: Io, wrap: Wrap): void {
  addSigningOptions(
    command
      .requiredOption('--scan <attestation>', 'the scan attestation (DSSE envelope or bundle)')
      .requiredOption('--scan-key <pub>', 'public key the scan must be signed with')
      .requiredOption('--reviewer <id>', 'who reviews: an email address or other stable id')
      .option(
        '--decision <decision>',
        `${REVIEW_DECISIONS.join(' or ')}; without it, ask in the terminal`,
      )
      .option('--triage <entry...>', 'ID=status[:justification, impact or action statement]')
      .option('--vex <file>', 'import triage from an OpenVEX 0.2.0 document')
      .option('--note <text>', 'free-text note recorded with the review')
      .option('--subject <subject...>', 'review only these of the scan subjects')
      .option('--reviewed-at <time>', 'RFC 3339 time of the review (default: now)')
      .option('--interactive', 'ask about each finding even when not at a terminal'),
  ).action(
    wrap(async (opts: ReviewOptions) => {
      // A review never approves a scan it could not verify: verify first, read claims after.
      const scan = verifyScan(opts.scan, opts.scanKey);
      const evidence = scanEvidenceFromPredicate(scan.statement.predicate);
      const subjects = await reviewedSubjects(scan.statement.subject, opts.subject ?? []);
      showScan(io, opts.scan, scan, evidence, subjects);

      const triage = new Map<string, TriageStatement>();
      if (opts.vex !== undefined) {
        const imported = triageFromVex(parseOpenVex(readInput(opts.vex)), evidence.findings);
        for (const t of imported.triage) triage.set(t.vulnerability, t);
        io.err(
          `vex: ${imported.triage.length} statement(s) apply to this scan` +
            (imported.unmatched.length === 0
              ? '\n'
              : `; ignored, not found by the scan: ${escapeTerminal(imported.unmatched.join(', '))}\n`),
        );
      }
      for (const arg of opts.triage ?? []) {
        const t = parseTriageArg(arg);
        const target = findTarget(t.vulnerability, [], evidence.findings);
        if (target === undefined) {
          throw new VouchError('USAGE', `--triage ${t.vulnerability}: the scan did not find it`, {
            hint: 'triage only vulnerabilities the scan lists',
          });
        }
        triage.set(target.id, { ...t, vulnerability: target.id });
      }

      let decision: ReviewDecision;
      let note = opts.note;
      if (opts.decision !== undefined) {
        decision = parseDecision(opts.decision);
      } else if (opts.interactive === true || io.isTerminal?.() === true) {
        const outcome = await interview(io, evidence, triage, note === undefined);
        if (outcome === undefined) {
          throw new VouchError('USAGE', 'review cancelled: nothing written');
        }
        decision = outcome.decision;
        triage.clear();
        for (const t of outcome.triage) triage.set(t.vulnerability, t);
        note = note ?? outcome.note;
      } else {
        throw new VouchError('USAGE', 'no --decision given and no terminal to ask in', {
          hint: 'pass --decision approved|rejected, or run in a terminal (or with --interactive)',
        });
      }

      const predicate = buildVulnReview({
        reviewerId: opts.reviewer,
        reviewedAt:
          opts.reviewedAt === undefined
            ? toUtcTimestamp(new Date())
            : utcTimestampArg(opts.reviewedAt, 'reviewedAt'),
        decision,
        scanAttestation: scan.digest,
        scan: evidence,
        triage: [...triage.values()],
        ...(note === undefined ? {} : { note }),
      });
      const untriaged = evidence.findings.filter(
        (f) => !triage.has(f.id) && (f.severity === 'critical' || f.severity === 'high'),
      );
      if (decision === 'approved' && untriaged.length > 0) {
        io.err(
          `warning: approving with ${untriaged.length} untriaged critical or high finding(s)\n`,
        );
      }
      io.err(
        `review: ${decision} by ${predicate.reviewer.id}, ${predicate.triage.length} triaged\n`,
      );
      emitAttestation(opts, buildStatement(subjects, VULN_REVIEW_PREDICATE_TYPE, predicate), io);
      return EXIT_OK;
    }),
  );
}

function verifyScan(path: string, keyPath: string): VerifiedStatement {
  const key = loadPublicKey(readText(keyPath), keyPath);
  const { documents, skipped } = readDocuments([path]);
  const [skip] = skipped;
  if (skip !== undefined) throw new VouchError('IO_ERROR', `--scan ${skip.source}: ${skip.reason}`);
  const [raw] = documents;
  if (raw === undefined || documents.length !== 1) {
    throw new VouchError('USAGE', `--scan ${path} holds ${documents.length} documents, expected 1`);
  }
  return verifyStatement(parseSignedDocument(raw.bytes), [key], [VULNS_PREDICATE_TYPE], raw.source);
}

function parseDecision(value: string): ReviewDecision {
  const decision = REVIEW_DECISIONS.find((d) => d === value);
  if (decision === undefined) {
    throw new VouchError('USAGE', `--decision ${value} is not ${REVIEW_DECISIONS.join(' or ')}`);
  }
  return decision;
}

/** The scan's subjects, or those of them the --subject arguments name (each must be one). */
async function reviewedSubjects(
  scanned: readonly ResourceDescriptor[],
  args: readonly string[],
): Promise<ResourceDescriptor[]> {
  if (args.length === 0) return [...scanned];
  const chosen: ResourceDescriptor[] = [];
  const algorithms = descriptorAlgorithms(scanned);
  for (const arg of args) {
    const ref = await resolveArtifactArg(arg, { algorithms });
    const match = scanned.find((s) => digestSetsMatch(s.digest, ref.digest));
    if (match === undefined) {
      throw new VouchError('USAGE', `--subject ${arg} is not a subject of the scan`, {
        hint: 'a review is about what was scanned; omit --subject to review every subject',
      });
    }
    if (!chosen.includes(match)) chosen.push(match);
  }
  return chosen;
}

async function interview(
  io: Io,
  evidence: ScanEvidence,
  triage: ReadonlyMap<string, TriageStatement>,
  askNote: boolean,
): Promise<SessionOutcome | undefined> {
  if (io.stdin === undefined) {
    throw new VouchError('USAGE', 'no standard input to ask on', {
      hint: 'pass --decision approved|rejected',
    });
  }
  const prompter = new Prompter(io.stdin(), (text) => io.err(text));
  try {
    return await runReviewSession(prompter, (text) => io.err(text), evidence, triage, askNote);
  } finally {
    prompter.close();
  }
}

function showScan(
  io: Io,
  origin: string,
  scan: VerifiedStatement,
  evidence: ScanEvidence,
  subjects: readonly ResourceDescriptor[],
): void {
  const { scanner, database } = evidence;
  const lines = [
    `scan ${origin} (${scan.digest})`,
    `  verified:  signed by ${scan.signers.map((k) => k.keyid).join(', ')}`,
    `  scanner:   ${scanner.name}${scanner.version === undefined ? '' : ` ${scanner.version}`} (${scanner.uri})`,
  ];
  if (database !== undefined) {
    const parts = [database.version, database.lastUpdate && `updated ${database.lastUpdate}`];
    lines.push(`  database:  ${parts.filter(Boolean).join(', ') || database.uri || '?'}`);
  }
  lines.push(`  finished:  ${evidence.scanFinishedOn}`);
  for (const s of subjects) {
    const digests = Object.entries(s.digest).map(([alg, v]) => `${alg}:${v}`);
    lines.push(`  subject:   ${s.name ?? s.uri ?? '(unnamed)'} ${digests.join(' ')}`);
  }
  lines.push(`  summary:   ${describeSummary(evidence.summary)}`);
  if (evidence.findings.length > 0) {
    const sorted = [...evidence.findings].sort(
      (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
    );
    lines.push('  findings:');
    for (const f of sorted.slice(0, LISTED_FINDINGS)) {
      lines.push(`    ${f.severity.padEnd(8)} ${f.id.padEnd(22)} ${f.package ?? ''}`.trimEnd());
    }
    if (sorted.length > LISTED_FINDINGS) {
      lines.push(`    ... and ${sorted.length - LISTED_FINDINGS} more`);
    }
  }
  // Scanner names, subjects, ids and packages come from the scan: one line each, escaped.
  io.err(`${lines.map(escapeTerminal).join('\n')}\n`);
}
