import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResourceDescriptor } from '../../src/attestation/statement.js';
import { readCiEnvironment } from '../../src/evidence/ci-environment.js';
import {
  buildSlsaProvenance,
  GENERIC_BUILD_TYPE,
  GITHUB_WORKFLOW_BUILD_TYPE,
  GITLAB_CI_BUILD_TYPE,
  type SlsaProvenancePredicate,
} from '../../src/evidence/provenance.js';
import { GITHUB_ENV, GITLAB_ENV } from '../support/ci-env.js';
import { vouchErrorOf } from '../support/fixtures.js';
import { itWithVectors, vector } from '../support/paths.js';

const NOW = new Date('2026-11-23T10:00:00Z');

/** The SLSA v1 predicate rules the in-toto Go bindings check (validation-cases.json). */
function expectValidSlsaV1(p: SlsaProvenancePredicate): void {
  expect(p.buildDefinition.buildType).not.toBe('');
  expect(Object.keys(p.buildDefinition.externalParameters).length).toBeGreaterThan(0);
  expect(p.runDetails.builder.id).not.toBe('');
  for (const [i, d] of p.buildDefinition.resolvedDependencies.entries()) {
    expect(() => parseResourceDescriptor(d, `$.resolvedDependencies[${i}]`)).not.toThrow();
  }
}

describe('when building provenance in GitHub Actions', () => {
  const predicate = buildSlsaProvenance(readCiEnvironment(GITHUB_ENV), {}, NOW);

  itWithVectors(
    'uses the workflow/v1 build type with the external parameters of its example',
    () => {
      const example = JSON.parse(
        readFileSync(
          vector('slsa-spec', 'github-actions-buildtypes', 'workflow', 'v1', 'example.json'),
          'utf8',
        ),
      ) as { predicate: SlsaProvenancePredicate };
      expectValidSlsaV1(predicate);
      expect(predicate.buildDefinition.buildType).toBe(GITHUB_WORKFLOW_BUILD_TYPE);
      expect(predicate.buildDefinition.externalParameters.workflow).toEqual(
        example.predicate.buildDefinition.externalParameters.workflow,
      );
      expect(predicate.buildDefinition.resolvedDependencies[0]).toEqual(
        example.predicate.buildDefinition.resolvedDependencies[0],
      );
      expect(predicate.runDetails.metadata.invocationId).toBe(
        example.predicate.runDetails.metadata.invocationId,
      );
    },
  );

  it('names the workflow as builder, and records the run context as internal parameters', () => {
    expect(predicate.runDetails.builder.id).toBe(
      'https://github.com/octocat/hello-world/.github/workflow/release.yml@refs/heads/main',
    );
    expect(predicate.buildDefinition.internalParameters).toEqual({
      github: {
        event_name: 'push',
        repository_id: '1296269',
        repository_owner_id: '583231',
        actor_id: '1234567',
        runner_environment: 'github-hosted',
      },
      runner: { name: 'GitHub Actions 2', os: 'Linux', arch: 'X64' },
    });
  });

  it('finishes now unless told otherwise, and has no start time GitHub does not give', () => {
    expect(predicate.runDetails.metadata).not.toHaveProperty('startedOn');
    expect(predicate.runDetails.metadata.finishedOn).toBe('2026-11-23T10:00:00Z');
  });

  it('lets every flag override the environment', () => {
    const p = buildSlsaProvenance(
      readCiEnvironment(GITHUB_ENV),
      {
        builderId: 'https://builder.example/ci',
        buildType: 'https://example.com/buildtypes/custom/v1',
        repository: 'https://github.com/octocat/fork.git',
        ref: 'refs/tags/v2',
        commit: 'A'.repeat(40),
        workflow: 'build.yml',
        runId: '99',
        startedOn: '2026-11-23T03:00:00-06:00',
        finishedOn: '2026-11-23T09:30:00Z',
      },
      NOW,
    );
    expect(p.buildDefinition.buildType).toBe('https://example.com/buildtypes/custom/v1');
    expect(p.buildDefinition.externalParameters.workflow).toEqual({
      ref: 'refs/tags/v2',
      repository: 'https://github.com/octocat/fork',
      path: 'build.yml',
    });
    expect(p.buildDefinition.resolvedDependencies).toEqual([
      {
        uri: 'git+https://github.com/octocat/fork@refs/tags/v2',
        digest: { gitCommit: 'a'.repeat(40) },
      },
    ]);
    expect(p.runDetails).toEqual({
      builder: { id: 'https://builder.example/ci' },
      metadata: {
        invocationId: 'https://github.com/octocat/fork/actions/runs/99/attempts/1',
        startedOn: '2026-11-23T09:00:00Z',
        finishedOn: '2026-11-23T09:30:00Z',
      },
    });
  });

  it('records non-empty workflow_dispatch inputs from the event payload', () => {
    const env = { ...GITHUB_ENV, GITHUB_EVENT_NAME: 'workflow_dispatch' };
    const event = { inputs: { deploy_target: 'eu', dry_run: '', build_id: 12 } };
    const p = buildSlsaProvenance(readCiEnvironment(env, event), {}, NOW);
    expect(p.buildDefinition.externalParameters.inputs).toEqual({
      deploy_target: 'eu',
      build_id: 12,
    });
  });

  it('refuses the workflow/v1 build type for events it does not cover', () => {
    const env = { ...GITHUB_ENV, GITHUB_EVENT_NAME: 'pull_request' };
    const err = vouchErrorOf(() => buildSlsaProvenance(readCiEnvironment(env), {}, NOW));
    expect(err.code).toBe('USAGE');
    expect(err.message).toContain('pull_request');
  });

  it('names both the field and the variable when a value is missing', () => {
    const { GITHUB_SHA: _sha, ...env } = GITHUB_ENV;
    const err = vouchErrorOf(() => buildSlsaProvenance(readCiEnvironment(env), {}, NOW));
    expect(err.code).toBe('USAGE');
    expect(err.message).toBe('missing commit');
    expect(err.field).toBe('commit');
    expect(err.hint).toBe('give it explicitly or set GITHUB_SHA');
  });
});

