import type { Bundle } from '@sigstore/bundle';
import { RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import { type SignedEntity, toSignedEntity } from '@sigstore/verify';
import { checkSpkiBeforeImport } from '../crypto/keys.js';
import { VouchError } from '../errors.js';

const MATERIAL = '$.verificationMaterial';

// Sigstore clients write one tlog entry, at most a few timestamps and a chain of 2-3
// certificates. Verification does public-key work for each (inclusion proofs, SETs, TSA
// signatures), so the counts are bounded like DSSE signatures are.
export const MAX_MATERIAL_ENTRIES = 16;

/**
 * Bounds the verification material's lists in the received JSON, before the protobuf
 * decoder or any parser walks them.
 */
export function checkMaterialCounts(value: unknown): void {
  const material = (value as { verificationMaterial?: unknown }).verificationMaterial as
    | Record<string, unknown>
    | undefined;
  const lists: [string, unknown][] = [
    ['tlogEntries', material?.tlogEntries],
    [
      'timestampVerificationData.rfc3161Timestamps',
      (material?.timestampVerificationData as Record<string, unknown> | undefined)
        ?.rfc3161Timestamps,
    ],
    [
      'x509CertificateChain.certificates',
      (material?.x509CertificateChain as Record<string, unknown> | undefined)?.certificates,
    ],
  ];
  for (const [field, list] of lists) {
    if (Array.isArray(list) && list.length > MAX_MATERIAL_ENTRIES) {
      throw new VouchError(
        'TOO_LARGE',
        `${list.length} entries, the limit is ${MAX_MATERIAL_ENTRIES}`,
        { path: `${MATERIAL}.${field}` },
      );
    }
  }
}

/**
 * The bundle as @sigstore/verify reads it, every certificate and RFC 3161 timestamp parsed
 * once at the boundary: junk DER there is MALFORMED naming the field, never an uncoded fault
 * later from whichever command happens to read it (issue 8 item 8).
 */
export function signedEntityOf(bundle: Bundle): SignedEntity {
  const { content, timestampVerificationData } = bundle.verificationMaterial;
  (timestampVerificationData?.rfc3161Timestamps ?? []).forEach((ts, i) => {
    parsed(
      () => RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)),
      `${MATERIAL}.timestampVerificationData.rfc3161Timestamps[${i}].signedTimestamp`,
      'an RFC 3161 timestamp',
    );
  });
  switch (content.$case) {
    case 'x509CertificateChain':
      content.x509CertificateChain.certificates.forEach((cert, i) => {
        checkCertificate(
          cert.rawBytes,
          `${MATERIAL}.x509CertificateChain.certificates[${i}].rawBytes`,
        );
      });
      break;
    case 'certificate':
      checkCertificate(content.certificate.rawBytes, `${MATERIAL}.certificate.rawBytes`);
      break;
    case 'publicKey':
      break;
    default: {
      const never: never = content;
      throw new Error(`unknown verification material ${String(never)}`);
    }
  }
  return parsed(() => toSignedEntity(bundle), MATERIAL, 'Sigstore verification material');
}

/**
 * Parses a certificate and reads every field verification uses (X509Certificate parses
 * lazily: any ASN.1 SEQUENCE passes `parse`). Its key is checked before anything imports it.
 */
function checkCertificate(der: Uint8Array, path: string): void {
  parsed(
    () => {
      const cert = X509Certificate.parse(Buffer.from(der));
      // Each getter walks the ASN.1 and throws when its part is missing or malformed.
      const fields = [
        cert.version,
        cert.serialNumber,
        cert.issuer,
        cert.subject,
        cert.signatureAlgorithm,
        cert.signatureValue,
        cert.extensions,
        cert.notBefore.getTime(),
        cert.notAfter.getTime(),
      ];
      if (fields.some((f) => f === undefined || Number.isNaN(f))) {
        throw new Error('incomplete TBSCertificate');
      }
      checkSpkiBeforeImport(cert.publicKey, 'the certificate key');
    },
    path,
    'an X.509 certificate',
  );
}

function parsed<T>(parse: () => T, path: string, what: string): T {
  try {
    return parse();
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new VouchError('MALFORMED', `not ${what}: ${why}`, { cause, path });
  }
}
