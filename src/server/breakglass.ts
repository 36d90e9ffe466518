import { createHash } from 'node:crypto';
import { parseSignedDocument } from '../attestation/attestation.js';
import { parseStatement } from '../attestation/statement.js';
import { allRequirements } from '../policy/allow.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { compileCondition } from '../policy/condition.js';
import type { Decision } from '../policy/decision.js';
import type { CandidateDocument } from '../policy/evaluate.js';
import type { Breakglass } from './config.js';
import type { BreakglassGrant } from './image-verifier.js';

export const BREAKGLASS_PREDICATE_TYPE = 'https://vouch.dev/attestation/breakglass/v1';
const REQUIREMENT = 'breakglass';
const MAX_REASON = 200;

/**
 * The breakglass rule for one image policy and namespace, as a policy the evaluator runs
 * (docs/kubernetes.md#breakglass): a breakglass/v1 attestation whose subject is the image
 * digest, signed by one of the breakglass signers, with `scope.namespace` naming this namespace,
 * a non-empty `reason`, `issuedAt` at most maxDuration ago (and not in the future) and
 * `notAfter` still ahead. The namespace is a validated DNS label, safe as a CEL string literal.
 */
export function breakglassPolicy(
  base: CompiledPolicy,
  breakglass: Breakglass,
  namespace: string,
): CompiledPolicy {
  const authorities = base.authorities.filter((a) => breakglass.signers.includes(a.name));
  // As compileRequirement routes signers: an authority that needs log evidence (keyless, or
  // `transparencyLog: required`) counts only through it, never by its key's signature alone.
  const trusted = new Map<string, string>();
  const logged = new Set<string>();
  for (const a of authorities) {
    if (a.trustedRoot !== undefined) logged.add(a.name);
    else for (const k of a.keys) if (!trusted.has(k.keyid)) trusted.set(k.keyid, a.name);
  }
  const condition = compileCondition(
    `predicate.scope.namespace == ${JSON.stringify(namespace)} && type(predicate.reason) == string && size(predicate.reason) > 0 && timestamp(predicate.notAfter) > now`,
  );
  const keys = authorities.flatMap((a) => a.keys);
  return {
    name: `${base.name} (breakglass)`,
    source: base.source,
    // Derived from the policy file, but trusting only the breakglass signers: its own digest,
    // so no cache shares what it verified with the policy it comes from.
    digest: {
      sha256: createHash('sha256')
        .update(`breakglass\n${base.digest.sha256}\n${breakglass.signers.join('\n')}`)
        .digest('hex'),
    },
    clockSkew: base.clockSkew,
    authorities,
    requirements: [
      {
        name: REQUIREMENT,
        predicateType: BREAKGLASS_PREDICATE_TYPE,
        signers: breakglass.signers,
        threshold: 1,
        maxAge: breakglass.maxDuration,
        timestampPath: 'issuedAt',
        timestampSegments: ['issuedAt'],
        timestampPathExplicit: true,
        condition,
        trusted,
        logged,
        timeSource: 'predicate',
      },
    ],
    allow: allRequirements([REQUIREMENT]),
    keys: [...new Map(keys.map((k) => [k.keyid, k])).values()].sort((a, b) =>
      a.keyid < b.keyid ? -1 : a.keyid > b.keyid ? 1 : 0,
    ),
  };
}

/**
 * The grant an allowing breakglass decision rests on. The evaluator verified the document with
 * this digest; its reason is read back from those same bytes for the warning and the audit log.
 */
export function breakglassGrant(
  decision: Decision,
  documents: readonly CandidateDocument[],
  digestOf: (bytes: CandidateDocument['bytes']) => string,
): BreakglassGrant | undefined {
  if (!decision.allowed) return undefined;
  const counted = decision.requirements[0]?.satisfiedBy[0];
  const bytes = documents.find((d) => digestOf(d.bytes) === counted?.attestation)?.bytes;
  if (counted === undefined || bytes === undefined) return undefined;
  const { predicate } = parseStatement(parseSignedDocument(bytes).envelope.payload);
  return {
    attestation: counted.attestation,
    signer: `${counted.signer.authority} ${counted.signer.id.slice(0, 16)}`,
    reason: String(predicate.reason).slice(0, MAX_REASON),
    notAfter: String(predicate.notAfter).slice(0, 64),
  };
}
