import { createHash } from 'node:crypto';

/** Names the layout of the digested document below; a new layout gets a new name. */
export const POLICY_DIGEST_TYPE = 'https://vouch.dev/policy-digest/v1';

/** An authority's trust material, as the policy digest covers it. */
export interface TrustedAuthority {
  readonly name: string;
  readonly keys: readonly { readonly keyid: string }[];
  /** The Sigstore root its log evidence and certificates are checked against, if any. */
  readonly trustedRoot?: { readonly digest: string } | undefined;
}

/**
 * The digest that names a policy in decisions and verification summaries (docs/policy.md,
 * "Policy digest"). The file alone is not enough: a key file swapped behind the same policy
 * text changes whom the policy trusts. So the digest covers the sha256 of the exact file
 * bytes and, per authority, the keyids (sha256 of each key's SubjectPublicKeyInfo) it
 * resolved to and the digest of the Sigstore trusted root it uses (keyless identities and
 * `transparencyLog: required`), in a fixed JSON layout:
 *
 *   {"type":"https://vouch.dev/policy-digest/v1","policy":{"sha256":"<file hex>"},
 *    "authorities":[{"name":"<name>","keys":["<keyid>",...]},
 *                   {"name":"<name>","keys":[],"trustedRoot":"sha256:<hex>"},...]}
 *
 * with authorities sorted by name, keyids sorted and distinct, no whitespace; `trustedRoot`
 * only where the authority has one (identities are in the file itself).
 */
export function policyDigest(
  fileBytes: string | Uint8Array,
  authorities: readonly TrustedAuthority[],
): { readonly sha256: string } {
  const document = {
    type: POLICY_DIGEST_TYPE,
    policy: { sha256: sha256Hex(fileBytes) },
    authorities: [...authorities]
      .sort((a, b) => compare(a.name, b.name))
      .map((a) => ({
        name: a.name,
        keys: [...new Set(a.keys.map((k) => k.keyid))].sort(compare),
        ...(a.trustedRoot === undefined ? {} : { trustedRoot: a.trustedRoot.digest }),
      })),
  };
  return { sha256: sha256Hex(JSON.stringify(document)) };
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
