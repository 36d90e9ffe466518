import { statSync } from 'node:fs';

/**
 * Polls files for changes (stat follows symlinks, so a Kubernetes ConfigMap or Secret update,
 * which swaps a symlink, is seen like an edit). `onChange` runs once per tick with a change.
 */
export class FileWatch {
  #files: readonly string[];
  #seen: string;
  readonly #timer: NodeJS.Timeout;

  constructor(files: readonly string[], interval: number, onChange: () => void) {
    this.#files = files;
    this.#seen = this.#signature();
    this.#timer = setInterval(() => {
      const now = this.#signature();
      if (now === this.#seen) return;
      this.#seen = now;
      onChange();
    }, interval);
    this.#timer.unref();
  }

  /** Watches another set of files from now on (after a reload names new ones). */
  setFiles(files: readonly string[]): void {
    this.#files = files;
    this.#seen = this.#signature();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #signature(): string {
    return this.#files
      .map((f) => {
        try {
          const s = statSync(f, { bigint: true });
          return `${f}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
        } catch {
          return `${f}:missing`;
        }
      })
      .join('\n');
  }
}
