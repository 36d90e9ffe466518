#!/usr/bin/env node
// The CLI is one bundle built by `npm run build` (scripts/build.mjs); a git or tarball install
// builds it through `prepare`.
import { main } from '../dist/bin/vouch.js';

process.exitCode = await main(process.argv);
