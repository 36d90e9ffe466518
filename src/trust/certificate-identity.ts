import {
  type FulcioExtensionName,
  fulcioExtension,
  type SigningCertificate,
} from './fulcio-extensions.js';

/** Who a Fulcio certificate was issued to: the OIDC issuer and the SAN it certifies. */
export interface CertificateIdentity {
  readonly issuer: string;
  readonly subject: string;
  /** Reads a named Fulcio extension (undefined when absent or malformed). */
  extension(name: FulcioExtensionName): string | undefined;
}

// GeneralName tags (RFC 5280 4.2.1.6) and Fulcio's otherName for usernames.
const RFC822_NAME = 1;
const URI = 6;
const OTHER_NAME = 0;
const FULCIO_USERNAME = '1.3.6.1.4.1.57264.1.7';

/**
 * The identity a Fulcio certificate certifies, or undefined when it has no issuer extension or
 * not exactly one SAN entry (Fulcio issues exactly one; two names would make "the" subject
 * ambiguous). SAN bytes must be ASCII (IA5String): nothing is decoded loosely.
 */
export function certificateIdentity(cert: SigningCertificate): CertificateIdentity | undefined {
  const issuer = fulcioExtension(cert, 'issuer');
  const subject = sanSubject(cert);
  // The signer id joins issuer and subject with a space: an issuer (a URL) never holds one.
  if (issuer === undefined || !/^[\x21-\x7e]+$/.test(issuer)) return undefined;
  if (subject === undefined || subject === '') return undefined;
  const values = new Map<FulcioExtensionName, string | undefined>();
  return {
    issuer,
    subject,
    extension(name) {
      if (!values.has(name)) values.set(name, fulcioExtension(cert, name));
      return values.get(name);
    },
  };
}

/** The signer id of a keyless identity (DESIGN.md section 2: `issuer` + certificate subject). */
export function identitySignerId(identity: { issuer: string; subject: string }): string {
  return `${identity.issuer} ${identity.subject}`;
}

function sanSubject(cert: SigningCertificate): string | undefined {
  try {
    // extnValue is an OCTET STRING wrapping GeneralNames (a SEQUENCE).
    const names = cert.extSubjectAltName?.valueObj.subs[0]?.subs ?? [];
    const [name] = names;
    if (names.length !== 1 || name === undefined || !name.tag.isContextSpecific()) return undefined;
    switch (name.tag.number) {
      case URI:
      case RFC822_NAME:
        return ascii(name.value);
      case OTHER_NAME: {
        const [oid, value] = name.subs;
        if (oid?.toOID() !== FULCIO_USERNAME) return undefined;
        return ascii(value?.subs[0]?.value);
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function ascii(bytes: Buffer | undefined): string | undefined {
  if (bytes === undefined || bytes.some((b) => b > 0x7e || b < 0x20)) return undefined;
  return bytes.toString('latin1');
}
