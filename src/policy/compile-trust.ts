import { asVouchError } from '../errors.js';
import { compileIdentity, type IdentityMatcher, IdentityPatternError } from '../trust/identity.js';
import { publicGoodRoot } from '../trust/public-good.js';
import { parseTrustedRoot, type TrustRoot } from '../trust/trusted-root.js';
import type { ConfigIssue, FieldPath } from './config-text.js';
import type { AuthorityDocument } from './schema.js';

/** What an authority trusts besides plain keys (DESIGN.md section 5, keyless authorities). */
export interface AuthorityTrust {
  /** Keyless identities; empty for a keyed authority. */
  readonly identities: readonly IdentityMatcher[];
  /**
   * The root log evidence is checked against: set for keyless authorities and for keyed ones
   * with `transparencyLog: required`; undefined when a key's signature alone counts.
   */
  readonly trustedRoot: TrustRoot | undefined;
}

/** Reads a trusted root file named in a policy (paths resolved by the caller). */
export type ReadTrustedRoot = (path: string) => string | Uint8Array;

/** Compiles the trust material of one authority; problems are collected in `issues`. */
export function compileAuthorityTrust(
  authority: AuthorityDocument,
  at: FieldPath,
  readTrustedRoot: ReadTrustedRoot | undefined,
  issues: ConfigIssue[],
): AuthorityTrust {
  const { keyless } = authority;
  if (keyless === undefined) {
    if (authority.transparencyLog === undefined) {
      if (authority.trustedRoot !== undefined) {
        issues.push({
          path: [...at, 'trustedRoot'],
          message: 'trustedRoot is used only with transparencyLog: required',
        });
      }
      return { identities: [], trustedRoot: undefined };
    }
    const root = loadRoot(
      authority.trustedRoot?.file,
      [...at, 'trustedRoot'],
      readTrustedRoot,
      issues,
    );
    return { identities: [], trustedRoot: root };
  }
  const root = loadRoot(
    keyless.trustedRoot?.file,
    [...at, 'keyless', 'trustedRoot'],
    readTrustedRoot,
    issues,
  );
  const identities = keyless.identities.flatMap((spec, i) => {
    try {
      return [compileIdentity(spec)];
    } catch (err) {
      if (!(err instanceof IdentityPatternError)) throw err;
      issues.push({
        path: [...at, 'keyless', 'identities', i, 'subjectRegExp'],
        message: `not an RE2 regular expression: ${err.message}`,
      });
      return [];
    }
  });
  return { identities, trustedRoot: root };
}

function loadRoot(
  file: string | undefined,
  at: FieldPath,
  readTrustedRoot: ReadTrustedRoot | undefined,
  issues: ConfigIssue[],
): TrustRoot | undefined {
  try {
    if (file === undefined) return publicGoodRoot();
    if (readTrustedRoot === undefined) {
      issues.push({ path: [...at, 'file'], message: 'trusted root files cannot be read here' });
      return undefined;
    }
    return parseTrustedRoot(readTrustedRoot(file), file);
  } catch (err) {
    const e = asVouchError(err);
    issues.push({
      path: file === undefined ? at : [...at, 'file'],
      message: `${e.code}: ${e.message}${e.hint === undefined ? '' : ` (${e.hint})`}`,
    });
    return undefined;
  }
}
