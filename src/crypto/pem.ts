import { VouchError } from '../errors.js';

/** One PEM block (RFC 7468): its label and the DER bytes it carries. */
export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The single PEM block of a key file. RFC 7468 allows explanatory text around a block; a
 * second block is refused, since which one a tool reads first is a guess (the key a reviewer
 * sees need not be the key that is trusted).
 */
export function singlePemBlock(text: string, source: string): PemBlock {
  const blocks = [...text.matchAll(BLOCK)];
  const begins = text.split('-----BEGIN ').length - 1;
  const [block] = blocks;
  if (block === undefined || begins === 0) {
    throw new VouchError('KEY_UNREADABLE', `${source} is not a PEM public key`, {
      hint: 'give an SPKI "BEGIN PUBLIC KEY" PEM file, e.g. one written by vouch keygen',
    });
  }
  if (blocks.length !== 1 || begins !== 1) {
    throw new VouchError('KEY_UNREADABLE', `${source} holds ${Math.max(begins, 2)} PEM blocks`, {
      hint: 'give one key per file',
    });
  }
  const [, label = '', body = '', endLabel] = block;
  const base64 = body.replace(/\s+/g, '');
  if (endLabel !== label || !BASE64_BODY.test(base64) || base64.length % 4 !== 0) {
    throw new VouchError('KEY_UNREADABLE', `${source} is not a well-formed PEM block`, {
      hint: 'the text between BEGIN and END lines must be base64',
    });
  }
  return { label, der: Buffer.from(base64, 'base64') };
}
