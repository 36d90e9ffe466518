import { parseStrictJson } from '../encoding/strict-json.js';

/** One entry of an npm attestations document: its bundle's bytes, or why it has none. */
export interface NpmAttestationEntry {
  readonly index: number;
  readonly bundle: Buffer | string;
}

// Only a document that opens with this key is examined further; others are read as they are.
const OPENING = /^\s*\{\s*"attestations"\s*:/;

/**
 * The bundles of an npm registry attestations document
 * (`GET /-/npm/v1/attestations/NAME@VERSION`: `{"attestations": [{predicateType, bundle}]}`),
 * or undefined when the bytes are not one. The entry's predicateType is an unsigned hint and is
 * ignored: each bundle is verified on its own like any other document. A bundle's bytes are
 * its strictly parsed JSON serialised again; its signature covers the DSSE payload inside, not
 * these bytes, so nothing signed is re-serialised.
 */
export function npmAttestationBundles(bytes: Buffer): NpmAttestationEntry[] | undefined {
  if (!OPENING.test(bytes.subarray(0, 64).toString('latin1'))) return undefined;
  let json: unknown;
  try {
    json = parseStrictJson(bytes);
  } catch {
    // Not strict JSON: read as one document, which is then rejected with the parse error.
    return undefined;
  }
  if (!isObject(json) || !Array.isArray(json.attestations)) return undefined;
  return json.attestations.map((entry: unknown, index) => {
    const bundle = isObject(entry) && Object.hasOwn(entry, 'bundle') ? entry.bundle : undefined;
    return isObject(bundle)
      ? { index, bundle: Buffer.from(JSON.stringify(bundle)) }
      : { index, bundle: 'npm attestations entry has no bundle object' };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
