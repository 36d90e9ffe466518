import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { OUTPUT_FORMATS, type OutputFormat } from '../../attestation/produce.js';
import { buildStatement } from '../../attestation/statement.js';
import type { PrivateKey } from '../../crypto/keys.js';
import { parseRfc3339 } from '../../encoding/rfc3339.js';
import { VouchError } from '../../errors.js';
import { summarizeDecision } from '../../evidence/decision-summary.js';
import type { Decision } from '../../policy/decision.js';
import { explainDecision } from '../../policy/explain.js';
import { VSA_PREDICATE_TYPE } from '../../predicates/verification-summary.js';
import { parseReference, pinned } from '../../sources/oci/reference.js';
import { imageDigest } from '../../sources/oci/registry-source.js';
import { readPolicyFile } from '../../sources/policy-file.js';
import { artifactSubject } from '../../sources/subject-arg.js';
import { type Verification, verify } from '../../verify.js';
import { VOUCH_VERSION } from '../../version.js';
import type { Wrap } from '../action.js';
import { attestationSources } from '../attestation-input.js';
import { cliRegistry, isOciArtifact, pushAttestation } from '../oci.js';
import { EXIT_DENIED, EXIT_OK, type Io, outputOption, type ReportFormat } from '../output.js';
import { loadSigningKey, type SignedAttestation, writeAttestation } from '../signing.js';

/** verifier.id when --verifier-id is not given. */
export const DEFAULT_VERIFIER_ID = 'https://vouch.dev/verifier/v1';

interface VerifyOptions {
  policy: string;
  artifact: string;
  attestations?: string[];
  plainHttp?: boolean;
  platform?: string[];
  at?: string;
  output: ReportFormat;
  emitVsa?: boolean;
  key?: string;
  passphraseEnv?: string;
  vsaOut?: string;
  vsaFormat: OutputFormat;
  verifierId: string;
  policyUri?: string;
  push?: boolean;
}

export function registerVerify(command: Command, io: Io, wrap: Wrap): void {
  command
    .requiredOption('--policy <file>', 'policy file (YAML or JSON)')
    .requiredOption(
      '--artifact <artifact>',
      'file path, [NAME@]sha256:<hex>, a custom digest such as gce_image_id:<id>, or oci://HOST/REPO(:TAG|@sha256:<hex>) (attestations discovered in the registry)',
    )
    .option(
      '--attestations <path...>',
      'envelopes, bundles, .intoto.jsonl files, OCI image layouts, directories (searched recursively), or - for standard input',
    )
    .option('--plain-http', 'with an oci:// artifact: use http:// (loopback registries only)')
    .option(
      '--platform <platform...>',
      'with an oci:// image index: platform manifests (os/arch[/variant], repeatable, or all) that must also be allowed',
    )
    .option('--at <time>', 'evaluation time, RFC 3339 (default: now)')
    .addOption(outputOption())
    .option(
      '--emit-vsa',
      'also sign the decision as a SLSA verification summary (PASSED or FAILED)',
    )
    .option('--key <file>', 'with --emit-vsa: the verifier private key (PEM)')
    .option('--passphrase-env <var>', 'environment variable holding the key passphrase')
    .option(
      '--vsa-out <file>',
      'write the VSA here (atomically); without it the VSA goes to standard output and the decision to standard error',
    )
    .addOption(
      new Option('--vsa-format <format>', 'VSA format: DSSE envelope or Sigstore bundle')
        .choices(OUTPUT_FORMATS)
        .default('dsse'),
    )
    .option('--verifier-id <uri>', 'verifier.id of the VSA', DEFAULT_VERIFIER_ID)
    .option(
      '--policy-uri <uri>',
      'policy.uri of the VSA (default: the policy file name, without its directory)',
    )
    .option(
      '--push',
      'with --emit-vsa and an oci:// artifact: also store the VSA as a referrer of the verified image',
    )
    .action(
      wrap(async (opts: VerifyOptions) => {
        const at = evaluationTime(opts.at);
        // Configuration first: a broken policy or signing key is exit 2 whatever the
        // attestations are, and nothing is printed that the VSA would then not back.
        const { policy } = readPolicyFile(opts.policy);
        const key = vsaSigningKey(opts);
        const oci = isOciArtifact(opts.artifact);
        if (!oci && opts.plainHttp === true) {
          throw new VouchError('USAGE', '--plain-http is only used with an oci:// artifact');
        }
        if (!oci && opts.push === true) {
          throw new VouchError('USAGE', '--push is only used with an oci:// artifact', {
            hint: 'write the VSA to a file with --vsa-out',
          });
        }
        if (!oci && opts.attestations === undefined) {
          throw new VouchError(
            'USAGE',
            "required option '--attestations <path...>' not specified",
            {
              hint: 'name the attestation files or directories',
            },
          );
        }
        const registry = oci ? await cliRegistry(io, opts.plainHttp === true) : undefined;
        let verification: Verification;
        try {
          verification = await verify({
            policy,
            artifact: opts.artifact,
            sources: attestationSources(opts.attestations ?? [], io),
            at,
            ...(registry === undefined ? {} : { registry }),
            ...(opts.platform === undefined ? {} : { platforms: platformsOf(opts.platform) }),
          });
        } finally {
          registry?.close();
        }
        const { decision, examined } = verification;
        const report =
          opts.output === 'json'
            ? `${JSON.stringify(decision, null, 2)}\n`
            : explainDecision(decision);
        if (key === undefined) {
          io.out(report);
        } else if (Object.keys(decision.artifact.digest).length === 0) {
          // Nothing to sign for: the artifact was never resolved to a digest.
          io.out(report);
          io.err('vouch: no verification summary: the artifact could not be resolved\n');
        } else {
          // A relative reference by default: an absolute file: URL would publish local paths.
          const policyRef = {
            uri: opts.policyUri ?? encodeURIComponent(basename(opts.policy)),
            digest: policy.digest,
          };
          const digests = examined.map((d) => d.attestation);
          const vsa = emitVsa(opts, key, decision, policyRef, digests, io);
          // The VSA owns standard output when it has no other destination.
          (opts.vsaOut === undefined && opts.push !== true ? io.err : io.out)(report);
          // After the decision is out: a failed push is an error (exit 2), never another decision.
          if (opts.push === true) await pushVsa(opts, decision, vsa, io);
        }
        return decision.allowed ? EXIT_OK : EXIT_DENIED;
      }),
    );
}

