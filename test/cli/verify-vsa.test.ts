import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { attestationDigest } from '../../src/attestation/envelope.js';
import type { Decision } from '../../src/policy/decision.js';
import type { VerificationSummaryPredicate } from '../../src/predicates/verification-summary.js';
import { verifiedStatement } from '../support/attestations.js';
import { runCli, runCliWith } from '../support/cli.js';
import {
  ARTIFACT_CONTENT,
  EVALUATED_AT,
  type PolicyDir,
  writePolicyDir,
} from '../support/policy-dir.js';
import { digestOf, type KeyFiles, makeKeyFiles } from '../support/signing.js';

const VSA_TYPE = 'https://slsa.dev/verification_summary/v1';

let p: PolicyDir;
let verifier: KeyFiles;
let policyHex: string;
let passedVsa: string;
let failedVsa: string;

/** `vouch verify --emit-vsa` of the production policy, at EVALUATED_AT unless `at` is given. */
const emit = (out: string, attestations: string[], ...flags: string[]) =>
  runCli(
    'verify',
    '--policy',
    p.policy,
    '--artifact',
    p.artifact,
    '--attestations',
    ...attestations,
    '--emit-vsa',
    '--key',
    verifier.key,
    '--vsa-out',
    out,
    ...(flags.includes('--at') ? [] : ['--at', EVALUATED_AT]),
    ...flags,
  );

/** A deploy gate: a PASSED VSA from the verifier key, for exactly this policy, at most 24h old. */
function gatePolicy(hex = policyHex): string {
  const file = join(p.dir, `gate-${hex.slice(0, 8)}.yaml`);
  writeFileSync(
    file,
    `apiVersion: vouch/v1
kind: Policy
metadata: {name: deploy-gate}
spec:
  authorities:
    verifier: {keys: [{file: verifier.pub}]}
  requirements:
    - name: verified
      predicateType: ${VSA_TYPE}
      signers: [verifier]
      maxAge: 24h
      condition: >-
        predicate.verificationResult == "PASSED" &&
        predicate.policy.digest.sha256 == "${hex}"
`,
  );
  return file;
}

const gate = async (vsas: string[], at = '2026-11-23T12:00:00Z', policy = gatePolicy()) => {
  const result = await runCli(
    'verify',
    '--policy',
    policy,
    '--artifact',
    p.artifact,
    '--attestations',
    ...vsas,
    '--at',
    at,
    '--output',
    'json',
  );
  return { code: result.code, decision: JSON.parse(result.stdout) as Decision };
};

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const keyidOf = (file: string) =>
  sha256(createPublicKey(readFileSync(file, 'utf8')).export({ type: 'spki', format: 'der' }));

/** The policy digest exactly as docs/policy.md defines it, for the production policy's layout. */
function documentedDigest(policyBytes: Uint8Array, keyFile = (name: string) => name): string {
  const keys = (...names: string[]) =>
    [...new Set(names.map((n) => keyidOf(join(p.dir, 'keys', `${keyFile(n)}.pub`))))].sort();
  return sha256(
    JSON.stringify({
      type: 'https://vouch.dev/policy-digest/v1',
      policy: { sha256: sha256(policyBytes) },
      authorities: [
        { name: 'builder', keys: keys('builder') },
        { name: 'security', keys: keys('alice', 'bob', 'carol') },
      ],
    }),
  );
}

const predicateOf = (file: string) =>
  verifiedStatement(file, verifier.pub).predicate as unknown as VerificationSummaryPredicate;

beforeAll(async () => {
  p = writePolicyDir();
  verifier = makeKeyFiles(p.dir, 'verifier');
  policyHex = documentedDigest(readFileSync(p.policy));
  passedVsa = join(p.dir, 'passed.vsa.dsse.json');
  failedVsa = join(p.dir, 'failed.vsa.dsse.json');
  expect((await emit(passedVsa, [p.provenance, p.reviews])).code).toBe(0);
  expect((await emit(failedVsa, [p.provenance, p.expired])).code).toBe(1);
});

