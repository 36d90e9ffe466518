import { toUtcTimestamp, utcTimestampArg } from '../encoding/rfc3339.js';
import { VouchError } from '../errors.js';
import { CI_SOURCES, type CiFacts, type CiField, type CiSystem } from './ci-environment.js';

/** github-actions-buildtypes workflow/v1, served by GitHub under actions.github.io. */
export const GITHUB_WORKFLOW_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
/** Vouch-defined: a GitLab CI job; externalParameters.workflow as for GitHub. */
export const GITLAB_CI_BUILD_TYPE = 'https://vouch.dev/buildtypes/gitlab-ci/v1';
/** Vouch-defined: a build described by flags alone. */
export const GENERIC_BUILD_TYPE = 'https://vouch.dev/buildtypes/generic/v1';

const DEFAULT_BUILD_TYPES: Readonly<Record<CiSystem, string>> = {
  github: GITHUB_WORKFLOW_BUILD_TYPE,
  gitlab: GITLAB_CI_BUILD_TYPE,
  generic: GENERIC_BUILD_TYPE,
};

// workflow/v1 "Only the following event types are supported" (MUST NOT be used for others).
const GITHUB_WORKFLOW_EVENTS = new Set(['create', 'release', 'push', 'workflow_dispatch']);

/** Values given on the command line; each overrides what the CI environment says. */
export interface ProvenanceFlags {
  readonly builderId?: string;
  readonly buildType?: string;
  readonly repository?: string;
  readonly ref?: string;
  readonly commit?: string;
  readonly workflow?: string;
  readonly runId?: string;
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

/** The input field (a key of ProvenanceFlags) that supplies each CI fact. */
const FIELDS: Readonly<Record<CiField, keyof ProvenanceFlags>> = {
  builderId: 'builderId',
  repository: 'repository',
  ref: 'ref',
  commit: 'commit',
  workflowPath: 'workflow',
  runId: 'runId',
};

/** A SLSA provenance v1 predicate (slsa.dev/spec/v1.0/provenance). */
export type SlsaProvenancePredicate = {
  readonly buildDefinition: {
    readonly buildType: string;
    readonly externalParameters: {
      readonly workflow: {
        readonly ref: string;
        readonly repository: string;
        readonly path?: string;
      };
      readonly inputs?: Readonly<Record<string, unknown>>;
    };
    readonly internalParameters?: Readonly<Record<string, unknown>>;
    readonly resolvedDependencies: readonly {
      readonly uri: string;
      readonly digest: { readonly gitCommit: string };
    }[];
  };
  readonly runDetails: {
    readonly builder: { readonly id: string };
    readonly metadata: {
      readonly invocationId?: string;
      readonly startedOn?: string;
      readonly finishedOn: string;
    };
  };
};

/**
 * Merges flags over CI facts and builds the SLSA provenance v1 predicate. Every build type
 * records `externalParameters.workflow` {repository, ref, path}, so one policy condition on
 * the source repository works for GitHub, GitLab and flag-described builds alike.
 */
export function buildSlsaProvenance(
  ci: CiFacts,
  flags: ProvenanceFlags,
  now: Date,
): SlsaProvenancePredicate {
  const pick = (flag: string | undefined, fromCi: string | undefined) =>
    flag !== undefined && flag !== '' ? flag : fromCi;
  const required = (field: CiField, value: string | undefined): string => {
    if (value !== undefined && value !== '') return value;
    const variables = CI_SOURCES[ci.system][field];
    throw new VouchError('USAGE', `missing ${FIELDS[field]}`, {
      field: FIELDS[field],
      hint:
        variables === undefined
          ? 'no CI environment detected: give it explicitly'
          : `give it explicitly or set ${variables}`,
    });
  };

  const buildType = flags.buildType ?? DEFAULT_BUILD_TYPES[ci.system];
  expectUri(buildType, 'buildType');
  if (
    buildType === GITHUB_WORKFLOW_BUILD_TYPE &&
    ci.system === 'github' &&
    ci.event !== undefined &&
    !GITHUB_WORKFLOW_EVENTS.has(ci.event)
  ) {
    throw new VouchError('USAGE', `the workflow/v1 build type does not cover ${ci.event} events`, {
      field: 'buildType',
      hint: 'build releases on push, create, release or workflow_dispatch, or give another build type',
    });
  }
  const builderId = required('builderId', pick(flags.builderId, ci.builderId));
  expectUri(builderId, 'builderId');
  const repository = normaliseRepository(
    required('repository', pick(flags.repository, ci.repository)),
  );
  const ref = required('ref', pick(flags.ref, ci.ref));
  if (!ref.startsWith('refs/')) {
    throw new VouchError('USAGE', `${ref} is not a full git ref`, {
      field: 'ref',
      hint: 'use refs/heads/<branch> or refs/tags/<tag>',
    });
  }
  const commit = required('commit', pick(flags.commit, ci.commit)).toLowerCase();
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) {
    throw new VouchError('USAGE', `${commit} is not a 40 or 64 digit hex commit id`, {
      field: 'commit',
    });
  }
  const pathValue = pick(flags.workflow, ci.workflowPath);
  // workflow/v1: "All external parameters are REQUIRED unless empty".
  const path = ci.system === 'generic' ? pathValue : required('workflowPath', pathValue);
  const invocationId = invocationIdFor(ci, repository, flags.runId);
  const finishedOn = timestamp(flags.finishedOn, 'finishedOn') ?? toUtcTimestamp(now);
  const startedOn =
    timestamp(flags.startedOn, 'startedOn') ?? timestamp(ci.startedOn, 'CI_JOB_STARTED_AT');
  if (startedOn !== undefined && Date.parse(startedOn) > Date.parse(finishedOn)) {
    throw new VouchError(
      'USAGE',
      `the build started (${startedOn}) after it finished (${finishedOn})`,
      { field: 'startedOn' },
    );
  }

