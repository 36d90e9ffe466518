import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DigestSet } from '../../src/attestation/digest-set.js';
import { attestationDigest } from '../../src/attestation/envelope.js';
import { foldAllow } from '../../src/policy/allow.js';
import type { Decision } from '../../src/policy/decision.js';
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
  review,
  statementJson,
  VULN_REVIEW,
} from '../support/signing.js';

// A pool of signed envelopes made once; fast-check picks subsets and orders of it.
const builder = makeKey('ed25519');
const alice = makeKey('ed25519');
const bob = makeKey('ed25519');
const carol = makeKey();
const mallory = makeKey('ed25519');
const APP = digestOf('app v1');
const OTHER = digestOf('other artifact');
const VEX = 'https://openvex.dev/ns/v0.2.0';
const T = new Date('2026-11-23T10:00:00Z');

const policy = policyOf({
  authorities: { builder: authority(builder), security: authority(alice, bob, carol) },
  requirements: [
    {
      name: 'provenance',
      predicateType: PROVENANCE,
      signers: ['builder'],
      condition:
        'predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"',
    },
    {
      name: 'vuln-review',
      predicateType: VULN_REVIEW,
      signers: ['security'],
      threshold: 2,
      maxAge: '168h',
      condition: 'predicate.decision == "approved" && predicate.summary.critical == 0',
    },
    { name: 'vex', predicateType: VEX, signers: ['security'], maxAge: '720h' },
  ],
  allow: 'provenance && (vuln-review || vex)',
});

const rev = (
  keys: (typeof alice)[],
  at = '2026-11-22T10:00:00Z',
  decision = 'approved',
  subject: DigestSet = APP,
) => dsse(statementJson(subject, VULN_REVIEW, review(at, decision)), keys);
const vex = (key: typeof alice, timestamp: string) =>
  dsse(statementJson(APP, VEX, { '@context': 'https://openvex.dev/ns/v0.2.0', timestamp }), [key]);
const prov = dsse(statementJson(APP, PROVENANCE, provenance()), [builder]);
const tampered = (() => {
  const env = JSON.parse(rev([alice], '2026-11-22T10:00:00Z', 'rejected'));
  env.payload = Buffer.from(
    statementJson(APP, VULN_REVIEW, review('2026-11-22T10:00:00Z')),
  ).toString('base64');
  return JSON.stringify(env);
})();

/** Attestations that count for something. */
const VALID: readonly string[] = [
  prov,
  bundle(
    statementJson(
      APP,
      PROVENANCE,
      provenance('https://github.com/acme/app', '2026-11-20T00:00:00Z'),
    ),
    builder,
  ),
  rev([alice]),
  rev([bob], '2026-11-18T10:00:00Z'),
  rev([carol], '2026-11-23T10:04:00Z'),
  rev([alice, bob], '2026-11-21T00:00:00Z'),
  vex(carol, '2026-11-01T00:00:00Z'),
];

/** Invalid, foreign, expired and malicious ones: none counts for anything. */
const INVALID: readonly string[] = [
  rev([mallory]),
  dsse(statementJson(APP, PROVENANCE, provenance()), [mallory]),
  rev([alice], '2026-11-01T10:00:00Z'), // expired
  vex(bob, '2026-10-01T00:00:00Z'), // expired
  rev([bob], '2026-11-24T10:00:00Z'), // future
  rev([alice], '2026-11-22T10:00:00Z', 'approved', OTHER), // replay for another artifact
  rev([bob], '2026-11-22T10:00:00Z', 'approved', { sha1: 'a'.repeat(40) }), // weak digest
  rev([alice], '2026-11-22T10:00:00Z', 'rejected'), // condition false
  dsse(statementJson(APP, VULN_REVIEW, { reviewedAt: '2026-11-22T10:00:00Z' }), [bob]), // condition error
  dsse(statementJson(APP, VULN_REVIEW, review('2026-11-22T10:00:00')), [carol]), // no timezone
  dsse(statementJson(APP, PROVENANCE, provenance('https://github.com/evil/app')), [builder]),
  dsse(statementJson(APP, PROVENANCE, provenance()), [alice]), // wrong authority
  dsse(statementJson(APP, VULN_REVIEW, review('2026-11-22T10:00:00Z')), [builder]), // wrong authority
  tampered,
  dsse(statementJson(APP, VULN_REVIEW, review('2026-11-22T10:00:00Z')), [alice], 'text/plain'),
  dsse('{"_type":"https://in-toto.io/Statement/v1","subject":[]}', [alice]),
  dsse(statementJson(APP, 'https://example.com/other', { constructor: { prototype: 1 } }), [bob]),
  bundle(statementJson(APP, VULN_REVIEW, review('2026-11-22T10:00:00Z')), mallory),
  '{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}',
  '{"payloadType":"a","payloadType":"b"}',
  `${'['.repeat(200)}${']'.repeat(200)}`,
  'not json at all',
];

const POOL = [...VALID, ...INVALID];

