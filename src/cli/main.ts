import { Command, CommanderError } from 'commander';
import { registerAttest } from './commands/attest.js';
import { registerDigest } from './commands/digest.js';
import { registerInspect } from './commands/inspect.js';
import { registerKeygen } from './commands/keygen.js';
import { registerPolicy } from './commands/policy.js';
import { registerProvenance } from './commands/provenance.js';
import { registerReview } from './commands/review.js';
import { registerScan } from './commands/scan.js';
import { registerTrust } from './commands/trust.js';
import { registerVerify } from './commands/verify.js';
import { registerVerifyEnvelope } from './commands/verify-envelope.js';
import { EXIT_ERROR, type Io, processIo, reportError } from './output.js';

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('vouch')
    .description('fail-closed supply-chain policy engine for signed in-toto attestations')
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
  registerKeygen(program, io, wrap);
  registerDigest(program, io, wrap);
  registerAttest(program, io, wrap);
  registerInspect(program, io, wrap);
  registerVerifyEnvelope(program, io, wrap);
  registerProvenance(program, io, wrap);
  registerScan(program, io, wrap);
  registerReview(program, io, wrap);
  registerVerify(program, io, wrap);
  registerPolicy(program, io, wrap);
  registerTrust(program, io, wrap);
  return program;
}

export type Wrap = <A extends unknown[]>(
  action: (...args: A) => Promise<number> | number,
) => (...args: A) => Promise<void>;

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
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
