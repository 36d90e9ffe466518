import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STATEMENT_V01 } from '../../src/attestation/statement.js';
import { type CompiledPolicy, compilePolicy } from '../../src/policy/compile.js';
import type { Artifact, Decision, RequirementResult } from '../../src/policy/decision.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { VOUCH_VERSION } from '../../src/version.js';
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
  TEST_RESULT,
  VULN_REVIEW,
} from '../support/signing.js';

const builder = makeKey();
const alice = makeKey('ed25519');
const bob = makeKey();
const carol = makeKey();
const mallory = makeKey();

const APP = digestOf('app v1');
const OTHER = digestOf('some other artifact');
const artifact: Artifact = { name: 'app.tar.gz', digest: APP };
const T = '2026-11-23T10:00:00Z';
const REPO_CONDITION =
  'predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"';

const policy = policyOf(
  {
    clockSkew: '5m',
    authorities: { builder: authority(builder), security: authority(alice, bob, carol) },
    requirements: [
      {
        name: 'provenance',
        predicateType: PROVENANCE,
        signers: ['builder'],
        condition: REPO_CONDITION,
      },
      {
        name: 'vuln-review',
        predicateType: VULN_REVIEW,
        signers: ['security'],
        threshold: 2,
        maxAge: '168h',
        condition: 'predicate.decision == "approved" && predicate.summary.critical == 0',
      },
    ],
  },
  'production',
);

const prov = (signers = [builder], subject = APP, repo?: string) =>
  dsse(statementJson(subject, PROVENANCE, provenance(repo)), signers);
const rev = (
  signer: (typeof alice)[],
  reviewedAt = '2026-11-22T10:00:00Z',
  decision = 'approved',
) => dsse(statementJson(APP, VULN_REVIEW, review(reviewedAt, decision)), signer);

function decide(
  docs: readonly (string | Uint8Array)[],
  options: { policy?: CompiledPolicy; at?: string; artifact?: Artifact } = {},
): Decision {
  return evaluatePolicy(options.policy ?? policy, {
    artifact: options.artifact ?? artifact,
    documents: docs.map((bytes) => ({ bytes })),
    at: new Date(options.at ?? T),
  });
}

