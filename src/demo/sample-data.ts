// Everything the demo needs, embedded: it runs on a fresh machine with no network.

/** The sample application that gets packed into the release tarball. */
export const APP_FILES: Readonly<Record<string, string>> = {
  'app/package.json': `${JSON.stringify(
    {
      name: '@acme/app',
      version: '1.4.2',
      main: 'index.js',
      dependencies: { ws: '8.16.0', 'cross-spawn': '7.0.3', micromatch: '4.0.5' },
    },
    null,
    2,
  )}\n`,
  'app/index.js': `'use strict';
const { spawn } = require('cross-spawn');
module.exports = function run(cmd, args) {
  return spawn(cmd, args, { stdio: 'inherit' });
};
`,
};

export const APP_VERSION = '1.4.2';
/** The release file, relative to the demo directory. */
export const ARTIFACT = `dist/app-${APP_VERSION}.tgz`;
export const REPOSITORY = 'https://github.com/acme/app';

/** One grype match: a vulnerability found in an npm package of the app. */
interface SampleFinding {
  readonly ghsa: string;
  readonly cve: string;
  readonly severity: 'Critical' | 'High' | 'Medium' | 'Low';
  readonly score: number;
  readonly pkg: string;
  readonly version: string;
  readonly fixed: string;
}

/** Published advisories for the versions package.json pins. */
export const SAMPLE_FINDINGS: readonly SampleFinding[] = [
  {
    ghsa: 'GHSA-3h5v-q93c-6h6q',
    cve: 'CVE-2024-37890',
    severity: 'High',
    score: 7.5,
    pkg: 'ws',
    version: '8.16.0',
    fixed: '8.17.1',
  },
  {
    ghsa: 'GHSA-3xgq-45jj-v275',
    cve: 'CVE-2024-21538',
    severity: 'High',
    score: 7.5,
    pkg: 'cross-spawn',
    version: '7.0.3',
    fixed: '7.0.5',
  },
  {
    ghsa: 'GHSA-952p-6rrq-rcjv',
    cve: 'CVE-2024-4067',
    severity: 'Medium',
    score: 5.3,
    pkg: 'micromatch',
    version: '4.0.5',
    fixed: '4.0.8',
  },
];

/**
 * What `grype dir:app -o json` writes for the app (the documented shape of grype 0.87 with
 * a schema v6 database, trimmed to the fields a reader needs). Times are filled in per run.
 */
export function grypeReport(scannedAt: string, dbBuilt: string): unknown {
  return {
    matches: SAMPLE_FINDINGS.map((f) => ({
      vulnerability: {
        id: f.ghsa,
        dataSource: `https://github.com/advisories/${f.ghsa}`,
        namespace: 'github:language:javascript',
        severity: f.severity,
        urls: [`https://github.com/advisories/${f.ghsa}`],
        cvss: [
          {
            version: '3.1',
            vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
            metrics: { baseScore: f.score },
          },
        ],
        fix: { versions: [f.fixed], state: 'fixed' },
        advisories: [],
      },
      relatedVulnerabilities: [
        {
          id: f.cve,
          dataSource: `https://nvd.nist.gov/vuln/detail/${f.cve}`,
          namespace: 'nvd:cpe',
          severity: f.severity,
        },
      ],
      matchDetails: [
        {
          type: 'exact-direct-match',
          matcher: 'javascript-matcher',
          searchedBy: { language: 'javascript', namespace: 'github:language:javascript' },
          found: { vulnerabilityID: f.ghsa, versionConstraint: `<${f.fixed} (unknown)` },
        },
      ],
      artifact: {
        id: `${f.pkg}-${f.version}`,
        name: f.pkg,
        version: f.version,
        type: 'npm',
        locations: [{ path: '/app/package.json' }],
        language: 'javascript',
        licenses: ['MIT'],
        cpes: [],
        purl: `pkg:npm/${f.pkg}@${f.version}`,
        upstreams: [],
      },
    })),
    source: { type: 'directory', target: 'app' },
    distro: { name: '', version: '', idLike: null },
    descriptor: {
      name: 'grype',
      version: '0.87.0',
      db: { status: { schemaVersion: 'v6.0.2', built: dbBuilt, valid: true } },
      timestamp: scannedAt,
    },
  };
}

/** The release policy (DESIGN.md section 5): provenance from acme/app, two approved reviews. */
export const RELEASE_POLICY = `apiVersion: vouch/v1
kind: Policy
metadata: {name: acme-app-release}
spec:
  clockSkew: 5m
  authorities:
    builder:  {keys: [{file: keys/builder.pub}]}
    security: {keys: [{file: keys/alice.pub}, {file: keys/bob.pub}]}
  requirements:
    - name: provenance
      predicateType: https://slsa.dev/provenance/v1
      signers: [builder]
      condition: >-
        predicate.buildDefinition.externalParameters.workflow.repository == "${REPOSITORY}" &&
        predicate.buildDefinition.externalParameters.workflow.ref.startsWith("refs/tags/v")
    - name: vuln-review
      predicateType: https://vouch.dev/attestation/vuln-review/v1
      signers: [security]
      threshold: 2
      maxAge: 168h
      condition: predicate.decision == "approved"
  allow: provenance && vuln-review
`;

/** The deploy gate: trusts the release verifier's signed summary, not the raw evidence. */
export function gatePolicy(releasePolicySha256: string): string {
  return `apiVersion: vouch/v1
kind: Policy
metadata: {name: deploy-gate}
spec:
  authorities:
    verifier: {keys: [{file: keys/verifier.pub}]}
  requirements:
    - name: release-verified
      predicateType: https://slsa.dev/verification_summary/v1
      signers: [verifier]
      maxAge: 24h
      condition: >-
        predicate.verificationResult == "PASSED" &&
        predicate.policy.digest.sha256 == "${releasePolicySha256}"
`;
}

/** The variables a GitHub-hosted runner sets for the tag push that releases the app. */
export function githubEnvironment(repository: string): Record<string, string> {
  const slug = repository.replace('https://github.com/', '');
  const ref = `refs/tags/v${APP_VERSION}`;
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: slug,
    GITHUB_REF: ref,
    GITHUB_SHA: 'c27d339ee6075c1f744c5d4b200f7901aad2c369',
    GITHUB_WORKFLOW_REF: `${slug}/.github/workflows/release.yml@${ref}`,
    GITHUB_RUN_ID: '1536140711',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'push',
  };
}
