import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli, tempDir } from '../support/cli.js';
import { vector } from '../support/paths.js';

// Real documents from producers, verified offline against the shipped public-good root.
const TESTDATA = ['slsa-verifier', 'cli', 'slsa-verifier', 'testdata'];
const data = (...parts: string[]): string => vector(...TESTDATA, ...parts);
const GITHUB = 'https://token.actions.githubusercontent.com';

const dir = tempDir('vouch-keyless-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Identity {
  readonly issuer: string;
  readonly subject?: string;
  readonly subjectRegExp?: string;
  readonly extensions?: Record<string, string>;
}

let policies = 0;
/** Writes a policy with one keyless authority and one requirement (JSON is YAML). */
function policy(
  predicateType: string,
  identity: Identity,
  extra: Record<string, unknown> = {},
): string {
  const file = join(dir, `policy-${policies++}.json`);
  const doc = {
    apiVersion: 'vouch/v1',
    kind: 'Policy',
    metadata: { name: 'keyless' },
    spec: {
      authorities: { ci: { keyless: { identities: [identity] } } },
      requirements: [{ name: 'provenance', predicateType, signers: ['ci'], ...extra }],
    },
  };
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const verify = (
  policyFile: string,
  artifact: string,
  attestation: string,
  at: string,
): Promise<CliResult> =>
  runCli(
    'verify',
    '--policy',
    policyFile,
    '--artifact',
    artifact,
    '--attestations',
    attestation,
    '--at',
    at,
    '--output',
    'json',
  );

function rejection(result: CliResult): { code: string; message: string } | undefined {
  const decision = JSON.parse(result.stdout) as {
    requirements: { rejected: { code: string; message: string }[] }[];
  };
  return decision.requirements[0]?.rejected[0];
}

/** Writes a copy of a bundle whose DSSE payload (the Statement) names another subject digest. */
function tampered(bundleText: string): string {
  const bundle = JSON.parse(bundleText) as { dsseEnvelope: { payload: string } };
  const statement = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
  const changed = statement.replace(
    /"sha(?:256|512)":\s*"[0-9a-f]/,
    (m) => `${m.slice(0, -1)}${m.endsWith('0') ? '1' : '0'}`,
  );
  expect(changed).not.toBe(statement);
  bundle.dsseEnvelope.payload = Buffer.from(changed).toString('base64');
  const file = join(dir, `tampered-${policies++}.sigstore.json`);
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}

interface Producer {
  readonly name: string;
  readonly predicateType: string;
  readonly artifact: string;
  readonly bundle: string;
  readonly at: string;
  readonly identity: Identity;
  /** The same identity with one thing wrong: repository, ref, issuer, workflow. */
  readonly wrong: Record<'repository' | 'ref' | 'issuer' | 'workflow', Identity>;
}

const BCR_WORKFLOW =
  'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml';
const GENERATOR =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml';
const NPM_REPO = 'https://github.com/ramonpetgrave64/gundam-visor';

function npmProvenanceBundle(): string {
  const doc = JSON.parse(
    readFileSync(data('npm', 'gha', 'gundam-visor-cli-v1-tag.tgz.json'), 'utf8'),
  ) as {
    attestations: { predicateType: string; bundle: unknown }[];
  };
  const slsa = doc.attestations.find((a) => a.predicateType === 'https://slsa.dev/provenance/v1');
  const file = join(dir, 'npm-provenance.sigstore.json');
  writeFileSync(file, JSON.stringify(slsa?.bundle));
  return file;
}

const producers: Producer[] = [
  {
    name: 'GitHub artifact attestation (publish-to-bcr, bundle v0.3)',
    predicateType: 'https://slsa.dev/provenance/v1',
    artifact: data('bcr', 'MODULE.bazel'),
    bundle: data('bcr', 'MODULE.bazel.intoto.jsonl'),
    at: '2025-03-27T00:00:00Z',
    identity: {
      issuer: GITHUB,
      subjectRegExp:
        '^https://github\\.com/bazel-contrib/publish-to-bcr/\\.github/workflows/publish\\.yaml@refs/tags/v[0-9.]+$',
      extensions: {
        sourceRepositoryURI: 'https://github.com/aspect-build/rules_lint',
        sourceRepositoryRef: 'refs/heads/publish-to-bcr',
      },
    },
    wrong: {
      repository: {
        issuer: GITHUB,
        subject: `${BCR_WORKFLOW}@refs/tags/v0.0.1`,
        extensions: { sourceRepositoryURI: 'https://github.com/aspect-build/rules_go' },
      },
      ref: {
        issuer: GITHUB,
        subject: `${BCR_WORKFLOW}@refs/tags/v0.0.1`,
        extensions: { sourceRepositoryRef: 'refs/heads/main' },
      },
      issuer: {
        issuer: 'https://accounts.google.com',
        subject: `${BCR_WORKFLOW}@refs/tags/v0.0.1`,
      },
      workflow: {
        issuer: GITHUB,
        subject:
          'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/other.yaml@refs/tags/v0.0.1',
      },
    },
  },
  {
    name: 'slsa-github-generator generic provenance (v2.1.0, Statement v0.1 + SLSA v0.2)',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    artifact: 'sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa',
    bundle: data('gha_generic', 'v2.1.0', 'binary-linux-amd64-workflow_dispatch.intoto.jsonl'),
    at: '2025-03-01T00:00:00Z',
    identity: {
      issuer: GITHUB,
      subject: `${GENERATOR}@refs/tags/v2.1.0`,
      extensions: {
        sourceRepositoryURI: 'https://github.com/slsa-framework/example-package',
        runnerEnvironment: 'github-hosted',
      },
    },
    wrong: {
      repository: {
        issuer: GITHUB,
        subject: `${GENERATOR}@refs/tags/v2.1.0`,
        extensions: { sourceRepositoryURI: 'https://github.com/evil/example-package' },
      },
      ref: {
        issuer: GITHUB,
        subject: `${GENERATOR}@refs/tags/v2.1.0`,
        extensions: { sourceRepositoryRef: 'refs/tags/v1.0.0' },
      },
      issuer: { issuer: 'https://gitlab.com', subject: `${GENERATOR}@refs/tags/v2.1.0` },
      workflow: {
        issuer: GITHUB,
        subject: `${GENERATOR.replace('generator_generic', 'builder_go')}@refs/tags/v2.1.0`,
      },
    },
  },
  {
    name: 'npm provenance (gundam-visor 1.0.1, bundle v0.2 with TSA)',
    predicateType: 'https://slsa.dev/provenance/v1',
    artifact: data('npm', 'gha', 'gundam-visor-cli-v1-tag.tgz'),
    bundle: npmProvenanceBundle(),
    at: '2024-06-01T00:00:00Z',
    identity: {
      issuer: GITHUB,
      subjectRegExp: `^${NPM_REPO.replace(/\./g, '\\.')}/\\.github/workflows/[a-z-]+\\.ya?ml@refs/tags/v[0-9.]+$`,
      extensions: { sourceRepositoryURI: NPM_REPO },
    },
    wrong: {
      repository: {
        issuer: GITHUB,
        subjectRegExp: '^https://github\\.com/',
        extensions: { sourceRepositoryURI: 'https://github.com/ramonpetgrave64/other' },
      },
      ref: {
        issuer: GITHUB,
        subjectRegExp: '^https://github\\.com/',
        extensions: { sourceRepositoryRef: 'refs/heads/main' },
      },
      issuer: {
        issuer: 'https://token.actions.githubusercontent.com/evil',
        subjectRegExp: '^https://github\\.com/',
      },
      workflow: {
        issuer: GITHUB,
        subjectRegExp: `^${NPM_REPO.replace(/\./g, '\\.')}/\\.github/workflows/release\\.yml@`,
      },
    },
  },
];

describe.each(producers)('keyless $name through vouch verify', (p) => {
  it('is allowed with the right identity policy', async () => {
    const result = await verify(policy(p.predicateType, p.identity), p.artifact, p.bundle, p.at);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).allowed, result.stdout).toBe(true);
    expect(result.code).toBe(0);
  });

  it.each(['repository', 'ref', 'issuer', 'workflow'] as const)(
    'is denied with a wrong %s',
    async (what) => {
      const result = await verify(
        policy(p.predicateType, p.wrong[what]),
        p.artifact,
        p.bundle,
        p.at,
      );
      expect(result.code).toBe(1);
      expect(rejection(result)?.code).toBe('UNTRUSTED_SIGNER');
    },
  );

  it('is denied when its Statement is tampered with', async () => {
    const result = await verify(
      policy(p.predicateType, p.identity),
      p.artifact,
      tampered(readFileSync(p.bundle, 'utf8')),
      p.at,
    );
    expect(result.code).toBe(1);
    // The log entry binds the payload hash and the signature covers it: either check may speak.
    expect(['BAD_SIGNATURE', 'LOG_EVIDENCE_INVALID']).toContain(rejection(result)?.code);
  });

  it('is denied under a trusted root that does not hold its CA', async () => {
    const root = join(dir, `other-root-${policies++}.json`);
    writeFileSync(
      root,
      readFileSync(vector('sigstore-trust-roots', 'staging', 'trusted_root.json')),
    );
    const file = policy(p.predicateType, p.identity);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.spec.authorities.ci.keyless.trustedRoot = { file: root };
    writeFileSync(file, JSON.stringify(doc));
    const result = await verify(file, p.artifact, p.bundle, p.at);
    expect(result.code).toBe(1);
    expect(['CERTIFICATE_INVALID', 'LOG_EVIDENCE_INVALID']).toContain(rejection(result)?.code);
  });
});

