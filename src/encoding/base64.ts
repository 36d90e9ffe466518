import { VouchError } from '../errors.js';

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Strict base64: DSSE protocol.md says verifiers MUST accept standard and URL-safe encodings,
 * so both are accepted, but one alphabet per value, padding optional yet correct, no
 * whitespace or junk, and no non-zero trailing bits (so each byte string has one encoding).
 */
export function decodeBase64Strict(value: string, path: string): Buffer {
  const alphabet = STANDARD.test(value) ? 'base64' : URL_SAFE.test(value) ? 'base64url' : null;
  const bad = (why: string): VouchError =>
    new VouchError('BAD_BASE64', why, {
      path,
      hint: 'encode with standard or URL-safe base64, without whitespace',
    });
  if (alphabet === null) throw bad('contains characters outside the base64 alphabet');
  const unpadded = value.replace(/=+$/, '');
  const padded = unpadded.length !== value.length;
  if (unpadded.length % 4 === 1) throw bad('has an impossible length');
  if (padded && value.length % 4 !== 0) throw bad('has incorrect padding');
  const bytes = Buffer.from(unpadded, alphabet);
  if (bytes.toString('base64url') !== unpadded.replaceAll('+', '-').replaceAll('/', '_')) {
    throw bad('is not canonical (non-zero trailing bits)');
  }
  return bytes;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
