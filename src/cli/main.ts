import { Command, CommanderError } from 'commander';
import { actionWrapper } from './action.js';
import { registerAttest } from './commands/attest.js';
import { registerDigest } from './commands/digest.js';
import { registerInspect } from './commands/inspect.js';
import { registerKeygen } from './commands/keygen.js';
import { registerPolicy } from './commands/policy.js';
import { registerProvenance } from './commands/provenance.js';
import { registerReview } from './commands/review.js';
import { registerScan } from './commands/scan.js';
import { registerVerify } from './commands/verify.js';
import { registerVerifyEnvelope } from './commands/verify-envelope.js';
import { type Io, processIo, reportError } from './output.js';
import { jsonRequested, rejectRepeatedOptions, usageError } from './usage.js';

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('vouch')
    .description('fail-closed supply-chain policy engine for signed in-toto attestations')
    .option('--debug', 'print stack traces for errors')
    .exitOverride()
    // Parser errors are reported by main() as one coded line; help asked for goes to stdout.
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: () => {},
      outputError: () => {},
    });
  const wrap = actionWrapper(io, setExit);
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
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
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
