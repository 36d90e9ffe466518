import { hash, timingSafeEqual } from 'node:crypto';
import type { Bundle, TransparencyLogEntry } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import type { SignedEntity } from '@sigstore/verify';

type SignatureContent = SignedEntity['signature'];

/**
 * The signed content a log entry must describe. Rekor v2 logs a DSSE envelope as
 * hashedrekord/0.0.2 whose digest is SHA-256 of the PAE, not of the payload (the v2 client
 * spec; sigstore-conformance rekor2-dsse-happy-path), which @sigstore/verify 3.1.1 compares
 * with the payload digest and so rejects every such entry.
 */
export function tlogContent(
  bundle: Bundle,
  entry: TransparencyLogEntry,
  content: SignatureContent,
): SignatureContent {
  const { kind, version } = entry.kindVersion;
  if (bundle.content.$case !== 'dsseEnvelope' || kind !== 'hashedrekord' || version !== '0.0.2') {
    return content;
  }
  const envelope = bundle.content.dsseEnvelope;
  const paeDigest = hash(
    'sha256',
    dsse.preAuthEncoding(envelope.payloadType, envelope.payload),
    'buffer',
  );
  return {
    signature: content.signature,
    compareSignature: (signature) => content.compareSignature(signature),
    compareDigest: (digest) =>
      digest.byteLength === paeDigest.byteLength && timingSafeEqual(digest, paeDigest),
    verifySignature: (key) => content.verifySignature(key),
  };
}
