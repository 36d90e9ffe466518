import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { subjectAlgorithms } from '../../src/sources/artifact-algorithms.js';
import { digestFile } from '../../src/sources/artifact-file.js';
import { readDocuments } from '../../src/sources/local.js';
import { vector, vectorJson } from '../support/paths.js';
import { policyOf } from '../support/signing.js';

// slsa-verifier's npm cases: registry attestations documents ({attestations: [{predicateType,
// bundle}]}) holding a keyless SLSA provenance bundle and a publish bundle signed by the npm
// registry's key (sigstore-trust-roots/npm-registry-keys.json).
const NPM = vector('slsa-verifier', 'cli', 'slsa-verifier', 'testdata', 'npm', 'gha');
const PUBLISH = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';

interface RegistryKeys {
  keys: { keyUsage: string; publicKey: { rawBytes: string } }[];
}
const npmKeys = vectorJson<RegistryKeys>('sigstore-trust-roots', 'npm-registry-keys.json')
  .keys.filter((k) => k.keyUsage === 'npm:attestations')
  .map((k) => ({
    pem: `-----BEGIN PUBLIC KEY-----\n${k.publicKey.rawBytes}\n-----END PUBLIC KEY-----\n`,
  }));
const policy = policyOf({
  authorities: { npm: { keys: npmKeys } },
  requirements: [{ name: 'publish', predicateType: PUBLISH, signers: ['npm'] }],
});

const packages = readdirSync(NPM).filter((f) => f.endsWith('.tgz'));

describe('npm registry attestations documents (slsa-verifier npm vectors)', () => {
  it('finds the vectors', () => {
    expect(packages.length).toBeGreaterThanOrEqual(15);
  });

  it.each(packages)(
    '%s: both bundles are read, and the publish attestation counts unless its signature was broken',
    async (tgz) => {
      const { documents, skipped } = readDocuments([join(NPM, `${tgz}.json`)]);
      expect(skipped).toEqual([]);
      expect(documents.map((d) => d.source.slice(d.source.indexOf('#')))).toEqual([
        '#attestations[0]',
        '#attestations[1]',
      ]);
      // npm subjects carry sha512 alone: hash with the algorithms the subjects name, as verify does.
      const algorithms = subjectAlgorithms(documents);
      const artifact = { name: tgz, digest: await digestFile(join(NPM, tgz), { algorithms }) };
      const decision = evaluatePolicy(policy, {
        artifact,
        documents,
        at: new Date('2024-06-01T00:00:00Z'),
      });
      expect(decision.allowed).toBe(!tgz.includes('invalidsigpub'));
      // Neither bundle is MALFORMED: each is read as the bundle it is.
      const codes = decision.requirements.flatMap((r) => r.rejected.map((x) => x.code));
      expect(codes).not.toContain('MALFORMED');
    },
  );
});
