import { type Command, Option } from 'commander';
import { attestationDigest } from '../attestation/envelope.js';
import { OUTPUT_FORMATS, type OutputFormat, signStatement } from '../attestation/produce.js';
import type { Statement } from '../attestation/statement.js';
import { loadPrivateKey, type PrivateKey } from '../crypto/keys.js';
import { DEFAULT_JSON_LIMITS } from '../encoding/strict-json.js';
import { VouchError } from '../errors.js';
import { passphraseFromEnv, readText, writeFileAtomic } from './files.js';
import type { Io } from './output.js';

export interface SigningOptions {
  key: string;
  passphraseEnv?: string;
  out?: string;
  format: OutputFormat;
}

/**
 * The flags every command that signs an attestation shares. A command whose own `--format`
 * means something else (scan import) names the output format flag differently.
 */
export function addSigningOptions(command: Command, formatFlag = '--format'): Command {
  return command
    .requiredOption('--key <file>', 'PEM private key to sign with')
    .option('--passphrase-env <var>', 'environment variable holding the key passphrase')
    .option('--out <file>', 'write the attestation here (atomically) instead of standard output')
    .addOption(
      new Option(`${formatFlag} <format>`, 'attestation format: DSSE envelope or Sigstore bundle')
        .choices(OUTPUT_FORMATS)
        .default('dsse'),
    );
}

/** The command's private key, decrypted with the passphrase `--passphrase-env` names. */
export function loadSigningKey(opts: Pick<SigningOptions, 'key' | 'passphraseEnv'>): PrivateKey {
  return loadPrivateKey(readText(opts.key), passphraseFromEnv(opts.passphraseEnv), opts.key);
}

/** A signed attestation: its JSON text (what is written and pushed) and its digest. */
export interface SignedAttestation {
  readonly text: string;
  readonly digest: string;
}

/** Where a signed attestation goes: `out`, else standard output unless it is pushed instead. */
export interface AttestationTarget {
  readonly out?: string;
  readonly format: OutputFormat;
  /** False when the document has another destination (a registry): no file, no stdout. */
  readonly stdout?: boolean;
}

/** Signs a Statement with the command's key and writes it. */
export function emitAttestation(
  opts: SigningOptions,
  statement: Statement,
  io: Io,
): SignedAttestation {
  return writeAttestation(opts, statement, loadSigningKey(opts), io);
}

/** Signs a Statement with a loaded key and writes it to `out` (else standard output). */
export function writeAttestation(
  target: AttestationTarget,
  statement: Statement,
  key: PrivateKey,
  io: Io,
): SignedAttestation {
  const text = signStatement(statement, key, target.format);
  // Refuse to write what no verifier reads (the strict parse limits every envelope).
  const size = Buffer.byteLength(text);
  if (size > DEFAULT_JSON_LIMITS.maxBytes) {
    throw new VouchError(
      'TOO_LARGE',
      `the signed attestation would be ${size} bytes, over the ${DEFAULT_JSON_LIMITS.maxBytes} verifiers read`,
      { hint: 'split the subjects or the report into smaller attestations' },
    );
  }
  const digest = attestationDigest(text);
  if (target.out !== undefined) {
    writeFileAtomic(target.out, text);
    io.err(`wrote ${target.out} (${digest}, signed by ${key.publicKey.keyid})\n`);
  } else if (target.stdout !== false) {
    io.out(text);
  }
  return { text, digest };
}
