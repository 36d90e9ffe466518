import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  bundleFromJSON,
  bundleToJSON,
  type SerializedBundle,
  toDSSEBundle,
} from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type SignedEntity, toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { PublicKey } from '../crypto/keys.js';
import { VouchError } from '../errors.js';
import { type Envelope, envelopeFromJson } from './envelope.js';

// Versions we read. Unknown versions are rejected (sigstore-conformance: a bundle with an
// unknown version must fail, even though some clients accept 0.4).
const SUPPORTED_MEDIA_TYPES: ReadonlySet<string> = new Set([
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
]);

/** A Sigstore bundle that carries a DSSE envelope; signatures not yet verified. */
export interface AttestationBundle {
  readonly bundle: Bundle;
  /** The envelope, narrowed by the same strict rules as a bare DSSE envelope. */
  readonly envelope: Envelope;
  /** `publicKey` for keyed bundles; `certificate` for keyless (Fulcio) ones. */
  readonly signer: 'publicKey' | 'certificate';
}

/** True when parsed JSON looks like a Sigstore bundle rather than a bare DSSE envelope. */
export function looksLikeBundle(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'mediaType' in value;
}

/** Narrows parsed JSON to a Sigstore bundle of a supported version (any content). */
export function sigstoreBundleFromJson(value: unknown): Bundle {
  const mediaType =
    typeof value === 'object' && value !== null
      ? (value as { mediaType?: unknown }).mediaType
      : undefined;
  if (typeof mediaType !== 'string' || !SUPPORTED_MEDIA_TYPES.has(mediaType)) {
    throw new VouchError(
      'UNSUPPORTED_BUNDLE',
      `bundle mediaType ${JSON.stringify(mediaType)} is not supported`,
      {
        path: '$.mediaType',
        hint: 'Vouch reads Sigstore bundles v0.1, v0.2 and v0.3',
      },
    );
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(value);
  } catch (cause) {
    const fields = (cause as { fields?: unknown }).fields;
    throw new VouchError(
      'MALFORMED',
      `not a valid Sigstore bundle${Array.isArray(fields) ? `: ${fields.join(', ')}` : ''}`,
      {
        cause,
        path: '$',
      },
    );
  }
  return bundle;
}

/** Narrows parsed bundle JSON: supported version, protobuf-spec shape, one DSSE signature. */
export function bundleFromParsedJson(value: unknown): AttestationBundle {
  const bundle = sigstoreBundleFromJson(value);
  if (bundle.content.$case !== 'dsseEnvelope') {
    throw new VouchError(
      'UNSUPPORTED_BUNDLE',
      'bundle holds a message signature, not a DSSE attestation',
      {
        path: '$.messageSignature',
        hint: 'sign an in-toto Statement (vouch attest --format bundle)',
      },
    );
  }
  const envelope = envelopeFromJson(
    (value as { dsseEnvelope: unknown }).dsseEnvelope,
    '$.dsseEnvelope',
  );
  // Sigstore bundles carry exactly one DSSE signature (protobuf-specs Bundle comment).
  if (envelope.signatures.length !== 1) {
    throw new VouchError(
      'MALFORMED',
      `bundle DSSE envelope has ${envelope.signatures.length} signatures, expected 1`,
      {
        path: '$.dsseEnvelope.signatures',
      },
    );
  }
  const material = bundle.verificationMaterial.content.$case;
  return { bundle, envelope, signer: material === 'publicKey' ? 'publicKey' : 'certificate' };
}

export interface BundleVerifyOptions {
  /** Trusted root (protobuf JSON) used to check tlog entries and timestamps when present. */
  readonly trustedRoot?: unknown;
}

/**
 * Keys among `trusted` whose signature on a keyed bundle verifies through @sigstore/verify.
 * Without a trusted root the bundle's tlog entries and timestamps cannot be checked and are
 * set aside: the key's signature alone is what the authority trusts. Keyless bundles need
 * certificate identities, which authorities do not have yet: they verify with no key.
 */
export function verifiedBundleKeys(
  parsed: AttestationBundle,
  trusted: readonly PublicKey[],
  options: BundleVerifyOptions = {},
): PublicKey[] {
  if (parsed.signer !== 'publicKey') return [];
  const entity = toSignedEntity(parsed.bundle);
  const checked: SignedEntity =
    options.trustedRoot === undefined ? { ...entity, tlogEntries: [], timestamps: [] } : entity;
  const root = TrustedRoot.fromJSON(options.trustedRoot ?? {});
  for (const key of trusted) {
    const material = toTrustMaterial(root, () => ({
      publicKey: key.keyObject,
      validFor: () => true,
    }));
    const verifier = new Verifier(material, {
      tlogThreshold: 0,
      ctlogThreshold: 0,
      timestampThreshold: 0,
    });
    try {
      verifier.verify(checked);
      return [key];
    } catch {
      // Not this key (or tlog/timestamp evidence that does not check out): try the next.
    }
  }
  return [];
}

/** Wraps a signed envelope (exactly one signature) in a Sigstore bundle v0.3 with a key hint. */
export function envelopeToBundle(envelope: Envelope, keyid: string): SerializedBundle {
  const [signature] = envelope.signatures;
  if (envelope.signatures.length !== 1 || signature === undefined) {
    throw new VouchError('USAGE', 'a Sigstore bundle carries exactly one signature');
  }
  const bundle = toDSSEBundle({
    artifact: envelope.payload,
    artifactType: envelope.payloadType,
    signature: signature.sig,
    keyHint: keyid,
  });
  return bundleToJSON(bundle);
}
