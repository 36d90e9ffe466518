import { expect } from 'vitest';
import { type ErrorCode, VouchError } from '../../src/errors.js';

interface CodeMatchers<R = unknown> {
  /**
   * The function throws a VouchError (never a TypeError or a bare Error) with this code and,
   * if given, this path. Under `.rejects`, the promise rejects with such an error.
   */
  toThrowWithCode(code: ErrorCode, path?: string): R;
}

declare module 'vitest' {
  interface Matchers<T> extends CodeMatchers<T> {}
}

expect.extend({
  toThrowWithCode(received: unknown, code: ErrorCode, path?: string) {
    let thrown: unknown;
    let threw = false;
    if (this.promise === 'rejects') {
      // expect(promise).rejects hands the matcher the rejection itself.
      threw = true;
      thrown = received;
    } else if (typeof received !== 'function') {
      return { pass: false, message: () => 'toThrowWithCode expects a function' };
    } else {
      try {
        received();
      } catch (err) {
        threw = true;
        thrown = err;
      }
    }
    if (!threw) {
      return { pass: false, message: () => `expected a VouchError ${code}, nothing was thrown` };
    }
    if (!(thrown instanceof VouchError)) {
      return {
        pass: false,
        message: () => `expected a VouchError ${code}, got ${String(thrown)}`,
      };
    }
    const pass = thrown.code === code && (path === undefined || thrown.path === path);
    const want = path === undefined ? code : `${code} at ${path}`;
    return {
      pass,
      message: () =>
        pass ? `expected not to throw ${want}` : `expected ${want}, got ${thrown.describe()}`,
    };
  },
});
