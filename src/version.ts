import { readFileSync } from 'node:fs';

/**
 * Vouch's version. package.json is the one source of truth: it sits one level above src/ and
 * dist/ alike (the CLI bundle inlines it at build time).
 */
export const VOUCH_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
