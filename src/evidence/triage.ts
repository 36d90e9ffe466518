import { VouchError } from '../errors.js';
import {
  type OpenVexDocument,
  statementTime,
  VEX_JUSTIFICATIONS,
  VEX_STATUSES,
  type VexJustification,
  type VexStatus,
} from '../predicates/openvex.js';
import type { TriageStatement } from '../predicates/vuln-review.js';

/** What triage needs to know of a finding: its id and the other names it goes by. */
export interface TriageTarget {
  readonly id: string;
  readonly aliases: readonly string[];
}

export function isVexStatus(value: string): value is VexStatus {
  return (VEX_STATUSES as readonly string[]).includes(value);
}

export function isVexJustification(value: string): value is VexJustification {
  return (VEX_JUSTIFICATIONS as readonly string[]).includes(value);
}

/**
 * A statement with the details its status needs (OpenVEX: not_affected needs a justification
 * or an impact statement, affected an action statement). `detail` is the free text the user
 * gave: for not_affected a justification label or else an impact statement, for affected the
 * action statement, for fixed and under_investigation status notes.
 */
export function triageStatement(
  vulnerability: string,
  status: VexStatus,
  detail: string | undefined,
): TriageStatement {
  const text = detail?.trim() === '' ? undefined : detail?.trim();
  switch (status) {
    case 'not_affected':
      if (text === undefined) {
        throw new VouchError('USAGE', `${vulnerability}: not_affected needs a justification`, {
          hint: `give one of ${VEX_JUSTIFICATIONS.join(', ')}, or an impact statement`,
        });
      }
      return isVexJustification(text)
        ? { vulnerability, status, justification: text }
        : { vulnerability, status, impact_statement: text };
    case 'affected':
      if (text === undefined) {
        throw new VouchError('USAGE', `${vulnerability}: affected needs an action statement`, {
          hint: 'say what is done about it, e.g. "upgrade to 3.0.8 in the next release"',
        });
      }
      return { vulnerability, status, action_statement: text };
    case 'fixed':
    case 'under_investigation':
      return text === undefined
        ? { vulnerability, status }
        : { vulnerability, status, status_notes: text };
    default: {
      const never: never = status;
      throw new VouchError('USAGE', `unknown status ${String(never)}`);
    }
  }
}

/** `ID=status[:detail]`, one triage entry given as text (errors name the field `triage`). */
export function parseTriageArg(arg: string): TriageStatement {
  const m = /^([^=\s]+)=([a-z_]+)(?::(.*))?$/s.exec(arg);
  if (m === null) {
    throw new VouchError('USAGE', `${JSON.stringify(arg)} is not ID=status[:detail]`, {
      field: 'triage',
      hint: 'e.g. CVE-2023-0286=not_affected:vulnerable_code_not_in_execute_path',
    });
  }
  const [, id, status, detail] = m as unknown as [string, string, string, string | undefined];
  if (!isVexStatus(status)) {
    throw new VouchError('USAGE', `${id}: unknown status ${status}`, {
      field: 'triage',
      hint: `use one of ${VEX_STATUSES.join(', ')}`,
    });
  }
  return triageStatement(id, status, detail);
}

/** The finding a vulnerability name refers to, by id or by alias. */
export function findTarget(
  name: string,
  aliases: readonly string[],
  targets: readonly TriageTarget[],
): TriageTarget | undefined {
  const names = new Set([name, ...aliases]);
  return (
    targets.find((t) => names.has(t.id)) ?? targets.find((t) => t.aliases.some((a) => names.has(a)))
  );
}

export interface VexImport {
  readonly triage: readonly TriageStatement[];
  /** Vulnerabilities the document speaks of that the scan did not find. */
  readonly unmatched: readonly string[];
}

/**
 * Maps an OpenVEX document's statements to triage entries for the scan's findings. Where the
 * document has several statements about one vulnerability the latest wins (OPENVEX-SPEC.md:
 * statements are a timeline); product scoping is the reviewer's call, shown, not enforced.
 */
export function triageFromVex(doc: OpenVexDocument, targets: readonly TriageTarget[]): VexImport {
  const latest = new Map<string, { time: number; statement: TriageStatement }>();
  const unmatched = new Set<string>();
  for (const s of doc.statements) {
    const target = findTarget(s.vulnerability.name, s.vulnerability.aliases ?? [], targets);
    if (target === undefined) {
      unmatched.add(s.vulnerability.name);
      continue;
    }
    const time = statementTime(doc, s);
    const previous = latest.get(target.id);
    if (previous !== undefined && previous.time > time) continue;
    latest.set(target.id, {
      time,
      statement: {
        vulnerability: target.id,
        status: s.status,
        ...(s.justification === undefined ? {} : { justification: s.justification }),
        ...(s.impact_statement === undefined ? {} : { impact_statement: s.impact_statement }),
        ...(s.action_statement === undefined ? {} : { action_statement: s.action_statement }),
        ...(s.status_notes === undefined ? {} : { status_notes: s.status_notes }),
      },
    });
  }
  return {
    triage: [...latest.values()].map((v) => v.statement),
    unmatched: [...unmatched],
  };
}
