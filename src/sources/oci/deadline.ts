/**
 * An overall deadline with its abort signal, optionally tied to a caller's signal. Every
 * request and every retry wait is bounded by it, so an operation ends by `at`, never later.
 */
export class Deadline {
  readonly at: number;
  readonly #parent: AbortSignal | undefined;
  #signal: AbortSignal | undefined;

  private constructor(at: number, parent: AbortSignal | undefined) {
    this.at = at;
    this.#parent = parent;
  }

  static after(ms: number, parent?: AbortSignal): Deadline {
    return new Deadline(Date.now() + ms, parent);
  }

  /**
   * Aborts at `at` or with the parent. Made on first use: a verification answered from caches
   * sends no request, and a timer and a combined signal per image (each kept alive until it
   * fires) were most of a busy webhook's garbage.
   */
  get signal(): AbortSignal {
    if (this.#signal === undefined) {
      // First used after `at`: already aborted, not on the next timer tick.
      const left = this.remaining();
      const own =
        left === 0
          ? AbortSignal.abort(new DOMException('the deadline passed', 'TimeoutError'))
          : AbortSignal.timeout(left);
      this.#signal = this.#parent === undefined ? own : AbortSignal.any([own, this.#parent]);
    }
    return this.#signal;
  }

  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** The signal for one request: the deadline, or the request timeout if sooner. */
  requestSignal(requestTimeoutMs: number): AbortSignal {
    return AbortSignal.any([this.signal, AbortSignal.timeout(requestTimeoutMs)]);
  }
}
