/**
 * An overall deadline with its abort signal, optionally tied to a caller's signal. Every
 * request and every retry wait is bounded by it, so an operation ends by `at`, never later.
 */
export class Deadline {
  readonly at: number;
  readonly signal: AbortSignal;

  private constructor(at: number, signal: AbortSignal) {
    this.at = at;
    this.signal = signal;
  }

  static after(ms: number, parent?: AbortSignal): Deadline {
    const own = AbortSignal.timeout(Math.max(0, ms));
    return new Deadline(
      Date.now() + ms,
      parent === undefined ? own : AbortSignal.any([own, parent]),
    );
  }

  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** The signal for one request: the deadline, or the request timeout if sooner. */
  requestSignal(requestTimeoutMs: number): AbortSignal {
    return AbortSignal.any([this.signal, AbortSignal.timeout(requestTimeoutMs)]);
  }
}
