import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './paths.js';

/** The CLI as users run it: bin/vouch.js over the compiled dist/. */
export const VOUCH_BIN = join(REPO, 'bin', 'vouch.js');

/** Fails (never skips) when dist/ is missing: `npm test` builds it, `npm run build` too. */
export function assertBuilt(): void {
  if (!existsSync(join(REPO, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before running the spawned CLI tests');
  }
}
