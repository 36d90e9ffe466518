import type { Command } from 'commander';
import { parseSignedDocument, type SignedDocument } from '../../attestation/attestation.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../attestation/envelope.js';
import { parseStatement } from '../../attestation/statement.js';
import { asVouchError } from '../../errors.js';
import { readDocuments } from '../../sources/local.js';
import type { Wrap } from '../action.js';
import { EXIT_ERROR, EXIT_OK, type Io } from '../output.js';

export function registerInspect(program: Command, io: Io, wrap: Wrap): void {
  program
    .command('inspect')
    .description('show what an envelope or bundle claims, WITHOUT verifying any signature')
    .argument('<file>')
    .action(
      wrap((file: string) => {
        let failed = false;
        for (const raw of readDocuments([file])) {
          io.out(
            `${raw.origin}  [UNVERIFIED: signatures not checked; do not trust these claims]\n`,
          );
          try {
            io.out(describe(parseSignedDocument(raw.bytes)));
          } catch (err) {
            failed = true;
            // DESIGN 4: errors go to stderr with a stable code.
            io.err(`${raw.origin}: error ${asVouchError(err).describe()}\n`);
          }
        }
        return failed ? EXIT_ERROR : EXIT_OK;
      }),
    );
}

function describe(doc: SignedDocument): string {
  const { envelope } = doc;
  const lines = [
    `  digest:        ${doc.digest}`,
    `  format:        ${doc.format === 'dsse' ? 'DSSE envelope' : `Sigstore bundle (${doc.bundle.bundle.mediaType})`}`,
    `  payloadType:   ${envelope.payloadType}`,
    `  signatures:    ${envelope.signatures.length}`,
    ...envelope.signatures.map((s, i) => `    [${i}] keyid hint: ${s.keyid ?? '(none)'}`),
  ];
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return `${lines.join('\n')}\n`;
  try {
    const st = parseStatement(envelope.payload);
    lines.push(
      `  statement:     ${st._type}`,
      `  predicateType: ${st.predicateType}`,
      '  subjects:',
    );
    for (const s of st.subject) {
      const digests = Object.entries(s.digest).map(([alg, v]) => `${alg}:${v}`);
      lines.push(`    - ${s.name ?? s.uri ?? '(unnamed)'} ${digests.join(' ')}`);
    }
    lines.push('  predicate:');
    for (const [key, value] of Object.entries(st.predicate))
      lines.push(`    ${key}: ${summarise(value)}`);
  } catch (err) {
    lines.push(`  statement:     error ${asVouchError(err).describe()}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One short line per predicate field: scalars as is, objects and arrays by size. */
function summarise(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    return `{${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}}`;
  }
  const text = JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
