import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { generateKeyPair, KEYGEN_ALGORITHMS, type KeygenAlgorithm } from '../../crypto/keys.js';
import { VouchError } from '../../errors.js';
import type { Wrap } from '../action.js';
import { passphraseFromEnv, writeFileAtomic } from '../files.js';
import { EXIT_OK, type Io } from '../output.js';

interface KeygenOptions {
  out: string;
  alg: KeygenAlgorithm;
  passphraseEnv?: string;
}

export function registerKeygen(command: Command, io: Io, wrap: Wrap): void {
  command
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .addOption(
      new Option('--alg <alg>', 'key algorithm').choices(KEYGEN_ALGORITHMS).default('ecdsa-p256'),
    )
    .option(
      '--passphrase-env <var>',
      'encrypt the private key with the passphrase in this variable',
    )
    .action(
      wrap((opts: KeygenOptions) => {
        const keyPath = `${opts.out}.key`;
        const pubPath = `${opts.out}.pub`;
        // Check both first so a refusal leaves neither file half-written.
        for (const path of [keyPath, pubPath]) {
          if (existsSync(path)) {
            throw new VouchError('FILE_EXISTS', `${path} already exists`, {
              path,
              hint: 'keygen never overwrites keys',
            });
          }
        }
        const pair = generateKeyPair(opts.alg, passphraseFromEnv(opts.passphraseEnv));
        writeFileAtomic(keyPath, pair.privatePem, { mode: 0o600, exclusive: true });
        writeFileAtomic(pubPath, pair.publicPem, { mode: 0o644, exclusive: true });
        io.out(`${pair.keyid}\n`);
        return EXIT_OK;
      }),
    );
}
