import { VouchError } from '../errors.js';

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Strict base64: DSSE protocol.md says verifiers MUST accept standard and URL-safe encodings,
 * so both are accepted, but one alphabet per value, padding optional yet correct, no
 * whitespace or junk, and no non-zero trailing bits (so each byte string has one encoding).
 */
export function decodeBase64Strict(value: string, path: string): Buffer {
  // Fast path for the common, valid case (payloads are kilobytes and decoded on every check):
  // Node's decoder is lenient, so the result counts only if re-encoding gives the input back.
  const bytes = Buffer.from(value, 'base64');
  if (isCanonicalEncoding(value, bytes)) return bytes;
  return decodeChecked(value, path);
}

/**
 * True when `value` is exactly the standard or URL-safe encoding of `bytes`, padded or not:
 * the set of strings decodeChecked accepts, recognised without scanning them in JavaScript.
 */
function isCanonicalEncoding(value: string, bytes: Buffer): boolean {
  const standard = bytes.toString('base64');
  if (value === standard) return true;
  const padding = standard.endsWith('==') ? 2 : standard.endsWith('=') ? 1 : 0;
  const unpaddedLength = standard.length - padding;
  if (value.length === unpaddedLength && standard.startsWith(value)) return true;
  const urlSafe = bytes.toString('base64url');
  if (value === urlSafe) return true;
  return (
    padding > 0 &&
    value.length === standard.length &&
    value.startsWith(urlSafe) &&
    value.endsWith(padding === 2 ? '==' : '=')
  );
}

/** Checks every rule in turn, so that a rejected value gets the precise reason. */
function decodeChecked(value: string, path: string): Buffer {
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
