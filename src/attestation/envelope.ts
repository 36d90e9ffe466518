import { hash } from 'node:crypto';
import { decodeBase64Strict } from '../encoding/base64.js';
import { DEFAULT_JSON_LIMITS, type JsonLimits, parseStrictJson } from '../encoding/strict-json.js';
import { VouchError } from '../errors.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface EnvelopeSignature {
  /** Unauthenticated hint (DSSE protocol.md); never used for a security decision. */
  readonly keyid: string | undefined;
  readonly sig: Buffer;
}

/** A structurally valid DSSE envelope; its signatures are not yet verified. */
export interface Envelope {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signatures: readonly EnvelopeSignature[];
}

/**
 * Signatures per envelope. Producers write one (cosign, Sigstore clients, in-toto, witness)
 * or one per co-signer; no threshold in practice needs dozens. Each signature may be tried
 * against every trusted key, so the cap bounds a junk envelope's cost to 32 x keys checks
 * (an unbounded list made a 16 MiB envelope cost a minute of CPU).
 */
export const MAX_SIGNATURES = 32;

/** The longest signature any supported key makes: RSA-16384 (ECDSA P-521 DER is 141). */
export const MAX_SIGNATURE_BYTES = 2048;

/** Parses envelope JSON bytes strictly (DSSE envelope.md): size, depth, duplicates, base64. */
export function parseEnvelope(
  bytes: string | Uint8Array,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): Envelope {
  return envelopeFromJson(parseStrictJson(bytes, limits), '$');
}

/** Narrows an already-parsed JSON value (e.g. a bundle's dsseEnvelope) to an Envelope. */
export function envelopeFromJson(value: unknown, at: string): Envelope {
  const obj = expectObject(value, at);
  const payloadType = expectString(obj.payloadType, `${at}.payloadType`);
  const payload = decodeBase64Strict(expectString(obj.payload, `${at}.payload`), `${at}.payload`);
  if (!Array.isArray(obj.signatures)) {
    throw new VouchError('MALFORMED', 'signatures must be an array', { path: `${at}.signatures` });
  }
  if (obj.signatures.length > MAX_SIGNATURES) {
    throw new VouchError(
      'TOO_MANY_SIGNATURES',
      `envelope carries ${obj.signatures.length} signatures, the limit is ${MAX_SIGNATURES}`,
      { path: `${at}.signatures`, hint: 'sign with fewer keys, or split the signatures' },
    );
  }
  const signatures = obj.signatures.map((s: unknown, i: number): EnvelopeSignature => {
    const path = `${at}.signatures[${i}]`;
    const sigObj = expectObject(s, path);
    const sig = decodeBase64Strict(expectString(sigObj.sig, `${path}.sig`), `${path}.sig`);
    if (sig.byteLength > MAX_SIGNATURE_BYTES) {
      throw new VouchError(
        'TOO_LARGE',
        `signature is ${sig.byteLength} bytes; no supported key makes one over ${MAX_SIGNATURE_BYTES}`,
        { path: `${path}.sig` },
      );
    }
    if (sig.byteLength === 0)
      throw new VouchError('MALFORMED', 'signature is empty', { path: `${path}.sig` });
    const keyid =
      sigObj.keyid === undefined ? undefined : expectString(sigObj.keyid, `${path}.keyid`, true);
    return { keyid: keyid === '' ? undefined : keyid, sig };
  });
  return { payloadType, payload, signatures };
}

/** `sha256:<hex>` of the exact bytes an attestation arrived as: its identity in decisions. */
export function attestationDigest(bytes: string | Uint8Array): string {
  // One-shot hash: no Hash object (a native handle every scavenge must process).
  return `sha256:${hash('sha256', bytes, 'hex')}`;
}

/**
 * DSSE envelope.md: consumers MUST ignore unrecognized fields (go-witness signatures carry
 * `timestamps`, slsa-github-generator's `cert`); duplicates are refused by the strict JSON
 * parse and known fields are type-checked. Unknown fields are never read.
 */
function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VouchError('MALFORMED', 'expected a JSON object', { path });
  }
  return value as Record<string, unknown>;
}

function expectString(value: unknown, path: string, allowEmpty = false): string {
  if (typeof value !== 'string') throw new VouchError('MALFORMED', 'expected a string', { path });
  if (!allowEmpty && value === '') throw new VouchError('MALFORMED', 'must not be empty', { path });
  return value;
}
