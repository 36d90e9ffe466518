import { type Command, Option } from 'commander';
import { attestationDigest } from '../../attestation/envelope.js';
import { VouchError } from '../../errors.js';
import { evaluatePolicy } from '../../policy/evaluate.js';
import { explainDecision } from '../../policy/explain.js';
import { parseRfc3339 } from '../../predicates/timestamps.js';
import { type RawDocument, readDocuments } from '../../sources/local.js';
import { loadPolicyFile } from '../../sources/policy-file.js';
import { resolveArtifactArg } from '../../sources/subject-arg.js';
import type { Wrap } from '../main.js';
import { EXIT_DENIED, EXIT_OK, type Io } from '../output.js';

const OUTPUTS = ['text', 'json'] as const;

interface VerifyOptions {
  policy: string;
  artifact: string;
  attestations: string[];
  at?: string;
  output: (typeof OUTPUTS)[number];
}

export function registerVerify(program: Command, io: Io, wrap: Wrap): void {
  program
    .command('verify')
    .description('decide whether a policy allows an artifact, given its attestations')
    .requiredOption('--policy <file>', 'policy file (YAML or JSON)')
    .requiredOption('--artifact <artifact>', 'file path, NAME@sha256:<hex> or sha256:<hex>')
    .requiredOption(
      '--attestations <path...>',
      'envelopes, bundles, .intoto.jsonl files or directories (searched recursively)',
    )
    .option('--at <time>', 'evaluation time, RFC 3339 (default: now)')
    .addOption(new Option('--output <format>', 'output format').choices(OUTPUTS).default('text'))
    .action(
      wrap(async (opts: VerifyOptions) => {
        const at = evaluationTime(opts.at);
        // Configuration first: a broken policy is exit 2 whatever the attestations are.
        const policy = loadPolicyFile(opts.policy);
        const artifact = await resolveArtifactArg(opts.artifact);
        const documents = readDocuments(opts.attestations);
        const decision = evaluatePolicy(policy, { artifact, documents, at });
        io.out(
          opts.output === 'json'
            ? `${JSON.stringify(decision, null, 2)}\n`
            : explainDecision(decision, { origins: originsByDigest(documents) }),
        );
        return decision.allowed ? EXIT_OK : EXIT_DENIED;
      }),
    );
}

/** `--at` as a Date; the CLI is where the clock is read (the core takes time as input). */
export function evaluationTime(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const millis = parseRfc3339(text);
  if (millis === undefined) {
    throw new VouchError('USAGE', `--at ${JSON.stringify(text)} is not an RFC 3339 time`, {
      hint: 'e.g. --at 2026-11-23T10:00:00Z',
    });
  }
  return new Date(millis);
}

export function originsByDigest(documents: readonly RawDocument[]): Map<string, string[]> {
  const origins = new Map<string, string[]>();
  for (const d of documents) {
    const digest = attestationDigest(d.bytes);
    origins.set(digest, [...(origins.get(digest) ?? []), d.origin]);
  }
  return origins;
}
