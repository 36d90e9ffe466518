import { hash, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import {
  type SignedEntity,
  type TrustMaterial,
  toSignedEntity,
  VerificationError,
  Verifier,
} from '@sigstore/verify';
import { type PublicKey, publicKeyFromSpki } from '../crypto/keys.js';
import { verifyBytes } from '../crypto/signature.js';
import { asVouchError, type ErrorCode, VouchError } from '../errors.js';
import { type CertificateIdentity, certificateIdentity } from './certificate-identity.js';
import { checkCheckpointNames } from './checkpoint-names.js';
import type { SigningCertificate } from './fulcio-extensions.js';
import { tlogContent } from './tlog-content.js';
import type { TrustRoot } from './trusted-root.js';

/** A signing time proven by a verified log entry (SET) or RFC 3161 timestamp. */
export interface VerifiedTime {
  readonly source: 'tlog' | 'tsa';
  /** Epoch milliseconds. */
  readonly time: number;
}

/** Who signed a bundle, as far as its verification material and the root prove. */
export type BundleSigner =
  | {
      readonly kind: 'certificate';
      /** Undefined when the certificate names no issuer or no single SAN: matches nothing. */
      readonly identity: CertificateIdentity | undefined;
      readonly key: PublicKey;
    }
  | { readonly kind: 'key'; readonly key: PublicKey };

/** What a bundle proves once its evidence verified. */
export interface BundleEvidence {
  readonly signer: BundleSigner;
  /** Every verified signing time, earliest first (never empty). */
  readonly times: readonly VerifiedTime[];
}

/** How a message-signature bundle's artifact is given (DSSE bundles carry their payload). */
export type MessageArtifact =
  | { readonly bytes: Uint8Array }
  | {
      readonly sha256: Uint8Array;
      /** Checks a signature over a precomputed digest (node:crypto cannot). */
      readonly verifyDigest: (key: KeyObject, digest: Uint8Array, signature: Uint8Array) => boolean;
    };

export interface EvidenceOptions {
  readonly root: TrustRoot;
  /** For a keyed bundle: the key its signature must verify with (the hint is ignored). */
  readonly key?: PublicKey | undefined;
  readonly artifact?: MessageArtifact | undefined;
}

/**
 * Verifies a bundle's signature and its evidence against a trusted root with @sigstore/verify's
 * Verifier (timestamps -> signing key: certificate chain at every verified time and an SCT
 * where the root lists CT logs -> log entries -> signature). Requires at least one log entry
 * whose inclusion verifies (SET, or inclusion proof + signed checkpoint) and at least one
 * verified time (SET integrated time or RFC 3161 timestamp); every entry and timestamp present
 * must verify and the certificate must be valid at every verified time (one timestamp outside
 * it fails the bundle: sigstore-js's rule, stricter than counting the good ones). Each log
 * entry is checked against the content it describes (see tlogContent), and the DSSE signature
 * with Vouch's own check. Throws a VouchError whose code names what failed.
 */
export function verifyBundleEvidence(bundle: Bundle, options: EvidenceOptions): BundleEvidence {
  const { artifact, key } = options;
  let entity: SignedEntity;
  try {
    const bytes = artifact !== undefined && 'bytes' in artifact ? artifact.bytes : undefined;
    entity = toSignedEntity(bundle, bytes === undefined ? undefined : Buffer.from(bytes));
  } catch (err) {
    throw new VouchError(
      'MALFORMED',
      `the bundle's verification material cannot be read: ${asVouchError(err).message}`,
      { cause: err },
    );
  }
  const signer = signerOf(entity, key);
  checkCheckpointNames(entity.tlogEntries);
  const verifier = new Verifier(withKey(options.root.material, key), {
    tlogThreshold: 1,
    ctlogThreshold: signer.kind === 'certificate' && options.root.hasCtLogs ? 1 : 0,
    timestampThreshold: 1,
  });
  if (entity.key.$case === 'certificate') {
    checkBundledChain(bundle, entity.key.certificate, options.root.material);
  }
  const signature = ownSignatureCheck(bundle, entity, signer.key, artifact);
  // One pass per log entry (at least one: the threshold then reports a missing entry).
  const entries = entity.tlogEntries.length === 0 ? [undefined] : entity.tlogEntries;
  for (const entry of entries) {
    const content = entry === undefined ? signature : tlogContent(bundle, entry, signature);
    try {
      verifier.verify({
        ...entity,
        signature: content,
        tlogEntries: entry === undefined ? [] : [entry],
      });
    } catch (err) {
      throw fromSigstore(err, signer.kind);
    }
  }
  return { signer, times: verifiedTimes(entity) };
}

/** A @sigstore/verify failure as a Vouch code, by its error code (never by its text). */
function fromSigstore(err: unknown, signer: BundleSigner['kind']): VouchError {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof VerificationError)) {
    return new VouchError('MALFORMED', `the bundle's evidence cannot be read: ${message}`, {
      cause: err,
    });
  }
  const code = ((): ErrorCode => {
    switch (err.code) {
      case 'TLOG_ERROR':
      case 'TLOG_INCLUSION_PROOF_ERROR':
      case 'TLOG_INCLUSION_PROMISE_ERROR':
      case 'TLOG_MISSING_INCLUSION_ERROR':
      case 'TLOG_BODY_ERROR':
      case 'TIMESTAMP_ERROR':
        return 'LOG_EVIDENCE_INVALID';
      case 'CERTIFICATE_ERROR':
        return 'CERTIFICATE_INVALID';
      case 'PUBLIC_KEY_ERROR':
      case 'SIGNATURE_ERROR':
        return 'BAD_SIGNATURE';
      case 'NOT_IMPLEMENTED_ERROR':
        return 'UNSUPPORTED_BUNDLE';
      default: {
        const never: never = err.code;
        return never;
      }
    }
  })();
  const what = signer === 'certificate' ? 'keyless bundle' : 'keyed bundle';
  return new VouchError(code, `${what}: ${message}`, { cause: err });
}

