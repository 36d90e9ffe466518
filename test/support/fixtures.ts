import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { VouchError } from '../../src/errors.js';
import { REPO } from './paths.js';

/** Path of a file under test/fixtures. */
export const fixture = (...parts: string[]): string => join(REPO, 'test', 'fixtures', ...parts);

export const readFixture = (...parts: string[]): Buffer => readFileSync(fixture(...parts));

/**
 * Runs `fn` and returns the VouchError it throws, failing the test if it throws anything else:
 * for tests that read its message, hint or field. A code (and path) alone is asserted with
 * `expect(fn).toThrowWithCode(code, path)` (matchers.ts).
 */
export function vouchErrorOf(fn: () => unknown): VouchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VouchError);
    return err as VouchError;
  }
  throw new Error('expected a VouchError, nothing was thrown');
}
