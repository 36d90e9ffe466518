import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import {
  authority,
  bundle,
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  policyOf,
  provenance,
  statementJson,
} from '../support/signing.js';

const builder = makeKey();
const artifact = { name: 'app.tar.gz', digest: digestOf('app bytes') };
const payload = statementJson(artifact.digest, PROVENANCE, provenance());
const at = new Date('2026-11-23T10:00:00Z');

function decide(logRequired: boolean, document: string) {
  const keyed = authority(builder);
  const policy = policyOf({
    authorities: { builder: logRequired ? { ...keyed, transparencyLog: 'required' } : keyed },
    requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
  });
  return evaluatePolicy(policy, { artifact, documents: [{ bytes: document }], at });
}

describe('transparencyLog: required on a keyed authority', () => {
  it.each([
    ['a keyed bundle without a log entry', bundle(payload, builder)],
    ['a bare DSSE envelope', dsse(payload, [builder])],
  ])('refuses %s that the key alone would let count', (_what, document) => {
    expect(decide(false, document).allowed).toBe(true);
    const decision = decide(true, document);
    expect(decision.allowed).toBe(false);
    expect(decision.requirements[0]?.rejected[0]?.code).toBe('LOG_EVIDENCE_INVALID');
    expect(decision.requirements[0]?.rejected[0]?.message).toMatch(/^builder: /);
  });
});
