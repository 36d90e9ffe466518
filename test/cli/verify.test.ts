import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/policy/decision.js';
import { runCli } from '../support/cli.js';
import { describeWithVectors, REPO, vector } from '../support/paths.js';
import {
  ARTIFACT_CONTENT,
  EVALUATED_AT,
  type PolicyDir,
  writePolicyDir,
} from '../support/policy-dir.js';
import { digestOf } from '../support/signing.js';

let p: PolicyDir;
beforeAll(() => {
  p = writePolicyDir();
});

const verify = (...args: string[]) =>
  runCli('verify', '--policy', p.policy, '--artifact', p.artifact, ...args);

describe('vouch verify', () => {
  describe('when the attestations meet the policy', () => {
    it('prints ALLOWED with who signed what and exits 0', async () => {
      const result = await verify('--attestations', p.provenance, p.reviews, '--at', EVALUATED_AT);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^ALLOWED: app\.tar\.gz sha256:[0-9a-f]{64}\n/);
      expect(result.stdout).toContain('[satisfied]     provenance');
      expect(result.stdout).toContain('[satisfied]     vuln-review');
      expect(result.stdout).toContain('provenance.dsse.json');
      expect(result.stdout).toContain('bob.sigstore.json');
      expect(result.stdout).toContain('decision expires 2026-11-29T10:00:00Z');
    });

    it('--output json prints the decision of DESIGN.md section 7', async () => {
      const result = await verify(
        '--attestations',
        p.provenance,
        p.reviews,
        p.jsonl,
        '--output',
        'json',
        '--at',
        EVALUATED_AT,
      );
      expect(result.code).toBe(0);
      const decision = JSON.parse(result.stdout) as Decision;
      expect(decision.allowed).toBe(true);
      expect(decision.policy).toBe('production');
      expect(decision.evaluatedAt).toBe(EVALUATED_AT);
      expect(decision.artifact).toEqual({ name: 'app.tar.gz', digest: digestOf(ARTIFACT_CONTENT) });
      expect(decision.expiresAt).toBe('2026-11-29T10:00:00Z');
      const review = decision.requirements[1];
      expect(review?.name).toBe('vuln-review');
      expect(review?.satisfiedBy.map((s) => s.signer.authority)).toEqual(['security', 'security']);
      expect(review?.satisfiedBy.map((s) => s.signer.kind)).toEqual(['key', 'key']);
      // carol's expired review and the broken line from the .intoto.jsonl file
      expect(review?.rejected.map((r) => r.code).sort()).toEqual([
        'EXPIRED',
        'MALFORMED',
        'UNTRUSTED_SIGNER',
      ]);
    });

    it('reads the attestations from a directory searched recursively', async () => {
      const result = await verify(
        '--attestations',
        join(p.dir, 'attestations'),
        '--at',
        EVALUATED_AT,
      );
      expect(result.code).toBe(0);
    });

    it('accepts the artifact as NAME@sha256:<hex>', async () => {
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
      );
      expect(result.code).toBe(0);
    });
  });

  describe('when the attestations do not meet the policy', () => {
    it('prints DENIED, what is missing and what expired when, and exits 1', async () => {
      const result = await verify(
        '--attestations',
        p.provenance,
        p.expired,
        p.jsonl,
        '--at',
        EVALUATED_AT,
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^DENIED: /);
      expect(result.stdout).toContain('[NOT satisfied] vuln-review');
      expect(result.stdout).toContain(
        'missing: no attestation of type https://vouch.dev/attestation/vuln-review/v1 signed by security that meets the condition counts for this artifact (2 distinct keys must sign)',
      );
      expect(result.stdout).toMatch(
        /EXPIRED sha256:[0-9a-f]{16} \(.*expired\.dsse\.json\): reviewedAt 2026-11-01T10:00:00Z is older than maxAge 168h: expired 2026-11-08T10:00:00Z/,
      );
      expect(result.stdout).toMatch(/MALFORMED sha256:[0-9a-f]{16} \(.*more\.intoto\.jsonl#L2\)/);
    });

    it('exits 1 with the json decision too', async () => {
      const result = await verify(
        '--attestations',
        p.provenance,
        '--output',
        'json',
        '--at',
        EVALUATED_AT,
      );
      expect(result.code).toBe(1);
      expect((JSON.parse(result.stdout) as Decision).allowed).toBe(false);
    });

    it('a later time turns the same attestations into a deny', async () => {
      const result = await verify(
        '--attestations',
        p.provenance,
        p.reviews,
        '--at',
        '2026-11-29T10:00:01Z',
      );
      expect(result.code).toBe(1);
    });

    it('a file that is not an attestation is a rejection, not a crash', async () => {
      const junk = join(p.dir, 'junk.json');
      writeFileSync(junk, '\u0000\u0001 not json');
      const result = await verify('--attestations', junk, '--at', EVALUATED_AT);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('MALFORMED');
    });
  });

  describe('when the input is unusable it exits 2 with a coded error', () => {
    it('a broken policy: POLICY_INVALID and no stack trace', async () => {
      const bad = join(p.dir, 'bad-policy.yaml');
      writeFileSync(bad, 'apiVersion: vouch/v1\nkind: Policy\nmetadata: {name: x}\nspec: {}\n');
      const result = await runCli(
        'verify',
        '--policy',
        bad,
        '--artifact',
        p.artifact,
        '--attestations',
        p.reviews,
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^vouch: error POLICY_INVALID at .*bad-policy\.yaml:4:7 spec\.authorities/,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });

    it('--debug adds the stack trace', async () => {
      const result = await runCli(
        '--debug',
        'verify',
        '--policy',
        join(p.dir, 'nope.yaml'),
        '--artifact',
        p.artifact,
        '--attestations',
        p.reviews,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('IO_ERROR');
      expect(result.stderr).toMatch(/\n\s+at /);
    });

    it('an --at that is not RFC 3339: USAGE', async () => {
      const result = await verify('--attestations', p.reviews, '--at', '2026-11-23 10:00');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('USAGE');
    });

    it('a missing attestation path: IO_ERROR', async () => {
      const result = await verify('--attestations', join(p.dir, 'missing'), '--at', EVALUATED_AT);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('IO_ERROR');
    });

    it('a missing --attestations option: usage error', async () => {
      const result = await verify('--at', EVALUATED_AT);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("required option '--attestations <path...>' not specified");
    });

    it('an unknown --output: usage error', async () => {
      const result = await verify('--attestations', p.reviews, '--output', 'yaml');
      expect(result.code).toBe(2);
    });
  });

  describeWithVectors('when the attestations were written by other tools (shared vectors)', () => {
    const VSA_DIR = vector('slsa-verifier/cli/slsa-verifier/testdata/vsa/gce/v1');
    const vsaPolicy = (keyFile: string) => {
      const file = join(p.dir, `vsa-${Math.random().toString(16).slice(2)}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          apiVersion: 'vouch/v1',
          kind: 'Policy',
          metadata: { name: 'vsa' },
          spec: {
            authorities: { verifier: { keys: [{ file: keyFile }] } },
            requirements: [
              {
                name: 'vsa',
                predicateType: 'https://slsa.dev/verification_summary/v1',
                signers: ['verifier'],
                maxAge: '100000h',
                condition: 'predicate.verificationResult == "PASSED"',
              },
            ],
          },
        }),
      );
      return file;
    };
    const run = (policyFile: string, attestations: string, artifactArg: string) =>
      runCli(
        'verify',
        '--policy',
        policyFile,
        '--artifact',
        artifactArg,
        '--attestations',
        attestations,
        '--at',
        EVALUATED_AT,
        '--output',
        'json',
      );

    it('a Google VSA (.jsonl, keyid hint not a Vouch keyid) verifies with its key; its gce_image_id subject never matches', async () => {
      const result = await run(
        vsaPolicy(join(VSA_DIR, 'vsa_signing_public_key.pem')),
        join(VSA_DIR, 'gke-gce-pre.bcid-vsa.jsonl'),
        `sha256:${'0'.repeat(64)}`,
      );
      expect(result.code).toBe(1);
      const [rejection] = (JSON.parse(result.stdout) as Decision).requirements[0]?.rejected ?? [];
      expect(rejection?.code).toBe('SUBJECT_MISMATCH');
    });

    it('the same VSA under another key is UNTRUSTED_SIGNER', async () => {
      const result = await run(
        vsaPolicy(join(p.dir, 'keys', 'alice.pub')),
        join(VSA_DIR, 'gke-gce-pre.bcid-vsa.jsonl'),
        `sha256:${'0'.repeat(64)}`,
      );
      expect(result.code).toBe(1);
      const [rejection] = (JSON.parse(result.stdout) as Decision).requirements[0]?.rejected ?? [];
      expect(rejection?.code).toBe('UNTRUSTED_SIGNER');
    });

    it('a keyless sigstore-js bundle for the right artifact is UNTRUSTED_SIGNER (authorities hold keys)', async () => {
      const result = await run(
        vsaPolicy(join(VSA_DIR, 'vsa_signing_public_key.pem')),
        vector('sigstore-js/tests-bundles/bundleV03-dsse.sigstore'),
        'sha512:7bea9f6e7ff37f5fab0b36bf061200fff03099fd2fd696b91d04bc5e4f225eb9fd6e0cadcad54ba980f43fb352a99e8810b4e0abeb5c0ef2cf9108cd1f258b36',
      );
      expect(result.code).toBe(1);
      const [rejection] = (JSON.parse(result.stdout) as Decision).requirements[0]?.rejected ?? [];
      expect(rejection?.code).toBe('UNTRUSTED_SIGNER');
      expect(rejection?.message).toMatch(/keyless \(certificate\) bundle/);
    });
  });

  it('runs as a program (bin/vouch.js, built)', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [
      join(REPO, 'bin/vouch.js'),
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
      '--output',
      'json',
    ]);
    expect((JSON.parse(stdout) as Decision).allowed).toBe(true);
    const denied = await run(process.execPath, [
      join(REPO, 'bin/vouch.js'),
      'verify',
      '--policy',
      p.policy,
      '--artifact',
      p.artifact,
      '--attestations',
      p.provenance,
    ]).catch((err: { code: number; stdout: string }) => err);
    expect('code' in denied ? denied.code : 0).toBe(1);
  });
});