function withKey(material: TrustMaterial, key: PublicKey | undefined): TrustMaterial {
  return {
    ...material,
    publicKey: () => {
      if (key === undefined)
        throw new Error('the bundle is signed with a key, and no key is given');
      // Policy keys carry no validity window: the key is valid whenever it signed.
      return { publicKey: key.keyObject, validFor: () => true };
    },
  };
}

/**
 * The chain a bundle ships is never trusted (the path is built from the root), but it must
 * agree with it: after the leaf, certificates of one trusted CA, each the issuer of the one
 * before. A chain that repeats the root out of order (sigstore-conformance
 * bundle-with-root-cert_fail) is rejected; a full leaf -> intermediate -> root chain (older
 * v0.1 bundles, MANIFEST gotcha 5) is accepted.
 */
function checkBundledChain(
  bundle: Bundle,
  leaf: SigningCertificate,
  material: TrustMaterial,
): void {
  const content = bundle.verificationMaterial.content;
  if (content.$case !== 'x509CertificateChain') return;
  const shipped = content.x509CertificateChain.certificates
    .slice(1)
    .map((c) => Buffer.from(c.rawBytes));
  if (shipped.length === 0) return;
  const agrees = material.certificateAuthorities.some((ca) => {
    let child = leaf;
    for (const der of shipped) {
      const parent = ca.certChain.find((c) => c.root.toDER().equals(der));
      if (parent === undefined || !parent.subject.equals(child.issuer)) return false;
      child = parent;
    }
    return true;
  });
  if (!agrees) {
    throw new VouchError(
      'CERTIFICATE_INVALID',
      'the bundle’s certificate chain does not match the trusted root’s CA chain (extra, reordered or foreign certificates)',
    );
  }
}

