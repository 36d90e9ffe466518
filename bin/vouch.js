#!/usr/bin/env node
// The CLI is one bundle built by `npm run build` (scripts/build.mjs), loaded with its code cache
// (bin/cli-loader.js); a git or tarball install builds it through `prepare`. CommonJS
// (bin/package.json): Node starts a CommonJS entry point sooner than an ES module.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What scripts ask first, answered without loading the CLI (the bundle prints the same).
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  require('./cli-loader.js')
    .loadCli()
    .main(process.argv)
    .then((code) => {
      process.exitCode = code;
    });
}
