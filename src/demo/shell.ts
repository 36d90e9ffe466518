import { join } from 'node:path';
import { main } from '../cli/main.js';

/** Where the demo prints its story. */
export interface DemoOutput {
  out(text: string): void;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  /** Standard output and standard error as they were written, interleaved. */
  readonly transcript: string;
}

export interface RunOptions {
  /** Environment variables the command sees (never the demo process's own). */
  readonly env?: Readonly<Record<string, string>>;
  /** Run without printing the command or its output. */
  readonly quiet?: boolean;
}

/**
 * Runs `vouch` commands the way a user would, through the CLI's own `main()`, in the demo's
 * working directory, and prints each command line and what it wrote. Paths are absolute when
 * run and shown relative to the directory, so the printed commands work after `cd` into it.
 */
export class DemoShell {
  constructor(
    readonly dir: string,
    private readonly output: DemoOutput,
  ) {}

  /** An absolute path inside the demo directory. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Prints a line, paths inside the demo directory shown relative to it. */
  print(text = ''): void {
    this.output.out(`${this.relative(text)}\n`);
  }

  /** Prints a line as is (for the directory's own path). */
  printAbsolute(text: string): void {
    this.output.out(`${text}\n`);
  }

  /** Shows a shell command the demo performs itself (no vouch equivalent), e.g. `rm`. */
  comment(command: string): void {
    this.print(`  $ ${command}`);
  }

  async vouch(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
    const env = options.env ?? {};
    if (options.quiet !== true) {
      this.print(
        commandLine(
          env,
          args.map((a) => this.relative(a)),
        ),
      );
    }
    let stdout = '';
    let transcript = '';
    const code = await main(['node', 'vouch', ...args], {
      out: (s) => {
        stdout += s;
        transcript += s;
      },
      err: (s) => {
        transcript += s;
      },
      env,
      isTerminal: () => false,
    });
    if (options.quiet !== true) this.print(indent(transcript));
    return { code, stdout, transcript };
  }

  private relative(text: string): string {
    return text.replaceAll(`${this.dir}/`, '').replaceAll(this.dir, '.');
  }
}

/**
 * `  $ VAR=… vouch …`, arguments quoted for a POSIX shell; long commands are wrapped between
 * options, each option kept on one line with its values.
 */
function commandLine(env: Readonly<Record<string, string>>, args: readonly string[]): string {
  const groups: string[][] = [];
  for (const [k, v] of Object.entries(env)) groups.push([`${k}=${quote(v)}`]);
  groups.push(['vouch']);
  for (const arg of args) {
    const last = groups[groups.length - 1];
    if (arg.startsWith('--') || last === undefined) groups.push([quote(arg)]);
    else last.push(quote(arg));
  }
  const lines: string[] = [];
  let line = '  $';
  for (const group of groups) {
    const text = group.join(' ');
    if (line.trim() !== '$' && line.length + 1 + text.length > 92) {
      lines.push(`${line} \\`);
      line = '     ';
    }
    line += ` ${text}`;
  }
  lines.push(line);
  return lines.join('\n');
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function indent(text: string): string {
  const trimmed = text.replace(/\n+$/, '');
  return trimmed === '' ? '' : `${trimmed.replace(/^/gm, '    ')}\n`;
}
