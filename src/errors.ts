/**
 * One catalogue of stable error codes. Every failure Vouch reports carries one of these codes;
 * docs/errors.md documents each (a test keeps the two in step).
 */
export const ERROR_CATALOGUE = {
  // malformed untrusted input
  TOO_LARGE: { kind: 'input', summary: 'document exceeds the size limit' },
  BAD_ENCODING: { kind: 'input', summary: 'document is not valid UTF-8' },
  JSON_SYNTAX: { kind: 'input', summary: 'document is not valid JSON' },
  JSON_DUPLICATE_KEY: { kind: 'input', summary: 'a JSON object repeats a key' },
  JSON_TOO_DEEP: { kind: 'input', summary: 'JSON nesting exceeds the depth limit' },
  BAD_BASE64: { kind: 'input', summary: 'a field is not strict base64' },
  MALFORMED: { kind: 'input', summary: 'a field is missing, of the wrong type, or unknown' },
  UNSUPPORTED_BUNDLE: {
    kind: 'input',
    summary: 'Sigstore bundle version or content not supported',
  },
  // verification failures
  NO_SIGNATURES: { kind: 'verification', summary: 'envelope carries no signatures' },
  BAD_SIGNATURE: { kind: 'verification', summary: 'no signature verifies with a trusted key' },
  UNTRUSTED_SIGNER: { kind: 'verification', summary: 'signed by a key no authority trusts' },
  BELOW_THRESHOLD: { kind: 'verification', summary: 'fewer distinct trusted keys than required' },
  WRONG_PAYLOAD_TYPE: { kind: 'verification', summary: 'payloadType is not in-toto' },
  // evidence producers: scanner reports, OpenVEX documents
  SCAN_FORMAT_UNSUPPORTED: { kind: 'usage', summary: 'scanner report format not supported' },
  SCAN_REPORT_INVALID: {
    kind: 'input',
    summary: "scanner report does not have its format's documented JSON shape",
  },
  VEX_UNSUPPORTED: { kind: 'input', summary: 'OpenVEX version (@context) not supported' },
  VEX_INVALID: { kind: 'input', summary: 'OpenVEX document violates the v0.2.0 schema' },
  // why an attestation does not count for a requirement (decision reasons, DESIGN.md section 7)
  WRONG_PREDICATE_TYPE: { kind: 'verification', summary: 'predicateType is not the one required' },
  SUBJECT_MISMATCH: { kind: 'verification', summary: 'no subject digest matches the artifact' },
  NO_TIMESTAMP: { kind: 'verification', summary: 'the attestation time is missing or invalid' },
  EXPIRED: { kind: 'verification', summary: 'the attestation is older than maxAge' },
  FUTURE_TIMESTAMP: { kind: 'verification', summary: 'the attestation is dated in the future' },
  CONDITION_FALSE: { kind: 'verification', summary: 'the requirement condition is false' },
  CONDITION_ERROR: { kind: 'verification', summary: 'the requirement condition failed' },
  // keys and files
  KEY_UNREADABLE: { kind: 'configuration', summary: 'key file is not a supported PEM key' },
  KEY_UNSUPPORTED: { kind: 'configuration', summary: 'key algorithm or size not supported' },
  POLICY_INVALID: {
    kind: 'configuration',
    summary: 'policy file is malformed or inconsistent',
  },
  FIXTURE_INVALID: { kind: 'configuration', summary: 'policy test case file is malformed' },
  KEY_PASSPHRASE: { kind: 'configuration', summary: 'private key passphrase missing or wrong' },
  FILE_EXISTS: { kind: 'usage', summary: 'refusing to overwrite an existing file' },
  IO_ERROR: { kind: 'input', summary: 'file cannot be read or written' },
  USAGE: {
    kind: 'usage',
    summary: 'an argument is invalid: a command-line flag, or a field a caller supplied',
  },
  KEY_WEAK: {
    kind: 'configuration',
    summary: 'key is degenerate or weak (forgeable signatures, or not a valid point)',
  },
  TOO_MANY_SIGNATURES: {
    kind: 'input',
    summary: 'envelope carries more signatures than the limit',
  },
  INTERNAL: { kind: 'internal', summary: 'unexpected fault (a bug): treated as a failure' },
  // OCI registries (src/sources/oci): a deny during verification, an input error elsewhere
  REGISTRY_UNAVAILABLE: {
    kind: 'input',
    summary: 'registry unreachable, timed out, or failing (5xx/429) past the deadline',
  },
  REGISTRY_DENIED: { kind: 'input', summary: 'registry refused the credentials or the access' },
  REGISTRY_NOT_FOUND: { kind: 'input', summary: 'repository, tag, manifest or blob not found' },
  REGISTRY_INVALID: {
    kind: 'input',
    summary: 'registry content malformed, over a limit, or not matching its digest',
  },
  REGISTRY_TLS: {
    kind: 'input',
    summary: "registry's TLS certificate is not trusted, or the registry does not speak TLS",
  },
  NO_DOCUMENTS: {
    kind: 'verification',
    summary: 'no attestation was found where the command looked: nothing verified',
  },
  // admission webhook (vouch serve)
  SERVER_CONFIG_INVALID: {
    kind: 'configuration',
    summary: 'server configuration file is malformed or inconsistent',
  },
  ADMISSION_INVALID: { kind: 'input', summary: 'AdmissionReview request is malformed' },
  IMAGE_REF_INVALID: { kind: 'input', summary: 'container image reference does not parse' },
  IMAGE_UNMATCHED: { kind: 'verification', summary: 'no image policy matches the image' },
  DEADLINE_EXCEEDED: { kind: 'verification', summary: 'verification did not finish in time' },
  NAMESPACE_LABELS_UNAVAILABLE: {
    kind: 'verification',
    summary: "the namespace's labels, which an image policy selects by, could not be read",
  },
  // the Kubernetes API, read by vouch serve for namespace labels (src/server/kubernetes-api.ts)
  KUBERNETES_UNAVAILABLE: {
    kind: 'input',
    summary: 'Kubernetes API unreachable, timed out or failing, or not running in a cluster',
  },
  KUBERNETES_FORBIDDEN: {
    kind: 'configuration',
    summary: "the Kubernetes API refused the webhook's service account (401 or 403: RBAC)",
  },
  NAMESPACE_NOT_FOUND: { kind: 'input', summary: 'the Kubernetes API has no such namespace (404)' },
  KUBERNETES_INVALID: {
    kind: 'input',
    summary: 'Kubernetes API answer malformed or over a size or count limit',
  },
  // keyless Sigstore: trusted roots and log evidence
  TRUST_ROOT_INVALID: {
    kind: 'configuration',
    summary: 'Sigstore trusted root is malformed or incomplete',
  },
  CERTIFICATE_INVALID: {
    kind: 'verification',
    summary: 'signing certificate does not chain to the trusted root at the signing time',
  },
  LOG_EVIDENCE_INVALID: {
    kind: 'verification',
    summary: 'transparency-log entry or timestamp missing or does not verify',
  },
  TUF_UPDATE_FAILED: { kind: 'input', summary: 'trusted root could not be refreshed through TUF' },
} as const satisfies Record<string, { kind: ErrorKind; summary: string }>;

export type ErrorKind = 'input' | 'verification' | 'configuration' | 'usage' | 'internal';
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorDetails {
  /** JSON path or file path of the offending field, e.g. `$.signatures[0].sig`. */
  path?: string;
  /**
   * The caller-supplied input at fault, by field name (e.g. `subject`, `at`, `builderId`).
   * Library code names fields, never CLI flags: the CLI maps fields to its flags.
   */
  field?: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class VouchError extends Error {
  override readonly name = 'VouchError';
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.field = details.field;
    this.hint = details.hint;
  }

  get kind(): ErrorKind {
    return ERROR_CATALOGUE[this.code].kind;
  }

  /** `CODE at PATH: message (hint)`, one line for stderr and decision reasons (PATH: path, else field). */
  describe(): string {
    const where = this.path ?? this.field;
    const at = where === undefined ? '' : ` at ${where}`;
    const hint = this.hint === undefined ? '' : ` (${this.hint})`;
    return `${this.code}${at}: ${this.message}${hint}`;
  }
}

/** Any thrown value as a VouchError; foreign errors become INTERNAL, never a success. */
export function asVouchError(err: unknown): VouchError {
  if (err instanceof VouchError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new VouchError('INTERNAL', message, { cause: err });
}
