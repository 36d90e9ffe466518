import { runDemo } from './run.js';

// `npm run demo [-- --keep]`: the end-to-end demo, printed to standard output.
const USAGE = 'usage: npm run demo [-- --keep]   (--keep: do not remove the demo directory)\n';

const args = process.argv.slice(2);
if (args.some((a) => a !== '--keep')) {
  process.stderr.write(
    args.includes('--help') || args.includes('-h') ? USAGE : `unknown argument\n${USAGE}`,
  );
  process.exitCode = args.includes('--help') || args.includes('-h') ? 0 : 2;
} else {
  const result = await runDemo({
    io: { out: (text) => process.stdout.write(text) },
    keep: args.includes('--keep'),
  });
  process.exitCode = result.ok ? 0 : 1;
}