function requirement(decision: Decision, name: string): RequirementResult {
  const found = decision.requirements.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no requirement ${name}`);
  return found;
}

/** A one-requirement policy, for reason-code scenarios. */
function single(extra: Record<string, unknown> = {}, type = VULN_REVIEW): CompiledPolicy {
  return policyOf({
    authorities: { security: authority(alice, bob) },
    requirements: [{ name: 'r', predicateType: type, signers: ['security'], ...extra }],
  });
}

function codesFor(decision: Decision, name = 'r'): string[] {
  return requirement(decision, name).rejected.map((r) => r.code);
}

describe('evaluatePolicy', () => {
  describe('when the decision says what decided and where each attestation was read', () => {
    const read = (docs: readonly [string, string][], p = policy) =>
      evaluatePolicy(p, {
        artifact,
        documents: docs.map(([source, bytes]) => ({ bytes, source })),
        at: new Date(T),
      });
    const provenanceDoc = prov();
    const aliceDoc = rev([alice]);
    const bobDoc = rev([bob], '2026-11-20T10:00:00Z');
    const strayDoc = prov([mallory]);

    it('opens with the schema version, the Vouch version and the policy digest', () => {
      const text = JSON.stringify({
        apiVersion: 'vouch/v1',
        kind: 'Policy',
        metadata: { name: 'digested' },
        spec: {
          authorities: { builder: authority(builder) },
          requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
        },
      });
      const compiled = compilePolicy(
        { name: 'p.json', text, format: 'json' },
        { readKeyFile: () => '' },
      );
      const decision = read([['p.json', provenanceDoc]], compiled);
      expect(decision.schemaVersion).toBe('vouch.dev/decision/v1');
      expect(decision.vouchVersion).toBe(VOUCH_VERSION);
      // The compiled policy's digest: the file and the keys it resolved to (policy-digest.ts).
      expect(decision.policyDigest).toEqual(compiled.digest);
      expect(decision.policyDigest).not.toEqual({
        sha256: createHash('sha256').update(text).digest('hex'),
      });
      expect(read([['p.json', provenanceDoc]]).policyDigest).not.toEqual(decision.policyDigest);
    });

    it('gives every counted and rejected attestation its source', () => {
      const decision = read([
        ['prov.dsse.json', provenanceDoc],
        ['reviews.intoto.jsonl#L1', aliceDoc],
        ['reviews.intoto.jsonl#L2', bobDoc],
        ['stray.dsse.json', strayDoc],
      ]);
      expect(decision.allowed).toBe(true);
      const sources = decision.requirements.flatMap((r) => [
        ...r.satisfiedBy.map((e) => `${r.name} counted ${e.source}`),
        ...r.rejected.map((e) => `${r.name} ${e.code} ${e.source}`),
      ]);
      expect(sources.sort()).toEqual(
        [
          'provenance counted prov.dsse.json',
          'provenance UNTRUSTED_SIGNER reviews.intoto.jsonl#L1',
          'provenance UNTRUSTED_SIGNER reviews.intoto.jsonl#L2',
          'provenance UNTRUSTED_SIGNER stray.dsse.json',
          'vuln-review counted reviews.intoto.jsonl#L1',
          'vuln-review counted reviews.intoto.jsonl#L2',
          'vuln-review UNTRUSTED_SIGNER prov.dsse.json',
          'vuln-review UNTRUSTED_SIGNER stray.dsse.json',
        ].sort(),
      );
    });

    it('names the same bytes read twice by one source, whatever the order', () => {
      const one = read([
        ['b/copy.dsse.json', provenanceDoc],
        ['a/orig.dsse.json', provenanceDoc],
      ]);
      const other = read([
        ['a/orig.dsse.json', provenanceDoc],
        ['b/copy.dsse.json', provenanceDoc],
      ]);
      expect(one).toEqual(other);
      expect(requirement(one, 'provenance').satisfiedBy.map((e) => e.source)).toEqual([
        'a/orig.dsse.json',
      ]);
    });

    it('says source null when the caller gave bytes alone', () => {
      const decision = decide([provenanceDoc, 'not json']);
      const r = requirement(decision, 'provenance');
      expect(r.satisfiedBy.map((e) => e.source)).toEqual([null]);
      expect(r.rejected.map((e) => [e.code, e.source])).toEqual([['MALFORMED', null]]);
    });

    it('a signer below the threshold is reported with its source and signer id', () => {
      const decision = read([['alice.dsse.json', aliceDoc]]);
      const below = requirement(decision, 'vuln-review').rejected;
      expect(below).toEqual([
        expect.objectContaining({ code: 'BELOW_THRESHOLD', source: 'alice.dsse.json' }),
      ]);
      expect(below[0]?.message).toContain(alice.keyid.slice(0, 16));
    });
  });

  describe('when every requirement is met', () => {
    const decision = decide([prov(), rev([alice]), rev([bob], '2026-11-20T10:00:00Z')]);

    it('allows, with the DESIGN.md section 7 shape', () => {
      expect(decision.allowed).toBe(true);
      expect(decision.policy).toBe('production');
      expect(decision.evaluatedAt).toBe(T);
      expect(decision.artifact).toEqual({ name: 'app.tar.gz', digest: APP });
      expect(decision.policyDigest).toEqual(policy.digest);
      expect(Object.keys(decision)).toEqual([
        'schemaVersion',
        'vouchVersion',
        'allowed',
        'policy',
        'policyDigest',
        'evaluatedAt',
        'artifact',
        'requirements',
        'expiresAt',
      ]);
      const review = requirement(decision, 'vuln-review');
      expect(review.satisfied).toBe(true);
      expect(review.missing).toBeUndefined();
      expect(review.satisfiedBy).toHaveLength(2);
      for (const s of review.satisfiedBy) {
        expect(Object.keys(s)).toEqual(['attestation', 'source', 'signer', 'time', 'expiresAt']);
        expect(s.attestation).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(s.signer).toEqual({ authority: 'security', kind: 'key', id: s.signer.id });
      }
      const byKey = new Map(review.satisfiedBy.map((s) => [s.signer.id, s]));
      expect(byKey.get(alice.keyid)?.time).toBe('2026-11-22T10:00:00Z');
      expect(byKey.get(alice.keyid)?.expiresAt).toBe('2026-11-29T10:00:00Z');
      expect(byKey.get(bob.keyid)?.expiresAt).toBe('2026-11-27T10:00:00Z');
    });

    it('expires when the second-latest review ages out (threshold 2)', () => {
      expect(decision.expiresAt).toBe('2026-11-27T10:00:00Z');
      expect(requirement(decision, 'provenance').satisfiedBy[0]?.expiresAt).toBeNull();
    });

    it('lists the attestations that did not count for each requirement', () => {
      expect(codesFor(decision, 'provenance').sort()).toEqual([
        'UNTRUSTED_SIGNER',
        'UNTRUSTED_SIGNER',
      ]);
      expect(codesFor(decision, 'vuln-review')).toEqual(['UNTRUSTED_SIGNER']);
    });
  });

  describe('when the threshold counts keys', () => {
    it('one key signing two reviews is one key: BELOW_THRESHOLD', () => {
      const decision = decide([prov(), rev([alice]), rev([alice], '2026-11-21T10:00:00Z')]);
      expect(decision.allowed).toBe(false);
      const review = requirement(decision, 'vuln-review');
      expect(review.satisfied).toBe(false);
      expect(review.satisfiedBy).toEqual([]);
      expect(review.rejected.filter((r) => r.code === 'BELOW_THRESHOLD')).toHaveLength(2);
      expect(review.missing).toMatch(/2 distinct keys of security must sign; 1 did/);
    });

    it('one key signing the same envelope twice is one key', () => {
      const decision = decide([prov(), rev([alice, alice])]);
      expect(requirement(decision, 'vuln-review').satisfied).toBe(false);
    });

    it('one envelope signed by two trusted keys counts both (DSSE multi-signature)', () => {
      const decision = decide([prov(), rev([alice, bob])]);
      expect(decision.allowed).toBe(true);
      expect(requirement(decision, 'vuln-review').satisfiedBy).toHaveLength(2);
    });

    it('with three keys the decision expires at the second-latest expiry', () => {
      const decision = decide([
        prov(),
        rev([alice], '2026-11-22T10:00:00Z'),
        rev([bob], '2026-11-18T10:00:00Z'),
        rev([carol], '2026-11-20T10:00:00Z'),
      ]);
      expect(decision.allowed).toBe(true);
      expect(decision.expiresAt).toBe('2026-11-27T10:00:00Z');
    });

    it('a key with an old and a new review counts until its newest expires', () => {
      const decision = decide([
        prov(),
        rev([alice], '2026-11-17T10:00:00Z'),
        rev([alice], '2026-11-22T10:00:00Z'),
        rev([bob], '2026-11-21T10:00:00Z'),
      ]);
      expect(decision.expiresAt).toBe('2026-11-28T10:00:00Z');
    });
  });

  describe('when maxAge and clockSkew bound the attestation time', () => {
    const ttl = single({ maxAge: '168h' });
    const reviewed = (at: string) => decide([rev([alice], at)], { policy: ttl });

    it('exactly maxAge old still counts', () => {
      expect(reviewed('2026-11-16T10:00:00Z').allowed).toBe(true);
    });

    it('one second past maxAge is EXPIRED, with when it expired', () => {
      const decision = reviewed('2026-11-16T09:59:59Z');
      expect(decision.allowed).toBe(false);
      const [rejection] = requirement(decision, 'r').rejected;
      expect(rejection?.code).toBe('EXPIRED');
      expect(rejection?.message).toMatch(
        /reviewedAt 2026-11-16T09:59:59Z is older than maxAge 168h: expired 2026-11-23T09:59:59Z/,
      );
    });

    it('dated in the future within the clock skew counts', () => {
      expect(reviewed('2026-11-23T10:05:00Z').allowed).toBe(true);
      expect(reviewed('2026-11-23T10:04:59+00:00').allowed).toBe(true);
    });

    it('dated beyond the clock skew is FUTURE_TIMESTAMP', () => {
      const decision = reviewed('2026-11-23T10:05:01Z');
      expect(decision.allowed).toBe(false);
      expect(codesFor(decision)).toEqual(['FUTURE_TIMESTAMP']);
    });

    it('a missing time is NO_TIMESTAMP', () => {
      const doc = dsse(statementJson(APP, VULN_REVIEW, { decision: 'approved' }), [alice]);
      expect(codesFor(decide([doc], { policy: ttl }))).toEqual(['NO_TIMESTAMP']);
    });

    it('a time without a timezone is NO_TIMESTAMP', () => {
      expect(codesFor(reviewed('2026-11-22T10:00:00'))).toEqual(['NO_TIMESTAMP']);
    });

    it('a time that is not a string is NO_TIMESTAMP', () => {
      const doc = dsse(statementJson(APP, VULN_REVIEW, { reviewedAt: 1763892000 }), [alice]);
      expect(codesFor(decide([doc], { policy: ttl }))).toEqual(['NO_TIMESTAMP']);
    });

    it('timestampPath reads the time from another field', () => {
      const tests = single({ maxAge: '24h', timestampPath: 'run.finishedAt' }, TEST_RESULT);
      const fresh = dsse(
        statementJson(APP, TEST_RESULT, {
          result: 'PASSED',
          run: { finishedAt: '2026-11-23T01:00:00Z' },
        }),
        [alice],
      );
      const stale = dsse(
        statementJson(APP, TEST_RESULT, {
          result: 'PASSED',
          run: { finishedAt: '2026-11-21T01:00:00Z' },
        }),
        [bob],
      );
      expect(decide([fresh], { policy: tests }).allowed).toBe(true);
      expect(decide([fresh], { policy: tests }).expiresAt).toBe('2026-11-24T01:00:00Z');
      expect(codesFor(decide([stale], { policy: tests }))).toEqual(['EXPIRED']);
    });

    it('a custom clockSkew applies', () => {
      const strict = policyOf({
        clockSkew: '0s',
        authorities: { security: authority(alice) },
        requirements: [
          { name: 'r', predicateType: VULN_REVIEW, signers: ['security'], maxAge: '1h' },
        ],
      });
      expect(decide([rev([alice], '2026-11-23T10:00:00Z')], { policy: strict }).allowed).toBe(true);
      expect(decide([rev([alice], '2026-11-23T10:00:01Z')], { policy: strict }).allowed).toBe(
        false,
      );
    });
  });

  describe('when an attestation does not count it says why', () => {
    const r = single();
    const reason = (docs: (string | Uint8Array)[], p = r, options: { artifact?: Artifact } = {}) =>
      requirement(decide(docs, { policy: p, ...options }), 'r').rejected;

    it.each([
      ['not JSON', 'not json'],
      ['a repeated JSON key', '{"payloadType":"a","payloadType":"b","payload":"","signatures":[]}'],
      [
        'bad base64',
        '{"payloadType":"application/vnd.in-toto+json","payload":"!!","signatures":[]}',
      ],
      ['an unknown envelope field', '{"payloadType":"x","payload":"","signatures":[],"extra":1}'],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
      ['too deep', `${'['.repeat(100)}${']'.repeat(100)}`],
    ])('MALFORMED: %s', (_why, bytes) => {
      const [rejection] = reason([bytes]);
      expect(rejection?.code).toBe('MALFORMED');
      expect(rejection?.message).not.toBe('');
    });

    it('MALFORMED: a verified payload that is not a Statement', () => {
      const [rejection] = reason([dsse('{"_type":"https://in-toto.io/Statement/v1"}', [alice])]);
      expect(rejection?.code).toBe('MALFORMED');
      expect(rejection?.message).toMatch(/^statement: MALFORMED/);
    });

    it('WRONG_PAYLOAD_TYPE: a signed payload of another type', () => {
      const doc = dsse(statementJson(APP, VULN_REVIEW, review(T)), [alice], 'text/plain');
      const [rejection] = reason([doc]);
      expect(rejection?.code).toBe('WRONG_PAYLOAD_TYPE');
      expect(rejection?.message).toMatch(/"text\/plain"/);
    });

    it('UNTRUSTED_SIGNER: signed by a key no authority trusts', () => {
      const [rejection] = reason([rev([mallory])]);
      expect(rejection?.code).toBe('UNTRUSTED_SIGNER');
      expect(rejection?.message).toContain(mallory.keyid.slice(0, 16));
    });

    it('UNTRUSTED_SIGNER: signed by another authority of the policy', () => {
      const [rejection] = requirement(decide([rev([builder])]), 'vuln-review').rejected;
      expect(rejection?.code).toBe('UNTRUSTED_SIGNER');
      expect(rejection?.message).toMatch(/signed by builder .*accepts only security/);
    });

    it('UNTRUSTED_SIGNER: no signatures at all', () => {
      const payload = Buffer.from(statementJson(APP, VULN_REVIEW, review(T))).toString('base64');
      const doc = JSON.stringify({
        payloadType: 'application/vnd.in-toto+json',
        payload,
        signatures: [],
      });
      expect(reason([doc])[0]?.code).toBe('UNTRUSTED_SIGNER');
    });

    it('BAD_SIGNATURE: a trusted key hint whose signature does not verify (tampered payload)', () => {
      const signed = JSON.parse(rev([alice], '2026-11-22T10:00:00Z', 'rejected'));
      const forged = statementJson(APP, VULN_REVIEW, review('2026-11-22T10:00:00Z', 'approved'));
      signed.payload = Buffer.from(forged).toString('base64');
      const [rejection] = reason([JSON.stringify(signed)]);
      expect(rejection?.code).toBe('BAD_SIGNATURE');
      expect(rejection?.message).toContain(alice.keyid.slice(0, 16));
    });

    it('WRONG_PREDICATE_TYPE: a trusted signer attesting something else', () => {
      const doc = dsse(statementJson(APP, PROVENANCE, provenance()), [alice]);
      const [rejection] = reason([doc]);
      expect(rejection?.code).toBe('WRONG_PREDICATE_TYPE');
      expect(rejection?.message).toBe(`predicateType is ${PROVENANCE}, not ${VULN_REVIEW}`);
    });

    it('SUBJECT_MISMATCH: a valid envelope for another artifact (replay)', () => {
      const doc = dsse(statementJson(OTHER, VULN_REVIEW, review(T)), [alice]);
      expect(decide([doc], { policy: r, artifact: { digest: OTHER } }).allowed).toBe(true);
      const [rejection] = reason([doc]);
      expect(rejection?.code).toBe('SUBJECT_MISMATCH');
      expect(rejection?.message).toMatch(/no subject matches the artifact sha256:/);
    });

    it('SUBJECT_MISMATCH: a subject that matches only by sha1 or md5', () => {
      const weak = { sha1: 'a'.repeat(40), md5: 'b'.repeat(32) };
      const doc = dsse(statementJson(weak, VULN_REVIEW, review(T)), [alice]);
      const withWeak: Artifact = { digest: { ...APP, ...weak } };
      const [rejection] = reason([doc], r, { artifact: withWeak });
      expect(rejection?.code).toBe('SUBJECT_MISMATCH');
      expect(rejection?.message).toMatch(/only by sha1, md5/);
    });

    it('SUBJECT_MISMATCH: a subject whose sha256 matches but sha512 disagrees', () => {
      const doc = dsse(
        statementJson({ sha256: APP.sha256, sha512: OTHER.sha512 }, VULN_REVIEW, review(T)),
        [alice],
      );
      expect(reason([doc])[0]?.code).toBe('SUBJECT_MISMATCH');
    });

    it('matches a subject by sha512 alone, in upper-case hex', () => {
      const doc = dsse(
        statementJson({ sha512: APP.sha512.toUpperCase() }, VULN_REVIEW, review(T)),
        [alice],
      );
      expect(decide([doc], { policy: r }).allowed).toBe(true);
    });

    it('CONDITION_FALSE: the claim does not meet the condition', () => {
      const [rejection] = requirement(
        decide([prov(), rev([alice], T, 'rejected'), rev([bob])]),
        'vuln-review',
      ).rejected.filter((x) => x.code !== 'UNTRUSTED_SIGNER' && x.code !== 'BELOW_THRESHOLD');
      expect(rejection?.code).toBe('CONDITION_FALSE');
      expect(rejection?.message).toMatch(/condition is false: predicate.decision == "approved"/);
    });

    it('CONDITION_ERROR: the condition reads a field the predicate lacks', () => {
      const doc = dsse(statementJson(APP, VULN_REVIEW, { reviewedAt: T, decision: 'approved' }), [
        alice,
      ]);
      const [rejection] = requirement(decide([prov(), doc]), 'vuln-review').rejected.filter(
        (x) => x.code === 'CONDITION_ERROR',
      );
      expect(rejection?.message).toMatch(/could not be evaluated \(No such key: summary\)/);
    });

    it('CONDITION_FALSE: the provenance comes from another repository', () => {
      const decision = decide([
        prov([builder], APP, 'https://github.com/evil/app'),
        rev([alice]),
        rev([bob]),
      ]);
      expect(decision.allowed).toBe(false);
      expect(requirement(decision, 'provenance').missing).toBe(
        `no attestation of type ${PROVENANCE} signed by builder that meets the condition counts for this artifact`,
      );
    });
  });

  describe('when the condition uses the other variables', () => {
    it('signer, subject, statement, predicateType and now are bound', () => {
      const p = single({
        condition:
          'signer.authority == "security" && signer.keyid != "" && subject.name == "app.tar.gz" && statement._type == "https://in-toto.io/Statement/v1" && predicateType == statement.predicateType && now > timestamp(predicate.reviewedAt)',
      });
      expect(decide([rev([alice])], { policy: p }).allowed).toBe(true);
    });

    it.each([
      ['literally', '"constructor"'],
      ['through a \\u escape', '"\\u0063onstructor"'],
    ])('a predicate key spelt constructor %s is data to the condition', (_how, key) => {
      const p = single({
        condition: 'predicate.constructor == "x" && predicate.decision == "approved"',
      });
      const reviewed = statementJson(APP, VULN_REVIEW, review('2026-11-22T10:00:00Z'));
      const payload = reviewed.replace('"predicate":{', `"predicate":{${key}:"x",`);
      expect(JSON.parse(payload).predicate.constructor).toBe('x');
      expect(decide([dsse(payload, [alice])], { policy: p }).allowed).toBe(true);
    });

    it('a condition on signer.keyid counts only that key of a multi-signed envelope', () => {
      const p = single({ threshold: 1, condition: `signer.keyid == "${bob.keyid}"` });
      const decision = decide([rev([alice, bob])], { policy: p });
      expect(requirement(decision, 'r').satisfiedBy.map((s) => s.signer.id)).toEqual([bob.keyid]);
    });
  });

  describe('when attestations come in other forms', () => {
    it('a keyed Sigstore bundle counts like a DSSE envelope', () => {
      const doc = bundle(statementJson(APP, PROVENANCE, provenance()), builder);
      const decision = decide([doc, rev([alice]), rev([bob])]);
      expect(decision.allowed).toBe(true);
    });

    it('a bundle signed by an untrusted key is UNTRUSTED_SIGNER', () => {
      const doc = bundle(statementJson(APP, PROVENANCE, provenance()), mallory);
      expect(codesFor(decide([doc]), 'provenance')).toEqual(['UNTRUSTED_SIGNER']);
    });

    it('an in-toto Statement v0.1 is read', () => {
      const payload = JSON.stringify({
        _type: STATEMENT_V01,
        subject: [{ name: 'app', digest: APP }],
        predicateType: VULN_REVIEW,
        predicate: review(T),
      });
      expect(decide([dsse(payload, [alice])], { policy: single() }).allowed).toBe(true);
    });
  });

  describe('when the allow expression combines requirements', () => {
    const either = policyOf({
      authorities: { builder: authority(builder), security: authority(alice, bob) },
      requirements: [
        { name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] },
        { name: 'old', predicateType: VULN_REVIEW, signers: ['security'], maxAge: '168h' },
        { name: 'new', predicateType: VULN_REVIEW, signers: ['security'], maxAge: '24h' },
      ],
      allow: 'provenance && (old || new)',
    });

    it('|| takes the later expiry and && the earlier one', () => {
      const decision = decide([prov(), rev([alice], '2026-11-23T09:00:00Z')], { policy: either });
      expect(decision.allowed).toBe(true);
      // old expires 11-30 09:00, new 11-24 09:00: old || new lasts until 11-30.
      expect(decision.expiresAt).toBe('2026-11-30T09:00:00Z');
    });

    it('an unsatisfied requirement outside the needed branch does not deny', () => {
      const decision = decide([prov(), rev([alice], '2026-11-20T09:00:00Z')], { policy: either });
      expect(requirement(decision, 'new').satisfied).toBe(false);
      expect(decision.allowed).toBe(true);
      expect(decision.expiresAt).toBe('2026-11-27T09:00:00Z');
    });

    it('a denied decision has no expiry', () => {
      expect(decide([rev([alice])], { policy: either }).expiresAt).toBeNull();
    });
  });

  describe('when inputs repeat or change order', () => {
    const docs = [prov(), rev([alice]), rev([bob]), rev([mallory]), 'garbage'];

    it('the same document twice is one document', () => {
      const once = decide(docs);
      const twice = decide([...docs, ...docs]);
      expect(twice).toEqual(once);
    });

    it('any order gives the same decision, byte for byte', () => {
      const forward = JSON.stringify(decide(docs));
      expect(JSON.stringify(decide([...docs].reverse()))).toBe(forward);
    });
  });

  describe('when nothing is presented', () => {
    it('denies and says what is missing', () => {
      const decision = decide([]);
      expect(decision.allowed).toBe(false);
      expect(requirement(decision, 'provenance').missing).toMatch(
        /no attestation of type https:\/\/slsa.dev\/provenance\/v1 signed by builder/,
      );
      expect(requirement(decision, 'vuln-review').rejected).toEqual([]);
    });
  });

  describe('when the evaluation time is invalid', () => {
    it('denies instead of throwing', () => {
      const decision = evaluatePolicy(policy, {
        artifact,
        documents: [{ bytes: prov() }],
        at: new Date(Number.NaN),
      });
      expect(decision.allowed).toBe(false);
      expect(requirement(decision, 'provenance').missing).toMatch(/not evaluated: USAGE/);
    });
  });
});

describe('when a condition is false the rejection shows what it read', () => {
  it('names the field and its value (predicate.decision = "rejected")', () => {
    const d = decide([prov(), rev([alice], '2026-11-22T10:00:00Z', 'rejected')]);
    const rejection = requirement(d, 'vuln-review').rejected.find(
      (r) => r.code === 'CONDITION_FALSE',
    );
    expect(rejection?.message).toMatch(
      /condition is false: .*; it read predicate\.decision = "rejected", predicate\.summary\.critical = 0$/,
    );
  });
});
