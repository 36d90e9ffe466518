import { Command, CommanderError } from 'commander';
import { VOUCH_VERSION } from '../version.js';
import { actionWrapper, type Wrap } from './action.js';
import { type Io, processIo, reportError } from './output.js';
import { jsonRequested, rejectRepeatedOptions, usageError } from './usage.js';

/** Adds one command (its options, help and action) to the program. */
export type Registrar = (program: Command, io: Io, wrap: Wrap) => void;

// A CI gate starts Vouch as a fresh process for each check, so a command loads only its own
// module and dependencies (the CLI bundle splits at these imports; see scripts/build.mjs).
// Listed in help order.
const COMMANDS: ReadonlyMap<string, () => Promise<Registrar>> = new Map([
  ['keygen', async () => (await import('./commands/keygen.js')).registerKeygen],
  ['digest', async () => (await import('./commands/digest.js')).registerDigest],
  ['attest', async () => (await import('./commands/attest.js')).registerAttest],
  ['inspect', async () => (await import('./commands/inspect.js')).registerInspect],
  [
    'verify-envelope',
    async () => (await import('./commands/verify-envelope.js')).registerVerifyEnvelope,
  ],
  ['provenance', async () => (await import('./commands/provenance.js')).registerProvenance],
  ['scan', async () => (await import('./commands/scan.js')).registerScan],
  ['review', async () => (await import('./commands/review.js')).registerReview],
  ['verify', async () => (await import('./commands/verify.js')).registerVerify],
  ['policy', async () => (await import('./commands/policy.js')).registerPolicy],
  ['pull', async () => (await import('./commands/pull.js')).registerPull],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['trust', async () => (await import('./commands/trust.js')).registerTrust],
]);

/**
 * The commands argv needs: the one it names, or all of them (for help, for an unknown name to
 * be reported against the full list).
 */
async function registrarsFor(argv: readonly string[]): Promise<Registrar[]> {
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const named = name === undefined ? undefined : COMMANDS.get(name);
  const loaders = named === undefined ? [...COMMANDS.values()] : [named];
  return Promise.all(loaders.map((load) => load()));
}

export function buildProgram(
  io: Io,
  setExit: (code: number) => void,
  registrars: readonly Registrar[],
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
  for (const register of registrars) register(program, io, wrap);
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
    await registrarsFor(argv),
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
