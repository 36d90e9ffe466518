import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SlsaProvenancePredicate } from '../../src/evidence/provenance.js';
import { makeArtifact, verifiedStatement } from '../support/attestations.js';
import { GITHUB_ENV, GITLAB_ENV } from '../support/ci-env.js';
import { runCliWith, tempDir } from '../support/cli.js';
import { makeKeyFiles } from '../support/signing.js';

let dir: string;
let key: string;
let artifact: string;

beforeAll(async () => {
  dir = tempDir();
  key = makeKeyFiles(dir, 'builder').prefix;
  artifact = makeArtifact(dir);
});

const provenanceOf = (path: string) => {
  const statement = verifiedStatement(path, `${key}.pub`);
  expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
  return statement.predicate as unknown as SlsaProvenancePredicate;
};

describe('vouch provenance', () => {
  it('when run in GitHub Actions, signs provenance from the runner variables', async () => {
    const out = join(dir, 'gh.dsse.json');
    const result = await runCliWith(
      { env: GITHUB_ENV },
      'provenance',
      '--subject',
      artifact,
      '--key',
      `${key}.key`,
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('provenance (github): https://github.com/octocat/hello-world');
    const p = provenanceOf(out);
    expect(p.buildDefinition.buildType).toBe('https://actions.github.io/buildtypes/workflow/v1');
    expect(p.buildDefinition.externalParameters.workflow.repository).toBe(
      'https://github.com/octocat/hello-world',
    );
    expect(p.runDetails.metadata.invocationId).toBe(
      'https://github.com/octocat/hello-world/actions/runs/1536140711/attempts/1',
    );
  });

  it('when run in GitLab CI, signs provenance from the predefined variables', async () => {
    const out = join(dir, 'gl.dsse.json');
    // the job started before now, the default finish time
    const env = { ...GITLAB_ENV, CI_JOB_STARTED_AT: '2020-01-01T00:00:00+01:00' };
    const result = await runCliWith(
      { env },
      'provenance',
      '--subject',
      artifact,
      '--key',
      `${key}.key`,
      '--out',
      out,
      '--format',
      'bundle',
    );
    expect(result.code).toBe(0);
    const p = provenanceOf(out);
    expect(p.buildDefinition.buildType).toBe('https://vouch.dev/buildtypes/gitlab-ci/v1');
    expect(p.buildDefinition.externalParameters.workflow.ref).toBe('refs/tags/v1.4.2');
    expect(p.runDetails.metadata.startedOn).toBe('2019-12-31T23:00:00Z');
  });

  it('reads workflow_dispatch inputs from the GitHub event file', async () => {
    const event = join(dir, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ inputs: { environment: 'production' }, ref: 'refs/heads/main' }),
    );
    const out = join(dir, 'dispatch.dsse.json');
    const env = { ...GITHUB_ENV, GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_EVENT_PATH: event };
    const result = await runCliWith(
      { env },
      'provenance',
      '--subject',
      artifact,
      '--key',
      `${key}.key`,
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    expect(provenanceOf(out).buildDefinition.externalParameters.inputs).toEqual({
      environment: 'production',
    });
  });

  it('when a required value is missing, names the flag and the variable, and writes nothing', async () => {
    const { GITHUB_REF: _ref, ...env } = GITHUB_ENV;
    const out = join(dir, 'missing.dsse.json');
    const result = await runCliWith(
      { env },
      'provenance',
      '--subject',
      artifact,
      '--key',
      `${key}.key`,
      '--out',
      out,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'USAGE at --ref: missing ref (give it explicitly or set GITHUB_REF)',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('outside CI, takes everything from flags and never the test process environment', async () => {
    const bare = await runCliWith({}, 'provenance', '--subject', artifact, '--key', `${key}.key`);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain(
      'USAGE at --builder-id: missing builderId (no CI environment detected: give it explicitly)',
    );
    const out = join(dir, 'local.dsse.json');
    const result = await runCliWith(
      {},
      'provenance',
      '--subject',
      artifact,
      '--key',
      `${key}.key`,
      '--out',
      out,
      '--builder-id',
      'https://build.example.com/laptop',
      '--repository',
      'https://github.com/acme/app',
      '--ref',
      'refs/heads/main',
      '--commit',
      'c27d339ee6075c1f744c5d4b200f7901aad2c369',
      '--finished-on',
      '2026-11-23T10:00:00Z',
    );
    expect(result.code).toBe(0);
    expect(provenanceOf(out).runDetails).toEqual({
      builder: { id: 'https://build.example.com/laptop' },
      metadata: { finishedOn: '2026-11-23T10:00:00Z' },
    });
  });
});
