import { Command, CommanderError } from 'commander';
import { VOUCH_VERSION } from '../version.js';
import { EXIT_ERROR, type Io, processIo, reportError } from './output.js';

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
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();
  const wrap: Wrap =
    <A extends unknown[]>(action: (...args: A) => Promise<number> | number) =>
    async (...args: A): Promise<void> => {
      try {
        setExit(await action(...args));
      } catch (err) {
        setExit(reportError(io, err, program.opts<{ debug?: boolean }>().debug === true));
      }
    };
  for (const register of registrars) register(program, io, wrap);
  return program;
}

export type Wrap = <A extends unknown[]>(
  action: (...args: A) => Promise<number> | number,
) => (...args: A) => Promise<void>;

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    await registrarsFor(argv),
  );
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; any other parse failure is a usage error.
      return err.exitCode === 0 ? 0 : EXIT_ERROR;
    }
    return reportError(io, err, argv.includes('--debug'));
  }
  return code;
}
