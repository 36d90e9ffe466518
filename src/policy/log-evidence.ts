import type { SignedDocument } from '../attestation/attestation.js';
import { asVouchError } from '../errors.js';
import { type BundleEvidence, verifyBundleEvidence } from '../trust/bundle-evidence.js';
import { identitySignerId } from '../trust/certificate-identity.js';
import type { TrustRoot } from '../trust/trusted-root.js';
import type { CompiledAuthority } from './compile.js';
import type { RejectionCode } from './decision.js';

/** A signer whose signature counts only with verified log evidence. */
export interface LoggedSigner {
  readonly authority: string;
  readonly kind: 'key' | 'identity';
  /** keyid, or `issuer` + certificate subject (DESIGN.md section 2). */
  readonly id: string;
}

/** Why an authority that needs log evidence does not count a document. */
export interface Refusal {
  readonly authority: string;
  readonly code: RejectionCode;
  readonly message: string;
}

export interface LogEvidence {
  readonly signers: readonly LoggedSigner[];
  readonly refusals: readonly Refusal[];
  /** Earliest verified signing time (epoch ms); undefined when no evidence verified. */
  readonly time: number | undefined;
}

const NONE: LogEvidence = { signers: [], refusals: [], time: undefined };

/**
 * The signers of a document among the policy's authorities that need log evidence (keyless,
 * or keyed with `transparencyLog: required`; DESIGN.md section 5). Each bundle is verified
 * once per trusted root and key; `verifiedKeyids` are the policy keys whose signature already
 * verified. Never throws: a failure is a refusal naming the authority.
 */
export function logEvidence(
  doc: SignedDocument,
  authorities: readonly CompiledAuthority[],
  verifiedKeyids: readonly string[],
): LogEvidence {
  const logged = authorities.filter((a) => a.trustedRoot !== undefined);
  if (logged.length === 0) return NONE;
  const signers: LoggedSigner[] = [];
  const refusals: Refusal[] = [];
  let time: number | undefined;
  const memo = new Map<string, BundleEvidence | Refusal>();
  const evidence = (
    authority: string,
    root: TrustRoot,
    keyid?: string,
  ): BundleEvidence | Refusal => {
    const memoKey = `${root.digest} ${keyid ?? ''}`;
    let found = memo.get(memoKey);
    if (found === undefined) {
      found = verify(doc, authority, root, keyid, authorities);
      memo.set(memoKey, found);
    }
    if ('times' in found) {
      const earliest = found.times[0]?.time;
      if (earliest !== undefined && (time === undefined || earliest < time)) time = earliest;
      return found;
    }
    return { ...found, authority };
  };
  for (const authority of logged) {
    const root = authority.trustedRoot;
    if (root === undefined) continue;
    if (authority.identities.length > 0) {
      if (doc.format !== 'bundle' || doc.bundle.signer !== 'certificate') continue;
      const found = evidence(authority.name, root);
      if (!('times' in found)) {
        refusals.push(found);
        continue;
      }
      const signer = identitySigner(authority, found);
      if (typeof signer === 'string') {
        refusals.push({ authority: authority.name, code: 'UNTRUSTED_SIGNER', message: signer });
      } else {
        signers.push(signer);
      }
      continue;
    }
    for (const key of authority.keys) {
      if (!verifiedKeyids.includes(key.keyid)) continue;
      const found = evidence(authority.name, root, key.keyid);
      if ('times' in found) signers.push({ authority: authority.name, kind: 'key', id: key.keyid });
      else refusals.push(found);
    }
  }
  return { signers, refusals, time };
}

function verify(
  doc: SignedDocument,
  authority: string,
  root: TrustRoot,
  keyid: string | undefined,
  authorities: readonly CompiledAuthority[],
): BundleEvidence | Refusal {
  if (doc.format !== 'bundle') {
    return {
      authority,
      code: 'LOG_EVIDENCE_INVALID',
      message: `authority ${authority} requires a transparency-log entry, and a bare DSSE envelope carries none (use the Sigstore bundle)`,
    };
  }
  const key =
    keyid === undefined
      ? undefined
      : authorities.flatMap((a) => a.keys).find((k) => k.keyid === keyid);
  try {
    return verifyBundleEvidence(doc.bundle.bundle, { root, key });
  } catch (err) {
    const e = asVouchError(err);
    const code: RejectionCode =
      e.code === 'CERTIFICATE_INVALID' ||
      e.code === 'LOG_EVIDENCE_INVALID' ||
      e.code === 'BAD_SIGNATURE' ||
      e.code === 'UNSUPPORTED_BUNDLE'
        ? e.code
        : e.code === 'INTERNAL'
          ? 'INTERNAL'
          : 'MALFORMED';
    return { authority, code, message: `${e.message} (trusted root: ${root.source})` };
  }
}

/** The identity signer, or why the certificate is none of the authority's identities. */
function identitySigner(
  authority: CompiledAuthority,
  evidence: BundleEvidence,
): LoggedSigner | string {
  const { signer } = evidence;
  if (signer.kind !== 'certificate' || signer.identity === undefined) {
    return 'the certificate names no OIDC issuer or no single subject (SAN)';
  }
  const { identity } = signer;
  const why: string[] = [];
  for (const matcher of authority.identities) {
    const mismatch = matcher.mismatch(identity);
    if (mismatch === undefined) {
      return { authority: authority.name, kind: 'identity', id: identitySignerId(identity) };
    }
    why.push(mismatch);
  }
  return `certificate identity ${identity.subject} (issuer ${identity.issuer}) is none of ${authority.name}'s identities: ${why.join('; ')}`;
}
