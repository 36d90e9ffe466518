import { isPerishable } from '../predicates/timestamps.js';
import { anchoringProblem } from '../trust/identity.js';
import type { AllowExpr } from './allow.js';
import type { CompiledPolicy } from './compile.js';

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
    if (!referenced.has(r.name)) {
      warnings.push({
        path: 'spec.allow',
        message: `requirement ${r.name} does not appear in allow, so it never affects the decision`,
      });
    }
  });
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
        message: `authority ${authority.name} lists the same key more than once (it counts once)`,
      });
    }
  }
  return warnings;
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
