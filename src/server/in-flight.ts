/** Work in progress by key: a second caller for the same key waits for the first one's. */
export class InFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  /** The running promise for `key`, if any. */
  get(key: string): Promise<T> | undefined {
    return this.#running.get(key);
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running !== undefined) return running;
    const started = work().finally(() => this.#running.delete(key));
    this.#running.set(key, started);
    return started;
  }
}
