import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './paths.js';

/** The CLI as users run it: bin/vouch.js over the bundle in dist/bin (npm run build). */
export const VOUCH_BIN = join(REPO, 'bin', 'vouch.js');

/** What bin/vouch.js loads. */
export const BUILT_CLI = join(REPO, 'dist', 'bin', 'vouch.cjs');

/** Fails (never skips) when dist/ is missing: `npm test` builds it, `npm run build` too. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_CLI)) {
    throw new Error('dist/ is missing: run `npm run build` before running the spawned CLI tests');
  }
}
