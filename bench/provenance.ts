import { createHash } from 'node:crypto';
import { buildStatement, type Statement } from '../src/attestation/statement.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A SLSA provenance v1 Statement shaped like a GitHub Actions build (buildType workflow/v1),
 * about 2 KB serialised: the typical attestation a policy check verifies.
 */
export function provenanceStatement(): Statement {
  const repository = 'https://github.com/acme/payments-service';
  const commit = sha256('commit').slice(0, 40);
  return buildStatement(
    [
      { name: 'payments-service-linux-amd64.tar.gz', digest: { sha256: sha256('amd64') } },
      { name: 'payments-service-linux-arm64.tar.gz', digest: { sha256: sha256('arm64') } },
    ],
    'https://slsa.dev/provenance/v1',
    {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: { ref: 'refs/tags/v2.14.3', repository, path: '.github/workflows/release.yml' },
        },
        internalParameters: {
          github: {
            event_name: 'push',
            repository_id: '702117445',
            repository_owner_id: '148391752',
            runner_environment: 'github-hosted',
          },
        },
        resolvedDependencies: [
          { uri: `git+${repository}@refs/tags/v2.14.3`, digest: { gitCommit: commit } },
          {
            uri: 'pkg:docker/golang@1.22.5-bookworm',
            digest: { sha256: sha256('golang-image') },
          },
          {
            uri: 'pkg:github/actions/checkout@v4',
            digest: { gitCommit: sha256('co').slice(0, 40) },
          },
          {
            uri: 'pkg:github/actions/setup-go@v5',
            digest: { gitCommit: sha256('setup-go').slice(0, 40) },
          },
          {
            uri: 'pkg:github/actions/upload-artifact@v4',
            digest: { gitCommit: sha256('upload-artifact').slice(0, 40) },
          },
          {
            uri: 'pkg:golang/golang.org/x/crypto@v0.25.0',
            digest: { sha256: sha256('x/crypto') },
          },
        ],
      },
      runDetails: {
        builder: {
          id: 'https://github.com/actions/runner/github-hosted',
          version: { 'actions/runner': '2.317.0' },
        },
        metadata: {
          invocationId: `${repository}/actions/runs/9876543210/attempts/1`,
          startedOn: '2026-03-02T09:14:05Z',
          finishedOn: '2026-03-02T09:21:47Z',
        },
        byproducts: [
          {
            name: 'sbom.spdx.json',
            mediaType: 'application/spdx+json',
            digest: { sha256: sha256('sbom') },
          },
        ],
      },
    },
  );
}
