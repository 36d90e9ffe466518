import { ASN1Obj } from '@sigstore/core';
import { VouchError } from '../errors.js';

// RFC 5480 / RFC 8017 / RFC 8410 algorithm identifiers.
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_ED25519 = '1.3.101.112';
/** RFC 5480 2.1.1.1 named curves Vouch verifies: P-256, P-384, P-521. */
export const SUPPORTED_EC_CURVES: ReadonlySet<string> = new Set([
  '1.2.840.10045.3.1.7',
  '1.3.132.0.34',
  '1.3.132.0.35',
]);

/** The parts of a DER SubjectPublicKeyInfo (RFC 5280 4.1.2.7) that decide how a key is read. */
export interface SpkiParts {
  readonly algorithm: string;
  /**
   * AlgorithmIdentifier parameters: an OID (an EC named curve), `explicit` (a structure, e.g.
   * RFC 3279 explicit EC domain parameters), or `none` (absent or NULL).
   */
  readonly parameters: { readonly oid: string } | 'explicit' | 'none';
  /** The subjectPublicKey BIT STRING's bits (whole bytes). */
  readonly key: Buffer;
}

/**
 * Reads the structure of an SPKI before node:crypto touches the key: some keys that OpenSSL
 * imports crash node later (an EC point at infinity aborts `asymmetricKeyDetails` and
 * segfaults a P1363 verification), so they must be refused from the bytes alone.
 */
export function readSpki(der: Uint8Array, source: string): SpkiParts {
  try {
    const spki = ASN1Obj.parseBuffer(Buffer.from(der));
    const [algorithmId, bits] = spki.subs;
    const [oid, parameters] = algorithmId?.subs ?? [];
    if (spki.subs.length !== 2 || oid === undefined || bits === undefined) throw new Error();
    if (!bits.tag.isBitString() || bits.value[0] !== 0) throw new Error();
    return {
      algorithm: oid.toOID(),
      parameters:
        parameters === undefined || (parameters.tag.isUniversal() && parameters.tag.number === 5)
          ? 'none'
          : parameters.tag.isOID()
            ? { oid: parameters.toOID() }
            : 'explicit',
      key: bits.value.subarray(1),
    };
  } catch (cause) {
    throw new VouchError('KEY_UNREADABLE', `${source} is not a DER SubjectPublicKeyInfo`, {
      cause,
      hint: 'give an SPKI "BEGIN PUBLIC KEY" PEM file, e.g. one written by vouch keygen',
    });
  }
}
