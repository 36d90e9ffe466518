import type { PrivateKey } from '../crypto/keys.js';
import { envelopeToBundle } from './bundle.js';
import { envelopeToJson, signEnvelope } from './dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from './envelope.js';
import type { Statement } from './statement.js';

export const OUTPUT_FORMATS = ['dsse', 'bundle'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Serialises a Statement, signs it over DSSE PAE, and returns the document's JSON text. */
export function signStatement(statement: Statement, key: PrivateKey, format: OutputFormat): string {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, payload, [key]);
  switch (format) {
    case 'dsse':
      return `${JSON.stringify(envelopeToJson(envelope))}\n`;
    case 'bundle':
      return `${JSON.stringify(envelopeToBundle(envelope, key.publicKey.keyid))}\n`;
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}
