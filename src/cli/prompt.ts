import { createInterface, type Interface } from 'node:readline';
import { VouchError } from '../errors.js';

export interface Choice<T> {
  /** Answers that pick it: a shortcut letter and the full word, say. */
  readonly answers: readonly string[];
  readonly value: T;
}

/**
 * Line-by-line questions over injected streams: questions go to `write` (standard error, so
 * standard output stays the signed document), answers come from `input` one line each. With
 * a terminal the line discipline echoes what is typed; with a pipe, lines are read as given.
 */
export class Prompter {
  private readonly rl: Interface;
  private readonly pending: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;

  constructor(
    input: NodeJS.ReadableStream,
    private readonly write: (text: string) => void,
  ) {
    this.rl = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
    this.rl.on('line', (line) => this.deliver(line));
    this.rl.on('close', () => {
      this.ended = true;
      this.deliver(undefined);
    });
  }

  /** Asks a question and resolves to the trimmed answer; the input ending is an error. */
  async ask(question: string): Promise<string> {
    this.write(question);
    const queued = this.pending.shift();
    const line =
      queued ??
      (this.ended
        ? undefined
        : await new Promise<string | undefined>((resolve) => {
            this.waiting = resolve;
          }));
    if (line === undefined) {
      throw new VouchError('USAGE', 'input ended before the review was complete: nothing written', {
        hint: 'answer every question, or pass --decision to review without questions',
      });
    }
    return line.trim();
  }

  /** Asks until one of the choices is answered (case-insensitive). */
  async choose<T>(question: string, choices: readonly Choice<T>[]): Promise<T> {
    for (;;) {
      const answer = (await this.ask(question)).toLowerCase();
      const picked = choices.find((c) => c.answers.includes(answer));
      if (picked !== undefined) return picked.value;
      this.write(`  please answer ${choices.map((c) => c.answers[0]).join(', ')}\n`);
    }
  }

  close(): void {
    this.rl.close();
  }

  private deliver(line: string | undefined): void {
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting(line);
    } else if (line !== undefined) {
      this.pending.push(line);
    }
  }
}
