import { type Command, CommanderError, type Option } from 'commander';
import { VouchError } from '../errors.js';

/**
 * An error of the argument parser as a USAGE error: one line, its suggestion as the hint
 * (DESIGN.md section 4: no help dump). commander words the message; its code says what failed.
 */
export function usageError(
  error: CommanderError,
  program: Command,
  argv: readonly string[],
): VouchError {
  const { path, command, rest } = commandOf(program, argv);
  const help = `see \`${['vouch', ...path, '--help'].join(' ')}\``;
  if (error.code === 'commander.help') {
    // A command group given no subcommand (`vouch`, `vouch policy`) or `help` an unknown one.
    const named = rest.filter((a) => !a.startsWith('-'));
    const unknown = named[0] === 'help' ? named[1] : named[0];
    return new VouchError(
      'USAGE',
      unknown === undefined
        ? `${['vouch', ...path].join(' ')} needs a command`
        : `unknown command '${unknown}'`,
      { hint: help },
    );
  }
  const err =
    error.code === 'commander.missingMandatoryOptionValue'
      ? (unknownOptionError(command, rest) ?? error)
      : error;
  // commander appends its suggestion on a line of its own; argv text may hold newlines too.
  const suggested = /\n\(Did you mean (.*)\?\)$/s.exec(err.message);
  const suggestion = suggested?.[1];
  const message = err.message.slice(0, suggested?.index).replace(/^error: /, '');
  return new VouchError('USAGE', message.replace(/\.$/, ''), {
    hint: suggestion === undefined ? help : `did you mean ${suggestion}?`,
    cause: err,
  });
}

/**
 * commander reports a missing required option before an unknown one, yet `--polcy` is why
 * `--policy` is missing: the unknown option, with its suggestion, is the error to show.
 */
function unknownOptionError(command: Command, rest: readonly string[]): CommanderError | undefined {
  const [flag] = command.parseOptions([...rest]).unknown.filter((a) => a.startsWith('-'));
  const reporter = command as unknown as { unknownOption?: (flag: string) => never };
  if (flag === undefined || typeof reporter.unknownOption !== 'function') return undefined;
  try {
    reporter.unknownOption(flag);
  } catch (err) {
    if (err instanceof CommanderError) return err;
    throw err;
  }
  return undefined;
}

/** The subcommand named at the start of argv (e.g. `policy test`) and the arguments after it. */
function commandOf(
  program: Command,
  argv: readonly string[],
): { path: string[]; command: Command; rest: string[] } {
  const path: string[] = [];
  let command = program;
  const rest = [...argv];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('-')) continue;
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub === undefined) break;
    path.push(arg);
    command = sub;
    rest.splice(i, 1);
    i--;
  }
  return { path, command, rest };
}

/**
 * Whether argv asks for `--output json`, read without the parser (which may have failed):
 * the last `--output` before `--` wins, as it does in the parser.
 */
export function jsonRequested(argv: readonly string[]): boolean {
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (arg === '--output') json = argv[i + 1] === 'json';
    else if (arg?.startsWith('--output=')) json = arg === '--output=json';
  }
  return json;
}

/** Options that may be given more than once besides variadic ones (e.g. `--key` of verify-envelope). */
const REPEATABLE = new WeakSet<Option>();

/** Marks an option as one that collects every occurrence. */
export function repeatable(option: Option): Option {
  REPEATABLE.add(option);
  return option;
}

/**
 * An option given twice is a USAGE error, unless it collects values: commander keeps the last
 * silently, and `--policy strict.yaml --policy lax.yaml` in a CI template and its override must
 * not decide quietly which policy gates a release.
 */
export function rejectRepeatedOptions(command: Command, argv: readonly string[]): void {
  const options = new Map<string, Option>();
  for (let c: Command | null = command; c !== null; c = c.parent) {
    for (const o of c.options)
      if (o.long !== undefined && !options.has(o.long)) options.set(o.long, o);
  }
  const seen = new Map<string, number>();
  for (const arg of argv) {
    if (arg === '--') break;
    const flag = arg.startsWith('--') ? (arg.split('=', 1)[0] ?? arg) : undefined;
    const option = flag === undefined ? undefined : options.get(flag);
    if (option === undefined || option.variadic || REPEATABLE.has(option)) continue;
    const count = (seen.get(option.long ?? '') ?? 0) + 1;
    seen.set(option.long ?? '', count);
    if (count === 2) {
      throw new VouchError('USAGE', `${option.long} is given more than once`, {
        hint: 'give it once: vouch does not pick one of several values',
      });
    }
  }
}
