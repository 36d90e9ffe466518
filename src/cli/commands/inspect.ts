import type { Command } from 'commander';
import { parseSignedDocument, type SignedDocument } from '../../attestation/attestation.js';
import { attestationDigest, IN_TOTO_PAYLOAD_TYPE } from '../../attestation/envelope.js';
import { parseStatement, type ResourceDescriptor } from '../../attestation/statement.js';
import { escapeTerminal } from '../../encoding/terminal-text.js';
import type { Wrap } from '../action.js';
import { readAttestations, reportSkipped } from '../attestation-input.js';
import {
  describeErrorJson,
  type ErrorJson,
  EXIT_ERROR,
  EXIT_OK,
  errorJsonOf,
  type Io,
  outputOption,
  type ReportFormat,
} from '../output.js';

/** What `vouch inspect --output json` prints per document (docs/json-output.md). */
export interface InspectedDocument {
  readonly source: string;
  /** Always false: inspect never checks a signature. */
  readonly verified: false;
  /** sha256 of the document's bytes as received. */
  readonly digest: string;
  readonly format: 'dsse' | 'bundle' | null;
  readonly mediaType: string | null;
  readonly payloadType: string | null;
  readonly keyids: readonly (string | null)[];
  readonly statement: {
    readonly type: string;
    readonly predicateType: string;
    readonly subject: readonly ResourceDescriptor[];
    readonly predicate: unknown;
  } | null;
  /** Why the payload is not a Statement (the envelope itself parsed). */
  readonly statementError: ErrorJson | null;
  /** Why the document does not parse at all. */
  readonly error: ErrorJson | null;
}

export function registerInspect(command: Command, io: Io, wrap: Wrap): void {
  command
    .argument('<file>')
    .addOption(outputOption())
    .action(
      wrap(async (file: string, opts: { output: ReportFormat }) => {
        const { documents, skipped } = await readAttestations([file], io);
        reportSkipped(io, skipped);
        const inspected = documents.map((raw) => inspect(raw.source, raw.bytes));
        if (opts.output === 'json') {
          io.out(`${JSON.stringify({ documents: inspected, skipped }, null, 2)}\n`);
        } else {
          for (const doc of inspected) {
            io.out(
              `${escapeTerminal(doc.source)}  [UNVERIFIED: signatures not checked; do not trust these claims]\n`,
            );
            // DESIGN 4: errors go to stderr with a stable code.
            if (doc.error !== null)
              io.err(`${escapeTerminal(doc.source)}: error ${describeErrorJson(doc.error)}\n`);
            else io.out(describe(doc));
          }
        }
        return skipped.length > 0 || inspected.some((d) => d.error !== null) ? EXIT_ERROR : EXIT_OK;
      }),
    );
}

function inspect(source: string, bytes: Uint8Array): InspectedDocument {
  const none = {
    source,
    verified: false,
    digest: attestationDigest(bytes),
    format: null,
    mediaType: null,
    payloadType: null,
    keyids: [],
    statement: null,
    statementError: null,
  } as const;
  let doc: SignedDocument;
  try {
    doc = parseSignedDocument(bytes);
  } catch (err) {
    return { ...none, error: errorJsonOf(err) };
  }
  const { envelope } = doc;
  const parsed = {
    ...none,
    digest: doc.digest,
    format: doc.format,
    mediaType: doc.format === 'bundle' ? doc.bundle.bundle.mediaType : null,
    payloadType: envelope.payloadType,
    keyids: envelope.signatures.map((s) => s.keyid ?? null),
    error: null,
  };
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return parsed;
  try {
    const st = parseStatement(envelope.payload);
    const statement = {
      type: st._type,
      predicateType: st.predicateType,
      subject: st.subject,
      predicate: st.predicate,
    };
    return { ...parsed, statement };
  } catch (err) {
    return { ...parsed, statementError: errorJsonOf(err) };
  }
}

function describe(doc: InspectedDocument): string {
  const lines = [
    `  digest:        ${doc.digest}`,
    `  format:        ${doc.format === 'dsse' ? 'DSSE envelope' : `Sigstore bundle (${doc.mediaType})`}`,
    `  payloadType:   ${doc.payloadType}`,
    `  signatures:    ${doc.keyids.length}`,
    ...doc.keyids.map((k, i) => `    [${i}] keyid hint: ${k ?? '(none)'}`),
  ];
  if (doc.statementError !== null) {
    lines.push(`  statement:     error ${describeErrorJson(doc.statementError)}`);
  }
  const st = doc.statement;
  if (st !== null) {
    lines.push(
      `  statement:     ${st.type}`,
      `  predicateType: ${st.predicateType}`,
      '  subjects:',
    );
    for (const s of st.subject) {
      const digests = Object.entries(s.digest).map(([alg, v]) => `${alg}:${v}`);
      lines.push(`    - ${s.name ?? s.uri ?? '(unnamed)'} ${digests.join(' ')}`);
    }
    lines.push('  predicate:');
    for (const [key, value] of Object.entries(st.predicate as Record<string, unknown>))
      lines.push(`    ${key}: ${summarise(value)}`);
  }
  return terminalLines(lines);
}

/** Every field shown is untrusted: escaped line by line, none can add a line or erase the banner. */
function terminalLines(lines: readonly string[]): string {
  return `${lines.map(escapeTerminal).join('\n')}\n`;
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
