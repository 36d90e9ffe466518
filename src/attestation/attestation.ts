import type { PublicKey } from '../crypto/keys.js';
import { DEFAULT_JSON_LIMITS, type JsonLimits, parseStrictJson } from '../encoding/strict-json.js';
import { VouchError } from '../errors.js';
import {
  type AttestationBundle,
  type BundleVerifyOptions,
  bundleFromParsedJson,
  looksLikeBundle,
  verifiedBundleKeys,
} from './bundle.js';
import { verifiedKeys } from './dsse.js';
import { attestationDigest, type Envelope, envelopeFromJson } from './envelope.js';
import { IN_TOTO_METADATA_TYPES } from './statement.js';

/** One candidate attestation as received: a bare DSSE envelope or a Sigstore bundle. */
export type SignedDocument =
  | { readonly format: 'dsse'; readonly digest: string; readonly envelope: Envelope }
  | {
      readonly format: 'bundle';
      readonly digest: string;
      readonly envelope: Envelope;
      readonly bundle: AttestationBundle;
    };

/** Strictly parses one received document (its exact bytes give its digest). */
export function parseSignedDocument(
  bytes: string | Uint8Array,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): SignedDocument {
  const digest = attestationDigest(bytes);
  const json = parseStrictJson(bytes, limits);
  if (looksLikeBundle(json)) {
    const bundle = bundleFromParsedJson(json);
    return { format: 'bundle', digest, envelope: bundle.envelope, bundle };
  }
  refuseInTotoMetadata(json);
  return { format: 'dsse', digest, envelope: envelopeFromJson(json, '$') };
}

/**
 * in-toto 0.x/1.x metadata files (`.link`, `.layout`): `{"signed": {"_type": "link", ...},
 * "signatures": [...]}`. Said plainly, rather than as a DSSE envelope missing its payload.
 */
function refuseInTotoMetadata(json: unknown): void {
  const signed = (json as { signed?: unknown } | null)?.signed;
  const type = (signed as { _type?: unknown } | null | undefined)?._type;
  if (typeof type === 'string' && IN_TOTO_METADATA_TYPES.has(type)) {
    throw new VouchError('MALFORMED', `this is an in-toto ${type} file, not an attestation`, {
      path: '$.signed._type',
      hint: 'an in-toto link records a supply-chain step for in-toto layouts; Vouch reads in-toto Statements in DSSE envelopes or Sigstore bundles',
    });
  }
}

/** The distinct trusted keys whose signature on the document verifies. */
export function documentSigners(
  doc: SignedDocument,
  trusted: readonly PublicKey[],
  options: BundleVerifyOptions = {},
): PublicKey[] {
  switch (doc.format) {
    case 'dsse':
      return verifiedKeys(doc.envelope, trusted);
    case 'bundle':
      return verifiedBundleKeys(doc.bundle, trusted, options);
    default: {
      const never: never = doc;
      throw new Error(`unknown document format ${String(never)}`);
    }
  }
}
