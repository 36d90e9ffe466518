import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { EVALUATED_AT, type PolicyDir, writePolicyDir } from '../support/policy-dir.js';

let p: PolicyDir;
beforeAll(() => {
  p = writePolicyDir();
});

describe('vouch policy lint', () => {
  it('when the policy is valid and tidy it says so and exits 0', async () => {
    const result = await runCli('policy', 'lint', p.policy);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /policy production is valid \(2 requirement\(s\), 0 warning\(s\)\)/,
    );
  });

  it('when a review requirement has no maxAge it warns and still exits 0', async () => {
    const lax = join(p.dir, 'lax.yaml');
    writeFileSync(
      lax,
      `apiVersion: vouch/v1
kind: Policy
metadata: {name: lax}
spec:
  authorities:
    security: {keys: [{file: keys/alice.pub}]}
  requirements:
    - name: review
      predicateType: https://vouch.dev/attestation/vuln-review/v1
      signers: [security]
`,
    );
    const result = await runCli('policy', 'lint', lax);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `warning: ${lax} spec.requirements[0].maxAge: review: https://vouch.dev/attestation/vuln-review/v1 claims go stale`,
    );
    expect(result.stdout).toContain('1 warning(s)');
  });

  it('when the policy is invalid it exits 2 with POLICY_INVALID', async () => {
    const bad = join(p.dir, 'bad.json');
    writeFileSync(bad, '{"apiVersion":"vouch/v1","kind":"Policy"}');
    const result = await runCli('policy', 'lint', bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^vouch: error POLICY_INVALID at .*bad\.json metadata: expected object/,
    );
  });
});

/** A `vouch policy test` directory over the shared fixture, with the given case files. */
function testDir(cases: Record<string, string>): string {
  const dir = tempDir('vouch-policy-test-');
  copyFileSync(p.policy, join(dir, 'policy.yaml'));
  mkdirSync(join(dir, 'keys'));
  for (const k of ['builder', 'alice', 'bob', 'carol']) {
    copyFileSync(join(p.dir, 'keys', `${k}.pub`), join(dir, 'keys', `${k}.pub`));
  }
  mkdirSync(join(dir, 'cases'));
  for (const [name, text] of Object.entries(cases)) writeFileSync(join(dir, 'cases', name), text);
  return dir;
}

const allowCase = () => `description: fresh reviews from two keys
artifact: ${p.artifact}
attestations: [${p.provenance}, ${p.reviews}]
at: ${EVALUATED_AT}
expect: allow
satisfied: {provenance: true, vuln-review: true}
`;
const expiredCase = () => `artifact: ${p.artifact}
attestations: [${p.provenance}, ${p.expired}]
at: ${EVALUATED_AT}
expect: deny
satisfied: {provenance: true, vuln-review: false}
rejected: {vuln-review: [EXPIRED]}
`;

