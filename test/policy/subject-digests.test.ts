import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { runCli, tempDir } from '../support/cli.js';
import { itWithVectors, vector } from '../support/paths.js';
import { authority, digestOf, dsse, makeKey, policyOf, statementJson } from '../support/signing.js';

const PREDICATE = 'https://example.com/claim/v1';
const builder = makeKey();
const policy = policyOf({
  authorities: { builder: authority(builder) },
  requirements: [{ name: 'claim', predicateType: PREDICATE, signers: ['builder'] }],
});
const at = new Date('2026-11-23T10:00:00Z');
const file = { name: 'app.tar.gz', digest: digestOf('app') };

/** A document with this subject digest set, signed by the policy's key. */
const signed = (digest: Record<string, string>) =>
  dsse(statementJson(digest, PREDICATE, {}), [builder]);

const decide = (artifact: typeof file | { digest: Record<string, string> }, digest: object) =>
  evaluatePolicy(policy, {
    artifact,
    documents: [{ bytes: signed(JSON.parse(JSON.stringify(digest))) }],
    at,
  });

describe('subject digests named like Object.prototype members', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'a subject digest %s beside the right sha256 still counts, and alone is SUBJECT_MISMATCH, never INTERNAL',
    (alg) => {
      const both = JSON.parse(`{"${alg}": "x", "sha256": "${file.digest.sha256}"}`);
      expect(decide(file, both).allowed).toBe(true);
      const alone = decide(file, JSON.parse(`{"${alg}": "x"}`));
      expect(alone.allowed).toBe(false);
      expect(alone.requirements[0]?.rejected.map((r) => r.code)).toEqual(['SUBJECT_MISMATCH']);
    },
  );
});

describe('custom digests (issue 10: gce_image_id, as slsa-verifier VSAs use)', () => {
  const gce = { gce_image_id: '8970095005306000053' };

  it('match an artifact given by that custom digest, by exact string equality', () => {
    expect(decide({ digest: gce }, gce).allowed).toBe(true);
    expect(decide({ digest: { gce_image_id: '8970095005306000054' } }, gce).allowed).toBe(false);
  });

  it('never match a hashed file, whatever the value', () => {
    const decision = decide(file, { gce_image_id: file.digest.sha256 });
    expect(decision.allowed).toBe(false);
    expect(decision.requirements[0]?.rejected.map((r) => r.code)).toEqual(['SUBJECT_MISMATCH']);
  });

  const dir = vector('slsa-verifier', 'cli', 'slsa-verifier', 'testdata', 'vsa', 'gce', 'v1');
  let work: string;
  let policyFile: string;
  beforeAll(() => {
    work = tempDir('vouch-gce-');
    policyFile = join(work, 'policy.yaml');
    writeFileSync(
      policyFile,
      `apiVersion: vouch/v1
kind: Policy
metadata: {name: gce}
spec:
  authorities:
    bcid: {keys: [{file: ${join(dir, 'vsa_signing_public_key.pem')}}]}
  requirements:
    - name: vsa
      predicateType: https://slsa.dev/verification_summary/v1
      signers: [bcid]
      condition: predicate.verificationResult == "PASSED"
`,
    );
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const verify = (artifact: string) =>
    runCli(
      'verify',
      '--policy',
      policyFile,
      '--artifact',
      artifact,
      '--attestations',
      join(dir, 'gke-gce-pre.bcid-vsa.jsonl'),
      '--at',
      '2024-06-13T00:00:00Z',
    );

  itWithVectors(
    'vouch verify allows the slsa-verifier GCE VSA for --artifact gce_image_id:… and denies another id',
    async () => {
      const allowed = await verify('gce_image_id:8970095005306000053');
      expect(allowed.stderr).toBe('');
      expect(allowed.code).toBe(0);
      const other = await verify('gce_image_id:8970095005306000054');
      expect(other.code).toBe(1);
      expect(other.stdout).toContain('SUBJECT_MISMATCH');
    },
  );

  itWithVectors(
    '--artifact refuses a weak algorithm instead of hashing a file of that name',
    async () => {
      const result = await verify(`sha1:${'a'.repeat(40)}`);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^vouch: error USAGE at --artifact: sha1:a+: sha1 cannot identify an artifact/,
      );
    },
  );
});
