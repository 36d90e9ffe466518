import { Command } from 'commander';
import { type Io, reportError } from './output.js';

/** Runs a command's action: its exit code, or its error reported as one coded line. */
export type Wrap = <A extends unknown[]>(
  action: (...args: A) => Promise<number> | number,
) => (...args: A) => Promise<void>;

/** The action wrapper every command registers through; `setExit` receives the exit code. */
export function actionWrapper(io: Io, setExit: (code: number) => void): Wrap {
  return (action) =>
    async (...args) => {
      try {
        setExit(await action(...args));
      } catch (err) {
        // commander passes the command last: its options say --debug, --output json and
        // which flag sets a field.
        const command = args.at(-1);
        const opts = command instanceof Command ? command.optsWithGlobals() : {};
        setExit(
          reportError(io, err, {
            debug: opts.debug === true,
            json: opts.output === 'json',
            ...(command instanceof Command ? { flagOf: (f) => flagOf(command, f) } : {}),
          }),
        );
      }
    };
}

/**
 * The flag of `command` that sets a field, matched by commander's own attribute name
 * (`builderId` is `--builder-id`): the one table that maps library fields to flags is the
 * command's option list, so the two cannot drift apart.
 */
export function flagOf(command: Command, field: string): string | undefined {
  for (let c: Command | null = command; c !== null; c = c.parent) {
    const option = c.options.find((o) => o.attributeName() === field);
    if (option?.long !== undefined) return option.long;
  }
  return undefined;
}
