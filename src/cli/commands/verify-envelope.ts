import type { Command } from 'commander';
import { documentSigners, parseSignedDocument } from '../../attestation/attestation.js';
import { loadPublicKey } from '../../crypto/keys.js';
import { VouchError } from '../../errors.js';
import { readDocuments } from '../../sources/local.js';
import type { Wrap } from '../action.js';
import { readText } from '../files.js';
import { EXIT_DENIED, EXIT_OK, type Io } from '../output.js';

// No default for --key: commander counts a default as given, which would let a missing
// --key through as an empty trust set (a verification failure instead of a usage error).
const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

interface VerifyEnvelopeOptions {
  key: string[];
  threshold: string;
}

export function registerVerifyEnvelope(program: Command, io: Io, wrap: Wrap): void {
  program
    .command('verify-envelope')
    .description(
      'low level: check the signatures of DSSE envelopes or Sigstore bundles against keys',
    )
    .requiredOption('--key <pub>', 'trusted SPKI PEM public key (repeat for more)', collect)
    .option('--threshold <n>', 'distinct trusted keys that must have signed', '1')
    .argument('<file>')
    .action(
      wrap((file: string, opts: VerifyEnvelopeOptions) => {
        const threshold = Number(opts.threshold);
        if (!Number.isInteger(threshold) || threshold < 1) {
          throw new VouchError(
            'USAGE',
            `--threshold must be a positive integer, got ${opts.threshold}`,
          );
        }
        const keys = opts.key.map((path) => loadPublicKey(readText(path), path));
        let ok = true;
        for (const raw of readDocuments([file])) {
          // A document that does not parse is a verification failure of that document.
          let signers: string[];
          try {
            signers = documentSigners(parseSignedDocument(raw.bytes), keys).map((k) => k.keyid);
          } catch (err) {
            if (!(err instanceof VouchError)) throw err;
            io.err(`${raw.origin}: not verified: ${err.describe()}\n`);
            ok = false;
            continue;
          }
          if (signers.length >= threshold) {
            io.out(`${raw.origin}: verified, signed by ${signers.join(', ')}\n`);
          } else {
            const code = signers.length === 0 ? 'BAD_SIGNATURE' : 'BELOW_THRESHOLD';
            io.err(
              `${raw.origin}: not verified: ${code}: ${signers.length} of ${threshold} required trusted key(s) signed\n`,
            );
            ok = false;
          }
        }
        return ok ? EXIT_OK : EXIT_DENIED;
      }),
    );
}
