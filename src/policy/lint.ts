import { isPerishable } from '../predicates/timestamps.js';
import { anchoringProblem } from '../trust/identity.js';
import type { AllowExpr } from './allow.js';
import type { CompiledPolicy } from './compile.js';
import { CONDITION_BUDGET } from './condition-cost.js';
import { unknownFields } from './condition-fields.js';
import { formatDuration } from './duration.js';

/** Clock skew beyond which lint warns. */
const MAX_SENSIBLE_SKEW = 3_600_000;

/** The attestation size lint assumes for a condition's worst case: a large scan report. */
const LINT_DATA_SIZE = 10_000;

/** Something legal that is probably not what the author meant. */
export interface PolicyWarning {
  readonly path: string;
  readonly message: string;
}

/** Warnings for a policy that compiles (errors are compile's job). */
export function lintPolicy(policy: CompiledPolicy): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  const used = new Set(policy.requirements.flatMap((r) => r.signers));
  const referenced = new Set(allowNames(policy.allow));
  policy.requirements.forEach((r, i) => {
    const at = `spec.requirements[${i}]`;
    // DESIGN.md principle 6: a review is valid for a bounded time.
    if (r.maxAge === undefined && isPerishable(r.predicateType)) {
      warnings.push({
        path: `${at}.maxAge`,
        message: `${r.name}: ${r.predicateType} claims go stale, but the requirement has no maxAge, so a years-old ${r.predicateType.includes('review') ? 'review' : 'attestation'} still counts`,
      });
    }
    if (r.maxAge === undefined && r.timestampPathExplicit) {
      warnings.push({
        path: `${at}.timestampPath`,
        message: `${r.name}: timestampPath has no effect without maxAge`,
      });
    }
    for (const problem of unknownFields(r.condition?.reads ?? [], r.predicateType)) {
      warnings.push({
        path: `${at}.condition`,
        message: `${r.name}: ${problem} in ${r.predicateType} predicates; reading a field that is not there makes the condition an error, so nothing counts`,
      });
    }
    const cost = r.condition?.worstCase;
    if (cost !== undefined && cost.at(LINT_DATA_SIZE) > CONDITION_BUDGET) {
      warnings.push({
        path: `${at}.condition`,
        message: `${r.name}: ${costWarning(cost.degree, cost.at(LINT_DATA_SIZE))}; an attestation over budget does not count (CONDITION_ERROR)`,
      });
    }
    if (!referenced.has(r.name)) {
      warnings.push({
        path: 'spec.allow',
        message: `requirement ${r.name} does not appear in allow, so it never affects the decision`,
      });
    }
  });
  // DESIGN.md principle 6: an attestation dated in the future counts within clockSkew, and
  // ages out only maxAge after that date, so a long skew stretches every maxAge.
  if (policy.clockSkew > MAX_SENSIBLE_SKEW) {
    warnings.push({
      path: 'spec.clockSkew',
      message: `clockSkew ${formatDuration(policy.clockSkew)} lets an attestation dated that far in the future count, and it then counts for that long beyond maxAge; clocks agree within minutes (default 5m)`,
    });
  }
  for (const authority of policy.authorities) {
    const at = `spec.authorities.${authority.name}`;
    if (!used.has(authority.name)) {
      warnings.push({ path: at, message: `authority ${authority.name} signs for no requirement` });
    }
    authority.identities.forEach(({ spec }, i) => {
      const problem =
        spec.subjectRegExp === undefined ? undefined : anchoringProblem(spec.subjectRegExp);
      if (problem !== undefined) {
        warnings.push({
          path: `${at}.keyless.identities[${i}].subjectRegExp`,
          message: `authority ${authority.name}: subjectRegExp ${problem}`,
        });
      }
    });
    if (authority.keys.length < authority.listed) {
      warnings.push({
        path: `${at}.keys`,
        message: `authority ${authority.name} lists the same key more than once, in the same or another encoding (it counts once)`,
      });
    }
  }
  warnings.push(...sharedKeys(policy));
  return warnings;
}

function costWarning(degree: number, cost: number): string {
  const steps = cost.toExponential(1);
  if (degree === 0) {
    return `the condition can cost ${steps} steps whatever the attestation holds, over the evaluation budget of ${CONDITION_BUDGET}`;
  }
  return `the condition's cost can grow as n^${degree} with the attestation's size n (nested comprehensions, or a list searched per element): ${steps} steps for ${LINT_DATA_SIZE} values, over the evaluation budget of ${CONDITION_BUDGET}`;
}

/** A key (by canonical keyid, so in any encoding) trusted by more than one authority. */
function sharedKeys(policy: CompiledPolicy): PolicyWarning[] {
  const holders = new Map<string, string[]>();
  for (const authority of policy.authorities) {
    for (const key of authority.keys) {
      holders.set(key.keyid, [...(holders.get(key.keyid) ?? []), authority.name]);
    }
  }
  return [...holders]
    .filter(([, names]) => names.length > 1)
    .map(([keyid, names]) => ({
      path: 'spec.authorities',
      message: `key ${keyid.slice(0, 16)} is listed by authorities ${names.join(', ')} (a requirement naming several of them counts it once)`,
    }));
}

function allowNames(expr: AllowExpr): string[] {
  switch (expr.kind) {
    case 'requirement':
      return [expr.name];
    case 'all':
    case 'any':
      return expr.terms.flatMap(allowNames);
    default: {
      const never: never = expr;
      throw new Error(`unknown allow node ${String(never)}`);
    }
  }
}