function signerOf(entity: SignedEntity, key: PublicKey | undefined): BundleSigner {
  if (entity.key.$case === 'public-key') {
    if (key === undefined) throw new VouchError('BAD_SIGNATURE', 'no key given for a keyed bundle');
    return { kind: 'key', key };
  }
  const cert: SigningCertificate = entity.key.certificate;
  let certKey: PublicKey;
  try {
    certKey = publicKeyFromSpki(cert.publicKey, 'signing certificate');
  } catch (err) {
    throw new VouchError(
      'CERTIFICATE_INVALID',
      `the certificate's key is not supported: ${asVouchError(err).message}`,
      { cause: err },
    );
  }
  return { kind: 'certificate', identity: certificateIdentity(cert), key: certKey };
}

/**
 * The signature content with its signature check replaced by Vouch's. DSSE: over PAE with the
 * hash the key's curve calls for (@sigstore/core verifies ECDSA with SHA-256 whatever the
 * curve, so P-384 signatures fail there). Message signatures: over the artifact bytes, whose
 * digest must be the bundle's, or over a given sha256 digest that must equal the bundle's.
 */
function ownSignatureCheck(
  bundle: Bundle,
  entity: SignedEntity,
  key: PublicKey,
  artifact: MessageArtifact | undefined,
): SignedEntity['signature'] {
  const content = entity.signature;
  const verified = signatureVerifies(bundle, content, key, artifact);
  return {
    signature: content.signature,
    compareSignature: (s) => content.compareSignature(s),
    compareDigest: (d) => content.compareDigest(d),
    verifySignature: () => verified,
  };
}

function signatureVerifies(
  bundle: Bundle,
  content: SignedEntity['signature'],
  key: PublicKey,
  artifact: MessageArtifact | undefined,
): boolean {
  const signed = bundle.content;
  if (signed.$case === 'dsseEnvelope') {
    const envelope = signed.dsseEnvelope;
    const [signature] = envelope.signatures;
    if (envelope.signatures.length !== 1 || signature === undefined) return false;
    return verifyBytes(
      key,
      dsse.preAuthEncoding(envelope.payloadType, envelope.payload),
      signature.sig,
    );
  }
  const digest = signed.messageSignature.messageDigest;
  if (artifact === undefined || digest === undefined) return false;
  if ('bytes' in artifact) {
    // The bundle's digest is what the log entry binds: it must be the artifact's.
    const algorithm = MESSAGE_DIGESTS.get(digest.algorithm);
    if (algorithm === undefined) return false;
    if (!sameBytes(digest.digest, hash(algorithm, artifact.bytes, 'buffer'))) return false;
    return content.verifySignature(key.keyObject);
  }
  if (digest.algorithm !== HashAlgorithm.SHA2_256) return false;
  if (!sameBytes(digest.digest, artifact.sha256)) return false;
  return artifact.verifyDigest(key.keyObject, artifact.sha256, signed.messageSignature.signature);
}

function verifiedTimes(entity: SignedEntity): VerifiedTime[] {
  const times: VerifiedTime[] = [];
  for (const timestamp of entity.timestamps) {
    if (timestamp.$case === 'timestamp-authority') {
      times.push({ source: 'tsa', time: timestamp.timestamp.signingTime.getTime() });
    } else if (timestamp.tlogEntry.inclusionPromise !== undefined) {
      // Only a SET signs the integrated time (Rekor v1); an inclusion proof does not.
      times.push({ source: 'tlog', time: Number(timestamp.tlogEntry.integratedTime) * 1000 });
    }
  }
  return times.sort((a, b) => a.time - b.time);
}

const MESSAGE_DIGESTS: ReadonlyMap<HashAlgorithm, string> = new Map([
  [HashAlgorithm.SHA2_256, 'sha256'],
  [HashAlgorithm.SHA2_384, 'sha384'],
  [HashAlgorithm.SHA2_512, 'sha512'],
]);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
