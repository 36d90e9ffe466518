import type { SignedEntity } from '@sigstore/verify';

/** A parsed X.509 certificate, as @sigstore/verify hands it over (its own @sigstore/core). */
export type SigningCertificate = Extract<
  SignedEntity['key'],
  { $case: 'certificate' }
>['certificate'];

/**
 * Fulcio certificate extensions a policy may name (sigstore/fulcio docs/oid-info.md,
 * 1.3.6.1.4.1.57264.1.8 onwards: each value is a DER UTF8String).
 */
export const FULCIO_EXTENSIONS = {
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerURI: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryURI: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerURI: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigURI: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationURI: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibilityAtSigning: '1.3.6.1.4.1.57264.1.22',
} as const;

export type FulcioExtensionName = keyof typeof FULCIO_EXTENSIONS;

export const FULCIO_EXTENSION_NAMES = Object.keys(FULCIO_EXTENSIONS) as FulcioExtensionName[];

// 1.3.6.1.4.1.57264.1.1: the deprecated issuer extension, its value the raw string.
const ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const UTF8_STRING = 0x0c;

/**
 * The value of a named Fulcio extension, or undefined when the certificate lacks it or it is
 * not a DER UTF8String (a malformed value never matches anything).
 */
export function fulcioExtension(
  cert: SigningCertificate,
  name: FulcioExtensionName,
): string | undefined {
  const ext = cert.extension(FULCIO_EXTENSIONS[name]);
  if (ext === undefined) return name === 'issuer' ? legacyIssuer(cert) : undefined;
  try {
    // extnValue is an OCTET STRING wrapping the DER UTF8String.
    const value = ext.valueObj.subs[0];
    if (value === undefined || !value.tag.isUniversal() || value.tag.number !== UTF8_STRING) {
      return undefined;
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(value.value);
  } catch {
    return undefined;
  }
}

function legacyIssuer(cert: SigningCertificate): string | undefined {
  const ext = cert.extension(ISSUER_V1);
  if (ext === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(ext.value);
  } catch {
    return undefined;
  }
}