describe('when building provenance in GitLab CI', () => {
  const predicate = buildSlsaProvenance(readCiEnvironment(GITLAB_ENV), {}, NOW);

  it('reads the tag, commit, pipeline file, job and its start time', () => {
    expectValidSlsaV1(predicate);
    expect(predicate).toEqual({
      buildDefinition: {
        buildType: GITLAB_CI_BUILD_TYPE,
        externalParameters: {
          workflow: {
            ref: 'refs/tags/v1.4.2',
            repository: 'https://gitlab.example.com/acme/app',
            path: '.gitlab-ci.yml',
          },
        },
        internalParameters: {
          gitlab: {
            server_url: 'https://gitlab.example.com',
            project_id: '42',
            pipeline_id: '1001',
            pipeline_source: 'push',
            job_id: '5005',
            job_name: 'release',
            runner_id: '7',
          },
        },
        resolvedDependencies: [
          {
            uri: 'git+https://gitlab.example.com/acme/app@refs/tags/v1.4.2',
            digest: { gitCommit: '8d4f1a29c0e9b6f5b3a2e1d0c9b8a7f6e5d4c3b2' },
          },
        ],
      },
      runDetails: {
        builder: { id: 'https://gitlab.example.com/acme/app/.gitlab-ci.yml@refs/tags/v1.4.2' },
        metadata: {
          invocationId: 'https://gitlab.example.com/acme/app/-/jobs/5005',
          startedOn: '2026-11-23T09:55:01Z',
          finishedOn: '2026-11-23T10:00:00Z',
        },
      },
    });
  });

  it('takes a branch when the pipeline is not for a tag', () => {
    const { CI_COMMIT_TAG: _tag, ...env } = { ...GITLAB_ENV, CI_COMMIT_REF_NAME: 'main' };
    const p = buildSlsaProvenance(readCiEnvironment(env), {}, NOW);
    expect(p.buildDefinition.externalParameters.workflow.ref).toBe('refs/heads/main');
  });

  it('names the GitLab variable of a missing value', () => {
    const { CI_PROJECT_URL: _url, ...env } = GITLAB_ENV;
    const err = vouchErrorOf(() => buildSlsaProvenance(readCiEnvironment(env), {}, NOW));
    expect(err.hint).toBe('give it explicitly or set CI_PROJECT_URL and CI_CONFIG_PATH');
  });
});

describe('when building provenance outside CI', () => {
  const flags = {
    builderId: 'https://build.example.com/hosts/b1',
    repository: 'https://git.example.com/acme/app/',
    ref: 'refs/heads/main',
    commit: 'f'.repeat(64),
  };

  it('needs the flags, and uses the generic build type', () => {
    const p = buildSlsaProvenance(readCiEnvironment({}), flags, NOW);
    expectValidSlsaV1(p);
    expect(p.buildDefinition.buildType).toBe(GENERIC_BUILD_TYPE);
    expect(p.buildDefinition.externalParameters.workflow).toEqual({
      ref: 'refs/heads/main',
      repository: 'https://git.example.com/acme/app',
    });
    expect(p.runDetails.metadata).toEqual({ finishedOn: '2026-11-23T10:00:00Z' });
  });

  it('says which field is missing when no CI environment is detected', () => {
    const { builderId: _id, ...rest } = flags;
    const err = vouchErrorOf(() => buildSlsaProvenance(readCiEnvironment({}), rest, NOW));
    expect(err.field).toBe('builderId');
    expect(err.hint).toBe('no CI environment detected: give it explicitly');
  });

  it('rejects malformed values with USAGE', () => {
    const bad: Record<string, string>[] = [
      { ref: 'main' },
      { commit: 'abc123' },
      { repository: 'git@github.com:acme/app.git' },
      { repository: 'ftp://example.com/app' },
      { builderId: 'not a uri' },
      { finishedOn: 'yesterday' },
      { startedOn: '2026-11-23T11:00:00Z', finishedOn: '2026-11-23T10:00:00Z' },
    ];
    for (const override of bad) {
      expect(
        () => buildSlsaProvenance(readCiEnvironment({}), { ...flags, ...override }, NOW),
        JSON.stringify(override),
      ).toThrowWithCode('USAGE');
    }
  });
});
