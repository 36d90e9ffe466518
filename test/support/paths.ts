import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Shared conformance vectors, read in place (never copied into the project). */
export const VECTORS = resolve(REPO, '../shared/vectors');

export const vector = (...parts: string[]): string => join(VECTORS, ...parts);

/** Reads a vector file as text. */
export const vectorText = (...parts: string[]): string => readFileSync(vector(...parts), 'utf8');

/**
 * Reads a trusted JSON vector index (cases.json and the like) typed as the test declares it;
 * the documents under test themselves always go through Vouch's strict parsers.
 */
export const vectorJson = <T>(...parts: string[]): T => JSON.parse(vectorText(...parts)) as T;
