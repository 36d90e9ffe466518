import { RE2JS } from 're2js';
import type { CertificateIdentity } from './certificate-identity.js';
import type { FulcioExtensionName } from './fulcio-extensions.js';

/** A keyless identity as a policy states it (DESIGN.md section 5). */
export interface IdentitySpec {
  readonly issuer: string;
  /** Exact SAN; exactly one of subject and subjectRegExp. */
  readonly subject?: string | undefined;
  /** RE2 pattern searched in the SAN (as cosign's --certificate-identity-regexp). */
  readonly subjectRegExp?: string | undefined;
  /** Fulcio extensions by name, each matched exactly. */
  readonly extensions?: Readonly<Partial<Record<FulcioExtensionName, string>>> | undefined;
}

/** A compiled identity: matching runs in time linear in the SAN (RE2 semantics). */
export interface IdentityMatcher {
  readonly spec: IdentitySpec;
  /** Why the certificate identity is not this one, or undefined when it matches. */
  mismatch(identity: CertificateIdentity): string | undefined;
}

// Policies are ours, but a pattern is still bounded: RE2 programs grow with the pattern.
const MAX_PATTERN_LENGTH = 4096;

export class IdentityPatternError extends Error {
  override readonly name = 'IdentityPatternError';
}

/** Compiles a policy identity; a pattern RE2 rejects is an IdentityPatternError. */
export function compileIdentity(spec: IdentitySpec): IdentityMatcher {
  const { subject, subjectRegExp } = spec;
  let pattern: RE2JS | undefined;
  if (subjectRegExp !== undefined) {
    if (subjectRegExp.length > MAX_PATTERN_LENGTH) {
      throw new IdentityPatternError(`is longer than ${MAX_PATTERN_LENGTH} characters`);
    }
    try {
      pattern = RE2JS.compile(subjectRegExp);
    } catch (err) {
      throw new IdentityPatternError(err instanceof Error ? err.message : String(err));
    }
  }
  const extensions = Object.entries(spec.extensions ?? {}) as [FulcioExtensionName, string][];
  return {
    spec,
    mismatch(identity) {
      if (identity.issuer !== spec.issuer) {
        return `issuer is ${identity.issuer}, not ${spec.issuer}`;
      }
      if (subject !== undefined && identity.subject !== subject) {
        return `subject is ${identity.subject}, not ${subject}`;
      }
      if (pattern !== undefined && !pattern.matcher(identity.subject).find()) {
        return `subject ${identity.subject} does not match ${subjectRegExp}`;
      }
      for (const [name, expected] of extensions) {
        const actual = identity.extension(name);
        if (actual !== expected) {
          return `${name} is ${actual === undefined ? 'absent' : actual}, not ${expected}`;
        }
      }
      return undefined;
    },
  };
}

/**
 * Why a subject pattern can match more than the SANs its author meant, or undefined when it is
 * anchored at both ends (`^...$`) with no top-level `|` (which would unanchor one branch).
 */
export function anchoringProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('^')) return 'does not start with ^: it matches anywhere in the SAN';
  let depth = 0;
  let inClass = false;
  let escaped = false;
  let endsWithAnchor = false;
  for (const c of pattern) {
    endsWithAnchor = !escaped && !inClass && c === '$';
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      return 'has a top-level |: group the alternatives, ^(a|b)$';
    }
  }
  if (!endsWithAnchor) return 'does not end with $: it matches any SAN that starts alike';
  return undefined;
}
