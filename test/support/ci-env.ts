// Simulated CI environments, injected into commands instead of the real process.env.

/** The variables a GitHub-hosted runner sets for a push to main of octocat/hello-world. */
export const GITHUB_ENV = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'octocat/hello-world',
  GITHUB_REPOSITORY_ID: '1296269',
  GITHUB_REPOSITORY_OWNER_ID: '583231',
  GITHUB_ACTOR_ID: '1234567',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: 'c27d339ee6075c1f744c5d4b200f7901aad2c369',
  GITHUB_WORKFLOW_REF: 'octocat/hello-world/.github/workflow/release.yml@refs/heads/main',
  GITHUB_RUN_ID: '1536140711',
  GITHUB_RUN_ATTEMPT: '1',
  RUNNER_ENVIRONMENT: 'github-hosted',
  RUNNER_OS: 'Linux',
  RUNNER_ARCH: 'X64',
  RUNNER_NAME: 'GitHub Actions 2',
};

/** The predefined variables of a GitLab job for tag v1.4.2 of acme/app. */
export const GITLAB_ENV = {
  CI: 'true',
  GITLAB_CI: 'true',
  CI_SERVER_URL: 'https://gitlab.example.com',
  CI_PROJECT_ID: '42',
  CI_PROJECT_URL: 'https://gitlab.example.com/acme/app',
  CI_COMMIT_REF_NAME: 'v1.4.2',
  CI_COMMIT_TAG: 'v1.4.2',
  CI_COMMIT_SHA: '8d4f1a29c0e9b6f5b3a2e1d0c9b8a7f6e5d4c3b2',
  CI_CONFIG_PATH: '.gitlab-ci.yml',
  CI_PIPELINE_ID: '1001',
  CI_PIPELINE_SOURCE: 'push',
  CI_JOB_ID: '5005',
  CI_JOB_NAME: 'release',
  CI_JOB_URL: 'https://gitlab.example.com/acme/app/-/jobs/5005',
  CI_JOB_STARTED_AT: '2026-11-23T09:55:01Z',
  CI_RUNNER_ID: '7',
};
