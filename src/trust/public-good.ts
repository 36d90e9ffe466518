import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VouchError } from '../errors.js';
import { parseTrustedRoot, type TrustRoot } from './trusted-root.js';

/** How messages and `vouch trust show` name the shipped root. */
export const PUBLIC_GOOD_SOURCE = 'sigstore public-good (shipped with Vouch)';

// The snapshot ships as package data at src/trust/public-good/trusted_root.json. This module
// runs from src/trust/ (tests) or from the build output below dist/, so the package root is
// found by walking up a bounded number of directories.
const RELATIVE = join('src', 'trust', 'public-good', 'trusted_root.json');
const MAX_LEVELS = 6;

let cached: TrustRoot | undefined;

/** The Sigstore public-good trusted root shipped inside the package: works offline. */
export function publicGoodRoot(): TrustRoot {
  cached ??= parseTrustedRoot(readFileSync(publicGoodRootPath()), PUBLIC_GOOD_SOURCE);
  return cached;
}

/** Where the shipped root lives on disk. */
export function publicGoodRootPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < MAX_LEVELS; level++) {
    const candidate = join(dir, RELATIVE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new VouchError('INTERNAL', `the shipped trusted root ${RELATIVE} is missing`, {
    hint: 'reinstall Vouch',
  });
}
