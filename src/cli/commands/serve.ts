import type { Command } from 'commander';
import { pino } from 'pino';
import { serve } from '../../server/serve.js';
import type { Wrap } from '../action.js';
import { EXIT_OK, type Io } from '../output.js';

export function registerServe(command: Command, _io: Io, wrap: Wrap): void {
  command
    .requiredOption('--config <file>', 'server configuration (kind ServerConfig, YAML or JSON)')
    .action(
      wrap(async (opts: { config: string }) => {
        // Decision log lines and server events go to standard output as JSON (pino).
        const logger = pino({ base: { service: 'vouch' } });
        const running = await serve(opts.config, { logger });
        logger.info({ url: running.url }, 'listening');
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
        // Stop accepting, finish admissions in flight, then exit.
        await running.close();
        return EXIT_OK;
      }),
    );
}
