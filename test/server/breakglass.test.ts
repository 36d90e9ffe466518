import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { BREAKGLASS_PREDICATE_TYPE, breakglassPolicy } from '../../src/server/breakglass.js';
import {
  authority,
  bundle,
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  policyOf,
  statementJson,
} from '../support/signing.js';

const builder = makeKey();
const oncall = makeKey();
const artifact = { name: 'ghcr.io/acme/app', digest: digestOf('image bytes') };
const at = new Date('2026-11-23T10:00:00Z');
const grant = statementJson(artifact.digest, BREAKGLASS_PREDICATE_TYPE, {
  scope: { namespace: 'shop' },
  reason: 'INC-4711',
  issuedAt: '2026-11-23T09:00:00Z',
  notAfter: '2026-11-23T12:00:00Z',
});

function rule(oncallLogRequired: boolean) {
  const keyed = authority(oncall);
  const base = policyOf({
    authorities: {
      builder: authority(builder),
      oncall: oncallLogRequired ? { ...keyed, transparencyLog: 'required' } : keyed,
    },
    requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
  });
  return breakglassPolicy(base, { signers: ['oncall'], maxDuration: 4 * 3_600_000 }, 'shop');
}

describe('the breakglass rule', () => {
  it.each([
    ['a bare DSSE envelope', dsse(grant, [oncall])],
    ['a keyed bundle without a log entry', bundle(grant, oncall)],
  ])('counts %s from a plain breakglass key', (_what, document) => {
    const decision = evaluatePolicy(rule(false), {
      artifact,
      documents: [{ bytes: document }],
      at,
    });
    expect(decision.allowed).toBe(true);
  });

  it.each([
    ['a bare DSSE envelope', dsse(grant, [oncall])],
    ['a keyed bundle without a log entry', bundle(grant, oncall)],
  ])(
    'keeps transparencyLog: required of a breakglass authority: %s does not count',
    (_what, document) => {
      const decision = evaluatePolicy(rule(true), {
        artifact,
        documents: [{ bytes: document }],
        at,
      });
      expect(decision.allowed).toBe(false);
      expect(decision.requirements[0]?.rejected[0]?.code).toBe('LOG_EVIDENCE_INVALID');
    },
  );
});