function decide(docs: readonly (string | Uint8Array)[]): Decision {
  return evaluatePolicy(policy, {
    artifact: { name: 'app.tar.gz', digest: APP },
    documents: docs.map((bytes) => ({ bytes })),
    at: T,
  });
}

const expiryOf = (d: Decision): number =>
  d.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(d.expiresAt);

const subset = (from: readonly string[]) => fc.subarray([...from]);
/** A set that allows: provenance, reviews from two distinct keys, plus anything. */
const allowedSet = fc
  .tuple(subset(POOL), fc.shuffledSubarray(VALID.slice(2, 6), { minLength: 2, maxLength: 2 }))
  .map(([rest, reviews]) => [prov, ...reviews, ...rest]);

describe('evaluatePolicy properties', () => {
  it('when attestations are added an allowed decision stays allowed (monotonicity)', () => {
    fc.assert(
      fc.property(fc.oneof(allowedSet, subset(POOL)), subset(POOL), (s, x) => {
        const before = decide(s);
        const after = decide([...s, ...x]);
        if (before.allowed) expect(after.allowed).toBe(true);
        // Per requirement too, and what counts never expires sooner.
        before.requirements.forEach((r, i) => {
          if (r.satisfied) expect(after.requirements[i]?.satisfied).toBe(true);
        });
        if (before.allowed) expect(expiryOf(after)).toBeGreaterThanOrEqual(expiryOf(before));
      }),
      { numRuns: 400 },
    );
  });

  it('when only invalid, foreign, expired or malicious attestations are added nothing changes', () => {
    fc.assert(
      fc.property(allowedSet, subset(INVALID), (s, x) => {
        const before = decide(s);
        const after = decide([...x, ...s]);
        expect(after.allowed).toBe(before.allowed);
        expect(after.expiresAt).toBe(before.expiresAt);
        after.requirements.forEach((r, i) => {
          expect(r.satisfiedBy).toEqual(before.requirements[i]?.satisfiedBy);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('when a counted attestation is deleted the requirement fails exactly when its keys drop below the threshold (deletion)', () => {
    fc.assert(
      fc.property(allowedSet, fc.nat(), (s, pick) => {
        const before = decide(s);
        expect(before.allowed).toBe(true);
        const counted = [
          ...new Set(before.requirements.flatMap((r) => r.satisfiedBy.map((e) => e.attestation))),
        ];
        const victim = counted[pick % counted.length];
        const after = decide(s.filter((doc) => attestationDigest(doc) !== victim));
        const expected = new Map<string, boolean>();
        for (const [i, r] of before.requirements.entries()) {
          const threshold = policy.requirements[i]?.threshold ?? 1;
          const keys = new Set(
            r.satisfiedBy.filter((e) => e.attestation !== victim).map((e) => e.signer.id),
          );
          expected.set(r.name, keys.size >= threshold);
          expect(after.requirements[i]?.satisfied).toBe(keys.size >= threshold);
        }
        const allowed = foldAllow(policy.allow, (n) => (expected.get(n) ? 1 : 0)) === 1;
        expect(after.allowed).toBe(allowed);
      }),
      { numRuns: 150 },
    );
  });

  it('when inputs are reordered or repeated the decision is identical (order independence)', () => {
    fc.assert(
      fc.property(
        subset(POOL).chain((s) =>
          fc.tuple(fc.constant(s), fc.shuffledSubarray(s, { minLength: s.length }), subset(s)),
        ),
        ([s, shuffled, repeated]) => {
          expect(JSON.stringify(decide([...shuffled, ...repeated]))).toBe(
            JSON.stringify(decide(s)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when documents are arbitrary bytes evaluation never throws and never allows', () => {
    const junk = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ maxLength: 300 }),
      fc.json({ maxDepth: 4 }),
      fc
        .record({
          payloadType: fc.oneof(fc.constant('application/vnd.in-toto+json'), fc.string()),
          payload: fc.oneof(fc.base64String(), fc.string()),
          signatures: fc.array(fc.record({ keyid: fc.string(), sig: fc.base64String() }), {
            maxLength: 3,
          }),
        })
        .map((e) => JSON.stringify(e)),
    );
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 8 }), (docs) => {
        const decision = decide(docs);
        expect(decision.allowed).toBe(false);
        expect(decision.requirements).toHaveLength(3);
      }),
      { numRuns: 1500 },
    );
  });

  it('when valid envelopes are corrupted evaluation never throws', () => {
    const corrupted = fc
      .tuple(fc.constantFrom(...POOL), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
      .map(([doc, at, byte, truncate]) => {
        const bytes = Buffer.from(doc);
        if (truncate) return bytes.subarray(0, at % (bytes.length + 1));
        bytes[at % bytes.length] = byte;
        return bytes;
      });
    fc.assert(
      fc.property(fc.array(corrupted, { maxLength: 6 }), subset(VALID), (bad, good) => {
        const decision = decide([...bad, ...good]);
        expect(typeof decision.allowed).toBe('boolean');
        for (const r of decision.requirements) {
          for (const x of r.rejected) expect(x.code).not.toBe('INTERNAL');
        }
      }),
      { numRuns: 500 },
    );
  });
});
