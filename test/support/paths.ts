import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { HAVE_VECTORS, VECTORS } from './vectors.js';

export { REPO, VECTORS } from './vectors.js';

/**
 * A suite that reads the vectors. Without them it is one skipped test, and its body (which may
 * read vectors while collecting) never runs.
 */
export function describeWithVectors(name: string, body: () => void): void {
  if (HAVE_VECTORS) describe(name, body);
  else describe.skip(name, () => it('needs the shared vectors', () => {}));
}

/** A test that reads the vectors, skipped without them. */
export const itWithVectors = it.skipIf(!HAVE_VECTORS);

export const vector = (...parts: string[]): string => join(VECTORS, ...parts);

/** Reads a vector file as text. */
export const vectorText = (...parts: string[]): string => readFileSync(vector(...parts), 'utf8');

/**
 * Reads a trusted JSON vector index (cases.json and the like) typed as the test declares it;
 * the documents under test themselves always go through Vouch's strict parsers.
 */
export const vectorJson = <T>(...parts: string[]): T => JSON.parse(vectorText(...parts)) as T;
