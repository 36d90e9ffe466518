import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Shared conformance vectors, read in place (never copied into the project). */
export const VECTORS = resolve(REPO, '../shared/vectors');

export const vector = (...parts: string[]): string => join(VECTORS, ...parts);
