// Loads the CLI bundle (dist/bin/vouch.cjs) with V8's code cache for it (dist/bin/vouch.code-cache),
// both made by `npm run build` (scripts/build.mjs). The cache holds the bytecode V8 compiled
// while the build ran common commands, so a fresh process skips most parsing and compiling
// (docs/architecture.md, "Start-up"). V8 checks the cache against the bundle and its own
// version and flags, and ignores one that does not match: the CLI then compiles as usual.
// The cache ships beside the code it caches, with the same trust, and is never written here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/bin/vouch.cjs', import.meta.url));
export const CODE_CACHE = fileURLToPath(new URL('../dist/bin/vouch.code-cache', import.meta.url));

/**
 * The bundle's exports, and the compiled script (the build creates the cache from it).
 * `useCache: false` compiles from source.
 */
export function loadCli({ useCache = true } = {}) {
  const source = readFileSync(BUNDLE, 'utf8');
  const cachedData = useCache ? readCache() : undefined;
  // The CommonJS wrapper, on the bundle's first line so that stack traces keep its lines.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    { filename: BUNDLE, ...(cachedData === undefined ? {} : { cachedData }) },
  );
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { main: module.exports.main, script };
}

function readCache() {
  try {
    return readFileSync(CODE_CACHE);
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }
}
