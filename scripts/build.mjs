// `npm run build`: the library (tsc: dist/*.js and .d.ts, rootDir src) and the CLI (esbuild: one
// CommonJS bundle, dist/bin/vouch.cjs, and its V8 code cache, loaded by bin/vouch.js through
// bin/cli-loader.js). `node scripts/build.mjs bench` builds the bench.
//
// Why (docs/architecture.md, "Start-up"): a CI gate starts Vouch as a fresh process each time, and
// resolving, parsing and compiling hundreds of module files costs more than the work. One file
// is read at once; a code cache (which Node 20 offers only for scripts, not ES modules) spares
// V8 the parsing and compiling; and each command's modules are evaluated only when it runs
// (esbuild wraps the modules behind src/cli/main.ts's dynamic imports in lazy initialisers).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// The CLI bundle is CommonJS, which has no import.meta: src/trust/public-good.ts finds the
// shipped trusted root from the bundle's own URL.
const importMetaUrl =
  "const __vouchBundleUrl = require('node:url').pathToFileURL(__filename).href;";

// src/version.ts reads package.json beside src/ or dist/; in the bundle it is a constant.
const versionConstant = {
  name: 'version-constant',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
      contents: `export const VOUCH_VERSION = ${JSON.stringify(version)};`,
      loader: 'ts',
    }));
  },
};

// commander loads node:child_process as it loads, only to start executable subcommands, which
// Vouch has none of: the bundle gives it a stand-in that loads the module on first use
// (2 ms of every start).
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'lazy' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents:
        "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

/** Loaded by `vouch serve` only. */
const SERVER_ONLY = ['fastify', 'pino', 'prom-client'];
/** Loaded by `vouch trust refresh` only (TUF and its HTTP stack). */
const TRUST_REFRESH_ONLY = ['@sigstore/tuf'];

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  logLevel: 'warning',
};

async function buildPackage() {
  rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  await build({
    ...common,
    format: 'cjs',
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/bin/vouch.cjs',
    minify: true,
    banner: { js: importMetaUrl },
    define: { 'import.meta.url': '__vouchBundleUrl' },
    // Dependencies of one long-running or rarely run command stay in node_modules, loaded when
    // that command runs: bundled, they would be read on every start (2.5 MB instead of 0.8).
    external: [...SERVER_ONLY, ...TRUST_REFRESH_ONLY],
    plugins: [versionConstant, lazyChildProcessForCommander],
  });
  // A clean environment: the cache records the V8 flags it was made under (NODE_OPTIONS).
  const { NODE_OPTIONS: _, ...env } = process.env;
  execFileSync(process.execPath, ['scripts/train-code-cache.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
}

async function buildBench() {
  await build({
    ...common,
    entryPoints: ['bench/index.ts'],
    outdir: 'build/bench',
    packages: 'external',
    plugins: [versionConstant],
  });
}

// The sigstore-conformance client (conformance/sigstore-client): one file, as the suite starts
// it 140 times.
async function buildConformance() {
  await build({
    ...common,
    entryPoints: ['conformance/verify-bundle.ts'],
    outfile: 'build/conformance/verify-bundle.js',
    packages: 'external',
    plugins: [versionConstant],
  });
}

const target = process.argv[2] ?? 'package';
if (target === 'package') await buildPackage();
else if (target === 'bench') await buildBench();
else if (target === 'conformance') await buildConformance();
else throw new Error(`unknown build target ${target}: package, bench or conformance`);
