import { escapeTerminal } from '../encoding/terminal-text.js';
import { triageStatement } from '../evidence/triage.js';
import { VEX_JUSTIFICATIONS, type VexStatus } from '../predicates/openvex.js';
import { maxSeverity, SEVERITIES, type Severity } from '../predicates/severity.js';
import type { ReviewDecision, TriageStatement } from '../predicates/vuln-review.js';
import type { ScanEvidence } from '../predicates/vulns.js';
import type { Choice, Prompter } from './prompt.js';

export interface SessionOutcome {
  readonly decision: ReviewDecision;
  readonly triage: readonly TriageStatement[];
  readonly note?: string;
}

/** One vulnerability to triage: every package the scan found it in. */
interface Vulnerability {
  readonly id: string;
  readonly severity: Severity;
  readonly packages: readonly string[];
}

const STATUS_CHOICES: readonly Choice<VexStatus | 'skip'>[] = [
  { answers: ['n', 'not_affected'], value: 'not_affected' },
  { answers: ['a', 'affected'], value: 'affected' },
  { answers: ['f', 'fixed'], value: 'fixed' },
  { answers: ['u', 'under_investigation'], value: 'under_investigation' },
  { answers: ['s', 'skip', ''], value: 'skip' },
];

const DECISION_CHOICES: readonly Choice<ReviewDecision | 'quit'>[] = [
  { answers: ['a', 'approve', 'approved'], value: 'approved' },
  { answers: ['r', 'reject', 'rejected'], value: 'rejected' },
  { answers: ['q', 'quit'], value: 'quit' },
];

/**
 * Walks the scan's vulnerabilities, most severe first, asking a status for each one not yet
 * triaged (by --vex or --triage), then the decision. Resolves to undefined if the reviewer
 * quits: nothing is signed.
 */
export async function runReviewSession(
  prompter: Prompter,
  write: (text: string) => void,
  scan: ScanEvidence,
  given: ReadonlyMap<string, TriageStatement>,
  askNote: boolean,
): Promise<SessionOutcome | undefined> {
  const triage = new Map(given);
  const vulnerabilities = distinctVulnerabilities(scan);
  write(
    `\nTriage ${vulnerabilities.length} vulnerabilit${vulnerabilities.length === 1 ? 'y' : 'ies'}: ` +
      'n = not_affected, a = affected, f = fixed, u = under_investigation, s or Enter = leave untriaged\n',
  );
  for (const [i, v] of vulnerabilities.entries()) {
    write(
      `\n[${i + 1}/${vulnerabilities.length}] ${escapeTerminal(`${v.id}  ${v.severity}  in ${v.packages.join(', ')}`)}\n`,
    );
    const existing = triage.get(v.id);
    if (existing !== undefined) {
      write(`  already triaged: ${existing.status}\n`);
      continue;
    }
    const status = await prompter.choose('  status [n/a/f/u/s]? ', STATUS_CHOICES);
    if (status === 'skip') continue;
    triage.set(v.id, triageStatement(v.id, status, await askDetail(prompter, write, status)));
  }
  const decision = await prompter.choose(
    '\nDecision: (a)pprove or (r)eject this scan, (q)uit without signing? ',
    DECISION_CHOICES,
  );
  if (decision === 'quit') return undefined;
  const note = askNote ? await prompter.ask('Note (optional, Enter for none): ') : '';
  return { decision, triage: [...triage.values()], ...(note === '' ? {} : { note }) };
}

async function askDetail(
  prompter: Prompter,
  write: (text: string) => void,
  status: VexStatus,
): Promise<string | undefined> {
  switch (status) {
    case 'not_affected': {
      write(`${VEX_JUSTIFICATIONS.map((j, i) => `    ${i + 1} ${j}`).join('\n')}\n`);
      for (;;) {
        const answer = await prompter.ask('  justification (1-5) or an impact statement: ');
        const index = /^[1-5]$/.test(answer) ? Number(answer) - 1 : -1;
        if (index >= 0) return VEX_JUSTIFICATIONS[index];
        if (answer !== '') return answer;
      }
    }
    case 'affected':
      for (;;) {
        const answer = await prompter.ask('  action statement (what is done about it): ');
        if (answer !== '') return answer;
      }
    case 'fixed':
    case 'under_investigation':
      return undefined;
    default: {
      const never: never = status;
      throw new Error(`unknown status ${String(never)}`);
    }
  }
}

function distinctVulnerabilities(scan: ScanEvidence): Vulnerability[] {
  const byId = new Map<string, { severity: Severity; packages: string[] }>();
  for (const f of scan.findings) {
    const entry = byId.get(f.id) ?? { severity: f.severity, packages: [] };
    entry.severity = maxSeverity(entry.severity, f.severity);
    if (f.package !== undefined && !entry.packages.includes(f.package))
      entry.packages.push(f.package);
    byId.set(f.id, entry);
  }
  return [...byId.entries()]
    .map(([id, e]) => ({
      id,
      severity: e.severity,
      packages: e.packages.length ? e.packages : ['?'],
    }))
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}
