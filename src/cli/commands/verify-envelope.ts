import { type Command, Option } from 'commander';
import { documentSigners, parseSignedDocument } from '../../attestation/attestation.js';
import { attestationDigest } from '../../attestation/envelope.js';
import { loadPublicKey } from '../../crypto/keys.js';
import { escapeTerminal } from '../../encoding/terminal-text.js';
import { VouchError } from '../../errors.js';
import type { Wrap } from '../action.js';
import { readAttestations, reportSkipped } from '../attestation-input.js';
import { readText } from '../files.js';
import {
  describeErrorJson,
  type ErrorJson,
  EXIT_DENIED,
  EXIT_OK,
  errorJsonOf,
  type Io,
  outputOption,
  type ReportFormat,
} from '../output.js';
import { repeatable } from '../usage.js';

// No default for --key: commander counts a default as given, which would let a missing
// --key through as an empty trust set (a verification failure instead of a usage error).
const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

interface VerifyEnvelopeOptions {
  key: string[];
  threshold: string;
  output: ReportFormat;
}

/** One document's outcome, as `vouch verify-envelope --output json` prints it (docs/json-output.md). */
export interface EnvelopeCheck {
  readonly source: string;
  /** sha256 of the document's bytes as received. */
  readonly digest: string;
  readonly verified: boolean;
  /** Keyids of the given keys whose signature verifies, sorted. */
  readonly signers: readonly string[];
  /** Why it is not verified; null when it is. */
  readonly error: ErrorJson | null;
}

export function registerVerifyEnvelope(command: Command, io: Io, wrap: Wrap): void {
  command
    .addOption(
      repeatable(
        new Option('--key <pub>', 'trusted SPKI PEM public key (repeat for more)')
          .argParser(collect)
          .makeOptionMandatory(),
      ),
    )
    .option('--threshold <n>', 'distinct trusted keys that must have signed', '1')
    .addOption(outputOption())
    .argument('<file>')
    .action(
      wrap(async (file: string, opts: VerifyEnvelopeOptions) => {
        const threshold = Number(opts.threshold);
        if (!/^[0-9]+$/.test(opts.threshold) || !Number.isSafeInteger(threshold) || threshold < 1) {
          throw new VouchError('USAGE', `must be a positive integer, got ${opts.threshold}`, {
            field: 'threshold',
          });
        }
        const keys = opts.key.map((path) => loadPublicKey(readText(path), path));
        const { documents, skipped } = await readAttestations([file], io);
        // An entry that could not be read is not verified.
        reportSkipped(io, skipped);
        const checks = documents.map((raw): EnvelopeCheck => {
          // A document that does not parse is a verification failure of that document.
          const digest = attestationDigest(raw.bytes);
          let signers: string[];
          try {
            signers = documentSigners(parseSignedDocument(raw.bytes), keys)
              .map((k) => k.keyid)
              .sort();
          } catch (err) {
            if (!(err instanceof VouchError)) throw err;
            return {
              source: raw.source,
              digest,
              verified: false,
              signers: [],
              error: errorJsonOf(err),
            };
          }
          if (signers.length >= threshold) {
            return { source: raw.source, digest, verified: true, signers, error: null };
          }
          const code = signers.length === 0 ? 'BAD_SIGNATURE' : 'BELOW_THRESHOLD';
          const error = new VouchError(
            code,
            `${signers.length} of ${threshold} required trusted key(s) signed`,
          );
          return {
            source: raw.source,
            digest,
            verified: false,
            signers,
            error: errorJsonOf(error),
          };
        });
        if (checks.length === 0) {
          // Fail closed: nothing verified is not "everything verified".
          throw new VouchError('NO_DOCUMENTS', `no attestation found in ${file}`, {
            hint: 'directories are searched for .json, .jsonl and .sigstore files',
          });
        }
        const verified = skipped.length === 0 && checks.every((c) => c.verified);
        if (opts.output === 'json') {
          io.out(
            `${JSON.stringify({ verified, threshold, documents: checks, skipped }, null, 2)}\n`,
          );
        } else {
          for (const c of checks) {
            if (c.error === null) {
              io.out(`${escapeTerminal(c.source)}: verified, signed by ${c.signers.join(', ')}\n`);
            } else {
              io.err(`${escapeTerminal(c.source)}: not verified: ${describeErrorJson(c.error)}\n`);
            }
          }
        }
        return verified ? EXIT_OK : EXIT_DENIED;
      }),
    );
}
