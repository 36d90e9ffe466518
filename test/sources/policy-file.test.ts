import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../src/errors.js';
import { configFormatOf, loadPolicyFile } from '../../src/sources/policy-file.js';
import { tempDir } from '../support/cli.js';
import { makeKey, PROVENANCE } from '../support/signing.js';

const policyText = (keyFile: string) => `apiVersion: vouch/v1
kind: Policy
metadata: {name: files}
spec:
  authorities:
    builder: {keys: [{file: ${keyFile}}]}
  requirements:
    - {name: provenance, predicateType: ${PROVENANCE}, signers: [builder]}
`;

describe('loadPolicyFile', () => {
  it('when a key path is relative it is resolved against the policy file, not the cwd', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'policies', 'keys'), { recursive: true });
    const key = makeKey();
    writeFileSync(join(dir, 'policies', 'keys', 'builder.pub'), key.pem);
    writeFileSync(join(dir, 'policies', 'prod.yaml'), policyText('keys/builder.pub'));
    const policy = loadPolicyFile(join(dir, 'policies', 'prod.yaml'));
    expect(policy.keys.map((k) => k.keyid)).toEqual([key.keyid]);
    expect(policy.source).toBe(join(dir, 'policies', 'prod.yaml'));
  });

  it('when a key file is missing it is POLICY_INVALID naming the resolved path', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'policy.yaml'), policyText('keys/missing.pub'));
    let error: unknown;
    try {
      loadPolicyFile(join(dir, 'policy.yaml'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(VouchError);
    expect((error as VouchError).code).toBe('POLICY_INVALID');
    expect((error as VouchError).message).toContain(
      `KEY_UNREADABLE: cannot read key file ${join(dir, 'keys', 'missing.pub')} (key paths are relative to the policy file)`,
    );
    expect((error as VouchError).path).toMatch(
      /policy\.yaml:6:\d+ spec\.authorities\.builder\.keys\[0\]\.file/,
    );
  });

  it('when the policy file is missing it is IO_ERROR', () => {
    expect(() => loadPolicyFile(join(tempDir(), 'nope.yaml'))).toThrow(
      expect.objectContaining({ code: 'IO_ERROR' }),
    );
  });

  it('when the extension is .json the policy is strict JSON, otherwise YAML', () => {
    expect(configFormatOf('p.json')).toBe('json');
    expect(configFormatOf('p.JSON')).toBe('json');
    expect(configFormatOf('p.yaml')).toBe('yaml');
    expect(configFormatOf('p.yml')).toBe('yaml');
    expect(configFormatOf('policy')).toBe('yaml');
  });
});
