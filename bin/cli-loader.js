// Loads the CLI bundle (dist/bin/vouch.cjs) with V8's code cache for it (dist/bin/vouch.code-cache),
// both made by `npm run build` (scripts/build.mjs). The cache holds the bytecode V8 compiled
// while the build ran common commands, so a fresh process skips most parsing and compiling
// (docs/architecture.md, "Start-up"). V8 checks the cache against the bundle and its own
// version and flags, and ignores one that does not match: the CLI then compiles as usual.
// The cache ships beside the code it caches, with the same trust, and is never written here.
// CommonJS, as bin/vouch.js (bin/package.json): Node starts a CommonJS entry point sooner.
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const DIST_BIN = join(__dirname, '..', 'dist', 'bin');
const BUNDLE = join(DIST_BIN, 'vouch.cjs');
const CODE_CACHE = join(DIST_BIN, 'vouch.code-cache');

/**
 * The bundle's exports, and the compiled script (the build creates the cache from it).
 * `useCache: false` compiles from source.
 */
function loadCli({ useCache = true } = {}) {
  const source = readFileSync(BUNDLE, 'utf8');
  const cachedData = useCache ? readCache() : undefined;
  // The CommonJS wrapper, on the bundle's first line so that stack traces keep its lines.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    { filename: BUNDLE, ...(cachedData === undefined ? {} : { cachedData }) },
  );
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, createRequire(BUNDLE), bundle, BUNDLE, DIST_BIN);
  return { main: bundle.exports.main, script };
}

function readCache() {
  try {
    return readFileSync(CODE_CACHE);
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }
}

exports.BUNDLE = BUNDLE;
exports.CODE_CACHE = CODE_CACHE;
exports.loadCli = loadCli;
