#!/usr/bin/env node
// The CLI is one bundle built by `npm run build` (scripts/build.mjs), loaded with its code cache
// (bin/cli-loader.js); a git or tarball install builds it through `prepare`.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What scripts ask first, answered without loading the CLI (the bundle prints the same).
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { loadCli } = await import('./cli-loader.js');
  process.exitCode = await loadCli().main(process.argv);
}