describe('vouch verify --emit-vsa', () => {
  describe('when the policy allows the artifact', () => {
    it('writes a VSA that verifies with verify-envelope and still exits 0', async () => {
      const result = await runCli('verify-envelope', '--key', verifier.pub, passedVsa);
      expect(result.code, result.stdout + result.stderr).toBe(0);
    });

    it('states the decision as SLSA verification summary v1, about the artifact', () => {
      const statement = verifiedStatement(passedVsa, verifier.pub);
      expect(statement.predicateType).toBe(VSA_TYPE);
      expect(statement.subject).toEqual([
        { name: 'app.tar.gz', digest: { sha256: digestOf(ARTIFACT_CONTENT).sha256 } },
      ]);
      const documents = [
        p.provenance,
        join(p.reviews, 'alice.dsse.json'),
        join(p.reviews, 'bob.sigstore.json'),
      ].map((f) => ({ digest: { sha256: attestationDigest(readFileSync(f)).slice(7) } }));
      expect(statement.predicate).toEqual({
        verifier: { id: 'https://vouch.dev/verifier/v1', version: { vouch: '0.1.0' } },
        timeVerified: EVALUATED_AT,
        resourceUri: 'app.tar.gz',
        policy: { uri: 'policy.yaml', digest: { sha256: policyHex } },
        inputAttestations: documents.sort((a, b) => (a.digest.sha256 < b.digest.sha256 ? -1 : 1)),
        verificationResult: 'PASSED',
        verifiedLevels: [],
      });
    });

    it('prints the decision as usual and says what it wrote', async () => {
      const out = join(p.dir, 'again.vsa.dsse.json');
      const result = await emit(out, [p.provenance, p.reviews]);
      expect(result.stdout).toMatch(/^ALLOWED: app\.tar\.gz/);
      expect(result.stderr).toContain(`wrote ${out} (sha256:`);
      expect(result.stderr).toContain(`signed by ${verifier.keyid}`);
      expect(result.stderr).toContain('verification summary: PASSED');
    });
  });

  describe('when the policy denies the artifact', () => {
    it('still exits 1 and writes a FAILED VSA listing every document it examined', () => {
      const predicate = predicateOf(failedVsa);
      expect(predicate.verificationResult).toBe('FAILED');
      expect(predicate.verifiedLevels).toEqual(['FAILED']);
      expect(predicate.inputAttestations.map((a) => `sha256:${a.digest.sha256}`).sort()).toEqual(
        [p.provenance, p.expired].map((f) => attestationDigest(readFileSync(f))).sort(),
      );
    });
  });

  describe('when a second policy requires a PASSED VSA from the verifier', () => {
    it('allows the artifact with the PASSED VSA', async () => {
      const { code, decision } = await gate([passedVsa]);
      expect(code).toBe(0);
      expect(decision.requirements[0]?.satisfiedBy[0]?.signer.id).toBe(verifier.keyid);
      expect(decision.expiresAt).toBe('2026-11-24T10:00:00Z');
    });

    it('denies it with the FAILED VSA: CONDITION_FALSE', async () => {
      const { code, decision } = await gate([failedVsa]);
      expect(code).toBe(1);
      expect(decision.requirements[0]?.rejected.map((r) => r.code)).toEqual(['CONDITION_FALSE']);
    });

    it('denies a PASSED VSA made under another policy (its digest differs)', async () => {
      const { code } = await gate([passedVsa], undefined, gatePolicy('0'.repeat(64)));
      expect(code).toBe(1);
    });

    it('measures maxAge from timeVerified: allowed at 24h, EXPIRED after, FUTURE before', async () => {
      expect((await gate([passedVsa], '2026-11-24T10:00:00Z')).code).toBe(0);
      const late = await gate([passedVsa], '2026-11-24T10:00:01Z');
      expect(late.code).toBe(1);
      expect(late.decision.requirements[0]?.rejected[0]?.code).toBe('EXPIRED');
      const early = await gate([passedVsa], '2026-11-23T09:54:59Z');
      expect(early.decision.requirements[0]?.rejected[0]?.code).toBe('FUTURE_TIMESTAMP');
    });

    it('denies a VSA for another artifact: SUBJECT_MISMATCH', async () => {
      const result = await runCli(
        'verify',
        '--policy',
        gatePolicy(),
        '--artifact',
        `sha256:${'1'.repeat(64)}`,
        '--attestations',
        passedVsa,
        '--at',
        EVALUATED_AT,
        '--output',
        'json',
      );
      expect(result.code).toBe(1);
      const decision = JSON.parse(result.stdout) as Decision;
      expect(decision.requirements[0]?.rejected[0]?.code).toBe('SUBJECT_MISMATCH');
    });

    it('denies a VSA signed by a key the gate does not trust', async () => {
      const other = makeKeyFiles(p.dir, 'not-the-verifier');
      const out = join(p.dir, 'untrusted.vsa.dsse.json');
      const result = await runCli(
        'verify',
        '--policy',
        p.policy,
        '--artifact',
        p.artifact,
        '--attestations',
        p.provenance,
        p.reviews,
        '--at',
        EVALUATED_AT,
        '--emit-vsa',
        '--key',
        other.key,
        '--vsa-out',
        out,
      );
      expect(result.code).toBe(0);
      const { code, decision } = await gate([out]);
      expect(code).toBe(1);
      expect(decision.requirements[0]?.rejected[0]?.code).toBe('UNTRUSTED_SIGNER');
    });
  });

  describe('when options shape the summary', () => {
    it('--verifier-id, --policy-uri and --vsa-format bundle', async () => {
      const out = join(p.dir, 'named.vsa.sigstore.json');
      const result = await emit(
        out,
        [p.provenance, p.reviews],
        '--verifier-id',
        'https://ci.acme.example/gates/release',
        '--policy-uri',
        'git+https://github.com/acme/policies@refs/heads/main#production.yaml',
        '--vsa-format',
        'bundle',
      );
      expect(result.code).toBe(0);
      const predicate = predicateOf(out);
      expect(predicate.verifier.id).toBe('https://ci.acme.example/gates/release');
      expect(predicate.policy).toEqual({
        uri: 'git+https://github.com/acme/policies@refs/heads/main#production.yaml',
        digest: { sha256: policyHex },
      });
      expect(JSON.parse(readFileSync(out, 'utf8')).mediaType).toMatch(/sigstore\.bundle/);
    });

    it('without --vsa-out the VSA is standard output and the decision goes to standard error', async () => {
      const result = await runCli(
        'verify',
        '--policy',
        p.policy,
        '--artifact',
        `app.tar.gz@sha256:${digestOf(ARTIFACT_CONTENT).sha256}`,
        '--attestations',
        p.provenance,
        p.reviews,
        '--at',
        EVALUATED_AT,
        '--output',
        'json',
        '--emit-vsa',
        '--key',
        verifier.key,
      );
      expect(result.code).toBe(0);
      const file = join(p.dir, 'stdout.vsa.dsse.json');
      writeFileSync(file, result.stdout);
      expect(predicateOf(file).verificationResult).toBe('PASSED');
      expect(result.stderr).toContain('"allowed": true');
    });

    it('the policy digest covers the exact file bytes: a comment changes it', async () => {
      const edited = join(p.dir, 'policy-commented.yaml');
      writeFileSync(edited, `# reviewed by the platform team\n${readFileSync(p.policy, 'utf8')}`);
      const out = join(p.dir, 'commented.vsa.dsse.json');
      const result = await runCli(
        'verify',
        '--policy',
        edited,
        '--artifact',
        p.artifact,
        '--attestations',
        p.provenance,
        p.reviews,
        '--at',
        EVALUATED_AT,
        '--emit-vsa',
        '--key',
        verifier.key,
        '--vsa-out',
        out,
      );
      expect(result.code).toBe(0);
      const hex = documentedDigest(readFileSync(edited));
      expect(predicateOf(out).policy.digest).toEqual({ sha256: hex });
      expect(hex).not.toBe(policyHex);
      expect((await gate([out])).code).toBe(1);
    });
  });

  describe('the policy digest', () => {
    it('covers the trust material: a key file swapped behind the same text changes it', async () => {
      // Same policy text; keys/bob.pub now holds carol's key (a trust change the file does not show).
      const swapped = join(p.dir, 'swapped');
      mkdirSync(join(swapped, 'keys'), { recursive: true });
      const text = readFileSync(p.policy);
      writeFileSync(join(swapped, 'policy.yaml'), text);
      for (const name of ['builder', 'alice', 'bob', 'carol']) {
        const from = name === 'bob' ? 'carol' : name;
        writeFileSync(
          join(swapped, 'keys', `${name}.pub`),
          readFileSync(join(p.dir, 'keys', `${from}.pub`)),
        );
      }
      const out = join(p.dir, 'swapped.vsa.dsse.json');
      const result = await runCli(
        'verify',
        '--policy',
        join(swapped, 'policy.yaml'),
        '--artifact',
        p.artifact,
        '--attestations',
        p.provenance,
        p.reviews,
        '--at',
        EVALUATED_AT,
        '--emit-vsa',
        '--key',
        verifier.key,
        '--vsa-out',
        out,
      );
      expect(result.code).toBe(1);
      const hex = predicateOf(out).policy.digest.sha256;
      expect(hex).toBe(documentedDigest(text, (n) => (n === 'bob' ? 'carol' : n)));
      expect(hex).not.toBe(policyHex);
    });

    it('the decision JSON names the same policy digest as the VSA', async () => {
      const result = await runCli(
        'verify',
        '--policy',
        p.policy,
        '--artifact',
        p.artifact,
        '--attestations',
        p.provenance,
        '--at',
        EVALUATED_AT,
        '--output',
        'json',
      );
      expect((JSON.parse(result.stdout) as Decision).policyDigest).toEqual({ sha256: policyHex });
    });

    it('vouch policy digest prints it, for gates that pin the policy', async () => {
      const result = await runCli('policy', 'digest', p.policy);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`sha256:${policyHex}\n`);
    });

    it('the default policy.uri is the file name: no local path is published', () => {
      const { uri } = predicateOf(passedVsa).policy;
      expect(uri).toBe('policy.yaml');
      expect(uri).not.toContain(p.dir);
    });
  });

  describe('when the VSA cannot be signed it exits 2 before deciding anything', () => {
    const attempt = (env: Record<string, string>, ...flags: string[]) =>
      runCliWith(
        { env },
        'verify',
        '--policy',
        p.policy,
        '--artifact',
        p.artifact,
        '--attestations',
        p.provenance,
        p.reviews,
        '--at',
        EVALUATED_AT,
        ...flags,
      );

    it('--emit-vsa without --key: USAGE', async () => {
      const result = await attempt({}, '--emit-vsa');
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('USAGE: --emit-vsa needs --key');
    });

    it('--key or --vsa-out without --emit-vsa: USAGE, no decision printed', async () => {
      for (const flags of [
        ['--key', verifier.key],
        ['--vsa-out', join(p.dir, 'x.json')],
      ]) {
        const result = await attempt({}, ...flags);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(`${flags[0]} is only used with --emit-vsa`);
      }
    });

    it('a public key or a missing passphrase: coded error, nothing written', async () => {
      const out = join(p.dir, 'never.vsa.dsse.json');
      const pub = await attempt({}, '--emit-vsa', '--key', verifier.pub, '--vsa-out', out);
      expect(pub.code).toBe(2);
      expect(pub.stdout).toBe('');
      expect(pub.stderr).toMatch(/KEY_/);
      const unset = await attempt(
        {},
        '--emit-vsa',
        '--key',
        verifier.key,
        '--passphrase-env',
        'VOUCH_TEST_UNSET_PASSPHRASE',
        '--vsa-out',
        out,
      );
      expect(unset.code).toBe(2);
      expect(unset.stderr).toContain('VOUCH_TEST_UNSET_PASSPHRASE is not set');
      expect(existsSync(out)).toBe(false);
    });
  });
});