describe('vouch policy test', () => {
  it('when every case matches it prints PASS per case and exits 0', async () => {
    const dir = testDir({ 'allowed.yaml': allowCase(), 'expired.yaml': expiredCase() });
    const result = await runCli('policy', 'test', dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`PASS  ${join(dir, 'cases', 'allowed.yaml')}`);
    expect(result.stdout).toContain(`PASS  ${join(dir, 'cases', 'expired.yaml')}`);
    expect(result.stdout).toContain('policy test: 2 passed, 0 failed, 0 errors');
  });

  it('when given the policy file instead of its directory it runs the cases beside it', async () => {
    const dir = testDir({ 'allowed.yaml': allowCase() });
    renameSync(join(dir, 'policy.yaml'), join(dir, 'release.yaml'));
    const result = await runCli('policy', 'test', join(dir, 'release.yaml'));
    expect(result.stdout).toContain(`PASS  ${join(dir, 'cases', 'allowed.yaml')}`);
    expect(result.code).toBe(0);
  });

  it('when paths are relative they are relative to the case file', async () => {
    const dir = testDir({});
    mkdirSync(join(dir, 'data'));
    copyFileSync(p.artifact, join(dir, 'data', 'app.tar.gz'));
    copyFileSync(p.provenance, join(dir, 'data', 'provenance.dsse.json'));
    writeFileSync(
      join(dir, 'cases', 'relative.json'),
      JSON.stringify({
        artifact: '../data/app.tar.gz',
        attestations: ['../data/provenance.dsse.json'],
        at: EVALUATED_AT,
        expect: 'deny',
        satisfied: { provenance: true },
      }),
    );
    const result = await runCli('policy', 'test', dir);
    expect(result.code).toBe(0);
  });

  it('when a case does not match it prints FAIL with the decision and exits 1', async () => {
    const wrong = expiredCase()
      .replace('expect: deny', 'expect: allow')
      .replace('[EXPIRED]', '[FUTURE_TIMESTAMP]');
    const dir = testDir({ 'allowed.yaml': allowCase(), 'wrong.yaml': wrong });
    const result = await runCli('policy', 'test', dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `FAIL  ${join(dir, 'cases', 'wrong.yaml')}: expected allow, got deny; vuln-review: expected a FUTURE_TIMESTAMP rejection, got `,
    );
    expect(result.stdout).toContain('      | DENIED: app.tar.gz');
    expect(result.stdout).toContain('policy test: 1 passed, 1 failed, 0 errors');
  });

  it('--output json reports each case with its decision, and the counts', async () => {
    const wrong = expiredCase().replace('expect: deny', 'expect: allow');
    const dir = testDir({
      'allowed.yaml': allowCase(),
      'bad.yaml': `${allowCase()}colour: red\n`,
      'wrong.yaml': wrong,
    });
    const result = await runCli('policy', 'test', '--output', 'json', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      policy: join(dir, 'policy.yaml'),
      passed: 1,
      failed: 1,
      errors: 1,
    });
    const byFile = new Map(
      report.cases.map((c: { file: string }) => [c.file.slice(dir.length + 1), c]),
    );
    expect(byFile.get('cases/allowed.yaml')).toMatchObject({
      result: 'pass',
      problems: [],
      decision: { schemaVersion: 'vouch.dev/decision/v1', allowed: true },
      error: null,
    });
    expect(byFile.get('cases/wrong.yaml')).toMatchObject({
      result: 'fail',
      problems: ['expected allow, got deny'],
      decision: { allowed: false },
    });
    expect(byFile.get('cases/bad.yaml')).toMatchObject({
      result: 'error',
      decision: null,
      error: { code: 'FIXTURE_INVALID' },
    });
  });

  it('when a case names an unknown requirement it fails', async () => {
    const dir = testDir({
      'typo.yaml': allowCase().replace('vuln-review: true', 'vuln-reveiw: true'),
    });
    const result = await runCli('policy', 'test', dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no requirement named vuln-reveiw');
  });

  it('when a case file is malformed it is an ERROR and exits 2', async () => {
    const dir = testDir({
      'ok.yaml': allowCase(),
      'bad.yaml': `${allowCase()}colour: red\n`,
      'badtime.yaml': allowCase().replace(EVALUATED_AT, '2026-11-23'),
    });
    const result = await runCli('policy', 'test', dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /ERROR .*bad\.yaml: FIXTURE_INVALID at .*bad\.yaml:7:\d+ colour: unknown field "colour"/,
    );
    expect(result.stdout).toMatch(
      /ERROR .*badtime\.yaml: FIXTURE_INVALID .* at: must be an RFC 3339 time/,
    );
    expect(result.stdout).toContain('policy test: 1 passed, 0 failed, 2 errors');
  });

  it('when the directory has no cases it is a usage error', async () => {
    const result = await runCli('policy', 'test', testDir({}));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('USAGE');
  });

  it('when the directory has no policy it is a usage error', async () => {
    const result = await runCli('policy', 'test', tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'must hold exactly one of policy.yaml, policy.yml, policy.json',
    );
  });
});
