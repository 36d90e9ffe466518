import * as z from 'zod';
import { parseRfc3339 } from '../encoding/rfc3339.js';
import { type ConfigSource, parseConfigText, validateConfig } from './config-text.js';
import { type Decision, REJECTION_CODES } from './decision.js';

const caseSchema = z.strictObject({
  description: z.string().optional(),
  /** `[NAME@]sha256:<hex>` or a file path relative to the case file. */
  artifact: z.string().min(1),
  /** Files or directories relative to the case file; may be empty (nothing presented). */
  attestations: z.array(z.string().min(1)),
  at: z
    .string()
    .refine((s) => parseRfc3339(s) !== undefined, 'must be an RFC 3339 time with a timezone'),
  expect: z.enum(['allow', 'deny']),
  /** Expected `satisfied` per requirement name. */
  satisfied: z.record(z.string(), z.boolean()).optional(),
  /** Codes that must appear among a requirement's rejections. */
  rejected: z.record(z.string(), z.array(z.enum(REJECTION_CODES)).min(1)).optional(),
});

/** One `vouch policy test` case (docs/policy.md). */
export type PolicyTestCase = z.infer<typeof caseSchema>;

export function parsePolicyTestCase(source: ConfigSource): PolicyTestCase {
  return validateConfig(
    source,
    parseConfigText(source, 'FIXTURE_INVALID'),
    caseSchema,
    'FIXTURE_INVALID',
  );
}

/** How the decision differs from the case's expectations; empty when it matches. */
export function caseMismatches(testCase: PolicyTestCase, decision: Decision): string[] {
  const out: string[] = [];
  const got = decision.allowed ? 'allow' : 'deny';
  if (got !== testCase.expect) out.push(`expected ${testCase.expect}, got ${got}`);
  const byName = new Map(decision.requirements.map((r) => [r.name, r]));
  for (const [name, expected] of Object.entries(testCase.satisfied ?? {})) {
    const result = byName.get(name);
    if (result === undefined) out.push(`no requirement named ${name}`);
    else if (result.satisfied !== expected) {
      out.push(`${name}: expected ${expected ? 'satisfied' : 'not satisfied'}, got the opposite`);
    }
  }
  for (const [name, codes] of Object.entries(testCase.rejected ?? {})) {
    const result = byName.get(name);
    if (result === undefined) {
      out.push(`no requirement named ${name}`);
      continue;
    }
    const seen = new Set(result.rejected.map((r) => r.code));
    for (const code of codes) {
      if (!seen.has(code)) {
        out.push(`${name}: expected a ${code} rejection, got ${[...seen].join(', ') || 'none'}`);
      }
    }
  }
  return out;
}
