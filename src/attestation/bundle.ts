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
import { type SignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { PublicKey } from '../crypto/keys.js';
import { verifyBytes } from '../crypto/signature.js';
import { VouchError } from '../errors.js';
import { checkMaterialCounts, signedEntityOf } from './bundle-material.js';
import { verifiedKeys } from './dsse.js';
import { type Envelope, envelopeFromJson } from './envelope.js';
import { pae } from './pae.js';

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
  /** The bundle as @sigstore/verify reads it: certificates and RFC 3161 timestamps parsed. */
  readonly entity: SignedEntity;
}

/** True when parsed JSON looks like a Sigstore bundle rather than a bare DSSE envelope. */
export function looksLikeBundle(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'mediaType');
}

/** Narrows parsed JSON to a Sigstore bundle of a supported version (any content). */
export function sigstoreBundleFromJson(value: unknown): Bundle {
  assertSupportedVersion(value);
  return decodeBundle(value);
}

/** Narrows parsed bundle JSON: supported version, protobuf-spec shape, one DSSE signature. */
export function bundleFromParsedJson(value: unknown): AttestationBundle {
  assertSupportedVersion(value);
  const { dsseEnvelope, messageSignature } = value as Record<string, unknown>;
  if (dsseEnvelope === undefined && messageSignature !== undefined) {
    throw new VouchError(
      'UNSUPPORTED_BUNDLE',
      'bundle holds a message signature, not a DSSE attestation',
      {
        path: '$.messageSignature',
        hint: 'sign an in-toto Statement as a DSSE bundle',
      },
    );
  }
  // The envelope first, by the same strict rules as a bare one (and its signature cap before
  // the protobuf decoder copies every signature).
  const envelope = envelopeFromJson(dsseEnvelope, '$.dsseEnvelope');
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
  const bundle = decodeBundle(value);
  const material = bundle.verificationMaterial.content.$case;
  return {
    bundle,
    envelope,
    signer: material === 'publicKey' ? 'publicKey' : 'certificate',
    entity: signedEntityOf(bundle),
  };
}

/** Bundle versions v0.1-v0.3 only: an unknown version is refused, never guessed at. */
function assertSupportedVersion(value: unknown): void {
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
}

/** The protobuf-spec shape, with its verification material bounded first. */
function decodeBundle(value: unknown): Bundle {
  checkMaterialCounts(value);
  try {
    return bundleFromJSON(value);
  } catch (cause) {
    const fields = (cause as { fields?: unknown }).fields;
    throw new VouchError(
      'MALFORMED',
      `not a valid Sigstore bundle${Array.isArray(fields) ? `: ${listed(fields)}` : ''}`,
      {
        cause,
        path: '$',
      },
    );
  }
}

export interface BundleVerifyOptions {
  /** Trusted root (protobuf JSON) used to check tlog entries and timestamps when present. */
  readonly trustedRoot?: unknown;
}

/**
 * Keys among `trusted` whose signature on a keyed bundle verifies. The DSSE signature is
 * checked by Vouch's own check, as for a bare envelope (so both agree for every key type:
 * @sigstore/verify hashes every EC key with SHA-256 and denies P-384 and P-521 bundles).
 * With a trusted root, @sigstore/verify also checks the tlog entries and timestamps, bound to
 * this signature; without one they cannot be checked and are set aside: the key's signature
 * alone is what the authority trusts. Keyless bundles need certificate identities, which
 * authorities do not have yet: they verify with no key.
 */
export function verifiedBundleKeys(
  parsed: AttestationBundle,
  trusted: readonly PublicKey[],
  options: BundleVerifyOptions = {},
): PublicKey[] {
  if (parsed.signer !== 'publicKey') return [];
  const keys = verifiedKeys(hintedEnvelope(parsed), trusted);
  if (options.trustedRoot === undefined || keys.length === 0) return keys;
  const root = TrustedRoot.fromJSON(options.trustedRoot);
  return keys.filter((key) => evidenceVerifies(parsed, key, root));
}

/** The bundle's key hint (verificationMaterial.publicKey.hint) as the signature's keyid hint. */
function hintedEnvelope(parsed: AttestationBundle): Envelope {
  const material = parsed.bundle.verificationMaterial.content;
  const [signature] = parsed.envelope.signatures;
  if (material.$case !== 'publicKey' || signature === undefined || signature.keyid !== undefined) {
    return parsed.envelope;
  }
  return { ...parsed.envelope, signatures: [{ ...signature, keyid: material.publicKey.hint }] };
}

/** Tlog entries and timestamps checked by @sigstore/verify, the signature by Vouch. */
function evidenceVerifies(parsed: AttestationBundle, key: PublicKey, root: TrustedRoot): boolean {
  const { entity, envelope } = parsed;
  const content = entity.signature;
  const message = pae(envelope.payloadType, envelope.payload);
  const sig = envelope.signatures[0]?.sig ?? Buffer.alloc(0);
  const checked: SignedEntity = {
    ...entity,
    signature: {
      signature: content.signature,
      compareSignature: (other) => content.compareSignature(other),
      compareDigest: (digest) => content.compareDigest(digest),
      verifySignature: () => verifyBytes(key, message, sig),
    },
  };
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
    return true;
  } catch {
    // Tlog or timestamp evidence that does not check out against the root.
    return false;
  }
}

/** The first few bad fields @sigstore/bundle names (a junk bundle can name thousands). */
function listed(fields: readonly unknown[]): string {
  const shown = fields.slice(0, 5).map(String).join(', ');
  return fields.length > 5 ? `${shown} and ${fields.length - 5} more` : shown;
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
