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

// Issue 10, "clear answers for what is not an attestation".
const builder = makeKey();
const outsider = makeKey();
const APP = digestOf('app');
const policy = policyOf({
  authorities: { builder: authority(builder) },
  requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
});
const rejectionsOf = (...documents: string[]) =>
  evaluatePolicy(policy, {
    artifact: { digest: APP },
    documents: documents.map((bytes) => ({ bytes })),
    at: new Date('2026-11-23T10:00:00Z'),
  }).requirements[0]?.rejected ?? [];

describe('documents no policy key verifies', () => {
  const payload = statementJson(APP, PROVENANCE, provenance());

  it('a tampered document whose hint names no policy key says it may be tampered', () => {
    const env = JSON.parse(dsse(payload, [outsider]));
    env.payload = Buffer.from(statementJson(APP, PROVENANCE, provenance('https://evil'))).toString(
      'base64',
    );
    const [rejection] = rejectionsOf(JSON.stringify(env));
    expect(rejection?.code).toBe('UNTRUSTED_SIGNER');
    expect(rejection?.message).toContain(
      'no policy key verifies it: tampered, or signed by a key outside the policy',
    );
    expect(rejection?.message).not.toMatch(/add the key/);
  });

  it('a bundle of an unsupported version is UNSUPPORTED_BUNDLE in the decision, not MALFORMED', () => {
    const b = JSON.parse(bundle(payload, builder));
    b.mediaType = 'application/vnd.dev.sigstore.bundle.v0.4+json';
    expect(rejectionsOf(JSON.stringify(b)).map((r) => r.code)).toEqual(['UNSUPPORTED_BUNDLE']);
  });

  it('an in-toto Link in DSSE says it is not an attestation', () => {
    const link = JSON.stringify({ _type: 'link', name: 'build', materials: {}, products: {} });
    const [rejection] = rejectionsOf(dsse(link, [builder]));
    expect(rejection?.code).toBe('MALFORMED');
    expect(rejection?.message).toContain('in-toto link metadata, not an attestation');
  });
});
