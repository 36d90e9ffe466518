import { Command, CommanderError } from 'commander';
import { VOUCH_VERSION } from '../version.js';
import { actionWrapper, type Wrap } from './action.js';
import { type Io, processIo, reportError } from './output.js';
import { jsonRequested, rejectRepeatedOptions, usageError } from './usage.js';

/** Adds a command's arguments, options, subcommands and action to it (named and described here). */
export type Registrar = (command: Command, io: Io, wrap: Wrap) => void;

interface CommandEntry {
  readonly description: string;
  readonly load: () => Promise<Registrar>;
}

// A CI gate starts Vouch as a fresh process for each check, so a command loads only its own
// module and dependencies, and `--help` or `--version` none (the CLI bundle evaluates a module
// at its import; see scripts/build.mjs). Listed in help order.
const COMMANDS: ReadonlyMap<string, CommandEntry> = new Map([
  [
    'keygen',
    {
      description:
        'generate a signing key pair: PREFIX.key (PKCS#8, mode 0600) and PREFIX.pub (SPKI)',
      load: async () => (await import('./commands/keygen.js')).registerKeygen,
    },
  ],
  [
    'digest',
    {
      description: 'print the sha256 digest of a file as sha256:<hex>',
      load: async () => (await import('./commands/digest.js')).registerDigest,
    },
  ],
  [
    'attest',
    {
      description: 'sign an in-toto Statement v1 about one or more subjects',
      load: async () => (await import('./commands/attest.js')).registerAttest,
    },
  ],
  [
    'inspect',
    {
      description: 'show what an envelope or bundle claims, WITHOUT verifying any signature',
      load: async () => (await import('./commands/inspect.js')).registerInspect,
    },
  ],
  [
    'verify-envelope',
    {
      description:
        'low level: check the signatures of DSSE envelopes or Sigstore bundles against keys',
      load: async () => (await import('./commands/verify-envelope.js')).registerVerifyEnvelope,
    },
  ],
  [
    'provenance',
    {
      description:
        'sign SLSA provenance v1 for build outputs, from the CI environment (GitHub Actions, GitLab CI) and flags',
      load: async () => (await import('./commands/provenance.js')).registerProvenance,
    },
  ],
  [
    'scan',
    {
      description: 'vulnerability scan evidence',
      load: async () => (await import('./commands/scan.js')).registerScan,
    },
  ],
  [
    'review',
    {
      description:
        'verify a vulnerability scan attestation, triage its findings and sign the decision (vuln-review/v1)',
      load: async () => (await import('./commands/review.js')).registerReview,
    },
  ],
  [
    'verify',
    {
      description: 'decide whether a policy allows an artifact, given its attestations',
      load: async () => (await import('./commands/verify.js')).registerVerify,
    },
  ],
  [
    'policy',
    {
      description: 'check and test policy files',
      load: async () => (await import('./commands/policy.js')).registerPolicy,
    },
  ],
  [
    'pull',
    {
      description:
        "copy an image's attestations from its registry into an OCI image layout directory",
      load: async () => (await import('./commands/pull.js')).registerPull,
    },
  ],
  [
    'serve',
    {
      description: 'run the Kubernetes admission webhook (docs/kubernetes.md)',
      load: async () => (await import('./commands/serve.js')).registerServe,
    },
  ],
  [
    'trust',
    {
      description: 'Sigstore trusted roots: which are in use, and refreshing one through TUF',
      load: async () => (await import('./commands/trust.js')).registerTrust,
    },
  ],
]);

/**
 * The registrar of the command argv names (`vouch verify ...`, `vouch help verify`), loaded;
 * undefined when it names none (`--version`, `--help`, a mistyped name): then every command is
 * listed by name and description only, which is all the help and the suggestions read.
 */
async function commandFor(
  argv: readonly string[],
): Promise<{ name: string; register: Registrar } | undefined> {
  const [first, second] = argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const name = first === 'help' ? second : first;
  const entry = name === undefined ? undefined : COMMANDS.get(name);
  if (name === undefined || entry === undefined) return undefined;
  return { name, register: await entry.load() };
}

export function buildProgram(
  io: Io,
  setExit: (code: number) => void,
  loaded: { name: string; register: Registrar } | undefined,
): Command {
  const program = new Command('vouch')
    .description('fail-closed supply-chain policy engine for signed in-toto attestations')
    .version(VOUCH_VERSION, '-V, --version', 'print the version of vouch')
    .option('--debug', 'print stack traces for errors')
    .exitOverride()
    // Parser errors are reported by main() as one coded line; help asked for goes to stdout.
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: () => {},
      outputError: () => {},
    });
  const wrap = actionWrapper(io, setExit);
  for (const [name, { description }] of COMMANDS) {
    const command = program.command(name).description(description);
    if (loaded?.name === name) loaded.register(command, io, wrap);
  }
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    await commandFor(argv),
  );
  const args = argv.slice(2);
  const report = { debug: args.includes('--debug'), json: jsonRequested(args) };
  program.hook('preAction', (_program, command) => rejectRepeatedOptions(command, args));
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    // Help and version asked for exit 0; every other parser failure is a USAGE error.
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    const error = err instanceof CommanderError ? usageError(err, program, args) : err;
    return reportError(io, error, report);
  }
  return code;
}
