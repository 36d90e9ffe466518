// `npm run build`: the library (tsc: dist/*.js and .d.ts, rootDir src) and the CLI (esbuild: one
// bundle in dist/bin, loaded by bin/vouch.js). `node scripts/build.mjs bench` builds the bench.
//
// Why a bundle for the CLI: a CI gate starts Vouch as a fresh process each time, and resolving
// and compiling hundreds of module files costs more than the work. Chunks split at the dynamic
// imports, so a command loads only what it needs (src/cli/main.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Bundled CommonJS dependencies (commander, yaml, @sigstore/*) call require() for Node's
// built-ins; an ES module has no require of its own.
const requireShim =
  "import { createRequire as __vouchRequire } from 'node:module'; const require = __vouchRequire(import.meta.url);";

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
    entryPoints: { vouch: 'src/cli/main.ts' },
    outdir: 'dist/bin',
    splitting: true,
    minify: true,
    banner: { js: requireShim },
    plugins: [versionConstant],
  });
}

async function buildBench() {
  await build({
    ...common,
    // The in-process suites, and the two that drive servers of their own (webhook, registry).
    entryPoints: ['bench/index.ts', 'bench/webhook.ts', 'bench/registry.ts'],
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
