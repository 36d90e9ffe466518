import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { POLICY_DIGEST_TYPE, policyDigest } from '../../src/policy/policy-digest.js';
import { authority, makeKey, policyOf, TEST_RESULT } from '../support/signing.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const a = makeKey();
const b = makeKey('ed25519');
const c = makeKey();

describe('policyDigest', () => {
  it('is the sha256 of the documented layout: file digest, then authorities by name with sorted keyids', () => {
    const digest = policyDigest('policy text', [
      { name: 'zeta', keys: [b, a, b] },
      { name: 'alpha', keys: [c] },
    ]);
    const expected = sha256(
      JSON.stringify({
        type: POLICY_DIGEST_TYPE,
        policy: { sha256: sha256('policy text') },
        authorities: [
          { name: 'alpha', keys: [c.keyid] },
          { name: 'zeta', keys: [a.keyid, b.keyid].sort() },
        ],
      }),
    );
    expect(digest).toEqual({ sha256: expected });
  });

  it('changes when a key changes, when keys move between authorities, or when the file changes', () => {
    const base = policyDigest('p', [
      { name: 'x', keys: [a] },
      { name: 'y', keys: [b] },
    ]);
    expect(
      policyDigest('p', [
        { name: 'x', keys: [a] },
        { name: 'y', keys: [c] },
      ]),
    ).not.toEqual(base);
    expect(
      policyDigest('p', [
        { name: 'x', keys: [b] },
        { name: 'y', keys: [a] },
      ]),
    ).not.toEqual(base);
    expect(
      policyDigest('p ', [
        { name: 'x', keys: [a] },
        { name: 'y', keys: [b] },
      ]),
    ).not.toEqual(base);
    expect(
      policyDigest('p', [
        { name: 'y', keys: [b] },
        { name: 'x', keys: [a] },
      ]),
    ).toEqual(base);
  });

  it('a compiled policy carries it: the same text with another inline key has another digest', () => {
    const spec = (key: typeof a) => ({
      authorities: { builder: authority(key) },
      requirements: [{ name: 't', predicateType: TEST_RESULT, signers: ['builder'] }],
    });
    expect(policyOf(spec(a)).digest).toEqual(policyOf(spec(a)).digest);
    expect(policyOf(spec(a)).digest).not.toEqual(policyOf(spec(b)).digest);
  });
});