describe('timeSource: log', () => {
  const [bcr] = producers;
  if (bcr === undefined) throw new Error('no producer');

  it('measures maxAge from the verified log time, whatever the predicate claims', async () => {
    const file = policy(bcr.predicateType, bcr.identity, { maxAge: '24h', timeSource: 'log' });
    const fresh = await verify(file, bcr.artifact, bcr.bundle, '2025-03-27T12:00:00Z');
    expect(JSON.parse(fresh.stdout).requirements[0].satisfiedBy[0].time).toBe(
      '2025-03-26T23:47:30Z',
    );
    const stale = await verify(file, bcr.artifact, bcr.bundle, '2025-03-28T00:00:00Z');
    expect(rejection(stale)?.code).toBe('EXPIRED');
  });

  it('is a policy error without an authority that yields log evidence', async () => {
    const file = join(dir, 'keyed-log.json');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'vouch/v1',
        kind: 'Policy',
        metadata: { name: 'x' },
        spec: {
          authorities: {
            b: {
              keys: [{ pem: readFileSync(vector('dsse', 'keys', 'spec-p256.pub.pem'), 'utf8') }],
            },
          },
          requirements: [
            {
              name: 'r',
              predicateType: 'x',
              signers: ['b'],
              timeSource: 'log',
              maxAge: '1h',
              timestampPath: 'a.b',
            },
          ],
        },
      }),
    );
    const result = await runCli(
      'verify',
      '--policy',
      file,
      '--artifact',
      `sha256:${'a'.repeat(64)}`,
      '--attestations',
      file,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/POLICY_INVALID.*timeSource log needs log evidence/);
  });
});