  const internal = dropEmpty(ci.internalParameters);
  return {
    buildDefinition: {
      buildType,
      externalParameters: {
        ...(ci.inputs === undefined ? {} : { inputs: ci.inputs }),
        workflow: { ref, repository, ...(path === undefined ? {} : { path }) },
      },
      ...(internal === undefined ? {} : { internalParameters: internal }),
      // workflow/v1: the resolved git commit, uri "git+" + repository + "@" + ref.
      resolvedDependencies: [{ uri: `git+${repository}@${ref}`, digest: { gitCommit: commit } }],
    },
    runDetails: {
      builder: { id: builderId },
      metadata: {
        ...(invocationId === undefined ? {} : { invocationId }),
        ...(startedOn === undefined ? {} : { startedOn }),
        finishedOn,
      },
    },
  };
}

function invocationIdFor(
  ci: CiFacts,
  repository: string,
  runId: string | undefined,
): string | undefined {
  if (runId === undefined || runId === '') return ci.invocationId;
  switch (ci.system) {
    case 'github':
      return `${repository}/actions/runs/${runId}/attempts/${ci.runAttempt ?? '1'}`;
    case 'gitlab':
      return `${repository}/-/jobs/${runId}`;
    case 'generic':
      return runId;
    default: {
      const never: never = ci.system;
      throw new Error(`unknown CI system ${String(never)}`);
    }
  }
}

/** workflow/v1: "HTTPS URI of the git repository ... without .git suffix". */
function normaliseRepository(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new VouchError('USAGE', `${value} is not a URL`, {
      field: 'repository',
      hint: 'e.g. https://github.com/acme/app',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new VouchError('USAGE', `${value} is not an https URL`, {
      field: 'repository',
      hint: 'e.g. https://github.com/acme/app',
    });
  }
  return value.replace(/\/+$/, '').replace(/\.git$/, '');
}

// TypeURI / ResourceURI: a scheme, then anything.
function expectUri(value: string, field: keyof ProvenanceFlags): void {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value)) {
    throw new VouchError('USAGE', `${JSON.stringify(value)} is not a URI`, { field });
  }
}

function timestamp(value: string | undefined, field: string): string | undefined {
  return value === undefined || value === '' ? undefined : utcTimestampArg(value, field);
}

/** Internal parameters without empty groups (a runner block when no RUNNER_* is set). */
function dropEmpty(
  params: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> | undefined {
  if (params === undefined) return undefined;
  const kept = Object.entries(params).filter(
    ([, v]) => !(typeof v === 'object' && v !== null && Object.keys(v).length === 0),
  );
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}
