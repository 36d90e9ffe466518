import type { Command } from 'commander';
import { digestFile } from '../../sources/artifact-file.js';
import type { Wrap } from '../action.js';
import { EXIT_OK, type Io } from '../output.js';

const PROGRESS_FROM = 64 * 1024 * 1024;

export function registerDigest(command: Command, io: Io, wrap: Wrap): void {
  command.argument('<file>').action(
    wrap(async (file: string) => {
      const tty = process.stderr.isTTY === true;
      let shown = -1;
      const digest = await digestFile(file, {
        algorithms: ['sha256'],
        onProgress: (done, total) => {
          if (!tty || total < PROGRESS_FROM) return;
          const pct = Math.floor((done / total) * 100);
          if (pct !== shown) {
            shown = pct;
            io.err(`\rhashing ${file}: ${pct}%`);
          }
        },
      });
      if (shown >= 0) io.err('\n');
      io.out(`sha256:${digest.sha256}\n`);
      return EXIT_OK;
    }),
  );
}