/** `--platform all` alone selects every platform; otherwise each value names one. */
function platformsOf(values: readonly string[]): 'all' | readonly string[] {
  if (!values.includes('all')) return values;
  if (values.length > 1) {
    throw new VouchError('USAGE', '--platform all selects every platform: give it alone');
  }
  return 'all';
}

/** The verifier key, loaded before anything is decided; --key and --emit-vsa go together. */
function vsaSigningKey(opts: VerifyOptions): PrivateKey | undefined {
  if (opts.emitVsa !== true) {
    const stray = Object.entries(VSA_ONLY).find(
      ([o]) => opts[o as keyof typeof VSA_ONLY] !== undefined,
    );
    if (stray !== undefined) {
      throw new VouchError('USAGE', `${stray[1]} is only used with --emit-vsa`, {
        hint: 'add --emit-vsa to sign the decision as a verification summary',
      });
    }
    return undefined;
  }
  if (opts.key === undefined) {
    throw new VouchError('USAGE', '--emit-vsa needs --key, the verifier private key', {
      hint: 'create one with `vouch keygen --out verifier`',
    });
  }
  return loadSigningKey({
    key: opts.key,
    ...(opts.passphraseEnv === undefined ? {} : { passphraseEnv: opts.passphraseEnv }),
  });
}

/** Signs the decision as a SLSA verification summary whose subject is the artifact. */
function emitVsa(
  opts: VerifyOptions,
  key: PrivateKey,
  decision: Decision,
  policy: { uri: string; digest: { sha256: string } },
  examined: readonly string[],
  io: Io,
): SignedAttestation {
  const predicate = summarizeDecision(decision, {
    verifierId: opts.verifierId,
    verifierVersion: { vouch: VOUCH_VERSION },
    policy,
    examined,
  });
  const statement = buildStatement(
    [artifactSubject(decision.artifact)],
    VSA_PREDICATE_TYPE,
    predicate,
  );
  const signed = writeAttestation(
    {
      ...(opts.vsaOut === undefined ? {} : { out: opts.vsaOut }),
      format: opts.vsaFormat,
      stdout: opts.push !== true,
    },
    statement,
    key,
    io,
  );
  io.err(`verification summary: ${predicate.verificationResult}\n`);
  return signed;
}

/** Stores the VSA as a referrer of the image the decision is about (its resolved digest). */
async function pushVsa(
  opts: VerifyOptions,
  decision: Decision,
  vsa: SignedAttestation,
  io: Io,
): Promise<void> {
  const digest = imageDigest(decision.artifact);
  if (digest === undefined) throw new Error('a resolved image has a sha256 or sha512 digest');
  const registry = await cliRegistry(io, opts.plainHttp === true);
  try {
    await pushAttestation(
      registry,
      pinned(parseReference(opts.artifact), digest),
      vsa,
      opts.vsaFormat,
      io,
    );
  } finally {
    registry.close();
  }
}

/** Options that mean something only for the VSA (those with defaults cannot be told apart). */
const VSA_ONLY = {
  key: '--key',
  passphraseEnv: '--passphrase-env',
  vsaOut: '--vsa-out',
  policyUri: '--policy-uri',
  push: '--push',
} as const;

/** `--at` as a Date; the CLI is where the clock is read (the core takes time as input). */
export function evaluationTime(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const at = parseRfc3339(text);
  if (at === undefined) {
    throw new VouchError('USAGE', `--at ${JSON.stringify(text)} is not an RFC 3339 time`, {
      hint: 'e.g. --at 2026-11-23T10:00:00Z',
    });
  }
  return at;
}
