import type { Command } from 'commander';
import { buildStatement } from '../../attestation/statement.js';
import { parseStrictJson } from '../../encoding/strict-json.js';
import { readCiEnvironment } from '../../evidence/ci-environment.js';
import { buildSlsaProvenance, type ProvenanceFlags } from '../../evidence/provenance.js';
import { SLSA_PROVENANCE_V1 } from '../../predicates/slsa-provenance.js';
import { resolveSubjects } from '../../sources/subject-arg.js';
import type { Wrap } from '../action.js';
import { readInput } from '../files.js';
import { EXIT_OK, type Io } from '../output.js';
import { addSigningOptions, emitAttestation, type SigningOptions } from '../signing.js';

interface ProvenanceOptions extends SigningOptions, ProvenanceFlags {
  subject: string[];
}

export function registerProvenance(command: Command, io: Io, wrap: Wrap): void {
  addSigningOptions(
    command
      .requiredOption('--subject <subject...>', 'file path, NAME@sha256:<hex> or sha256:<hex>')
      .option('--builder-id <uri>', 'who built it (default: the CI workflow)')
      .option('--build-type <uri>', 'build type URI (default: per CI system)')
      .option('--repository <url>', 'source repository URL')
      .option('--ref <ref>', 'git ref built, e.g. refs/heads/main')
      .option('--commit <sha>', 'git commit built')
      .option('--workflow <path>', 'workflow or pipeline file in the repository')
      .option('--run-id <id>', 'CI run (GitHub) or job (GitLab) id')
      .option('--started-on <time>', 'RFC 3339 time the build started')
      .option('--finished-on <time>', 'RFC 3339 time the build finished (default: now)'),
  ).action(
    wrap(async (opts: ProvenanceOptions) => {
      const env = io.env ?? {};
      // workflow_dispatch inputs are external parameters; GitHub writes them to the event file.
      const eventPath =
        env.GITHUB_EVENT_NAME === 'workflow_dispatch' ? env.GITHUB_EVENT_PATH : undefined;
      const event =
        eventPath === undefined || eventPath === ''
          ? undefined
          : parseStrictJson(readInput(eventPath));
      const ci = readCiEnvironment(env, event);
      const predicate = buildSlsaProvenance(ci, opts, new Date());
      const subject = await resolveSubjects(opts.subject);
      const { workflow } = predicate.buildDefinition.externalParameters;
      const commit = predicate.buildDefinition.resolvedDependencies[0]?.digest.gitCommit ?? '';
      io.err(
        `provenance (${ci.system === 'generic' ? 'no CI detected' : ci.system}): ${workflow.repository} ${workflow.ref} ${commit.slice(0, 12)}, builder ${predicate.runDetails.builder.id}\n`,
      );
      emitAttestation(opts, buildStatement(subject, SLSA_PROVENANCE_V1, predicate), io);
      return EXIT_OK;
    }),
  );
}
