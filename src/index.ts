export type { SignedDocument } from './attestation/attestation.js';
export { documentSigners, parseSignedDocument } from './attestation/attestation.js';
export type { AttestationBundle, BundleVerifyOptions } from './attestation/bundle.js';
export {
  bundleFromParsedJson,
  envelopeToBundle,
  sigstoreBundleFromJson,
  verifiedBundleKeys,
} from './attestation/bundle.js';
export type { DigestSet } from './attestation/digest-set.js';
export { digestSetsMatch, MATCHING_ALGORITHMS, parseDigestSet } from './attestation/digest-set.js';
export { envelopeToJson, signEnvelope, verifiedKeys } from './attestation/dsse.js';
export type { Envelope, EnvelopeSignature } from './attestation/envelope.js';
export {
  attestationDigest,
  envelopeFromJson,
  IN_TOTO_PAYLOAD_TYPE,
  parseEnvelope,
} from './attestation/envelope.js';
export { pae } from './attestation/pae.js';
export type { OutputFormat } from './attestation/produce.js';
export { OUTPUT_FORMATS, signStatement } from './attestation/produce.js';
export type { ResourceDescriptor, Statement } from './attestation/statement.js';
export {
  buildStatement,
  parseResourceDescriptor,
  parseStatement,
  STATEMENT_V1,
  STATEMENT_V01,
  statementFromJson,
} from './attestation/statement.js';
export type { VerifiedStatement } from './attestation/verified-statement.js';
export { verifyStatement } from './attestation/verified-statement.js';
export type { KeygenAlgorithm, PrivateKey, PublicKey, SignatureScheme } from './crypto/keys.js';
export {
  generateKeyPair,
  KEYGEN_ALGORITHMS,
  loadPrivateKey,
  loadPublicKey,
  publicKeyFromSpki,
} from './crypto/keys.js';
export { signBytes, verifyBytes } from './crypto/signature.js';
export { decodeBase64Strict } from './encoding/base64.js';
export { parseRfc3339, toUtcTimestamp } from './encoding/rfc3339.js';
export type { JsonLimits } from './encoding/strict-json.js';
export { DEFAULT_JSON_LIMITS, parseStrictJson } from './encoding/strict-json.js';
export type { ErrorCode, ErrorKind } from './errors.js';
export { asVouchError, ERROR_CATALOGUE, VouchError } from './errors.js';
export type { AllowExpr } from './policy/allow.js';
export { formatAllow, parseAllow } from './policy/allow.js';
export type {
  CompiledAuthority,
  CompiledPolicy,
  CompiledRequirement,
  CompileOptions,
} from './policy/compile.js';
export { compilePolicy } from './policy/compile.js';
export type { Condition, ConditionResult, ConditionVariables } from './policy/condition.js';
export { compileCondition } from './policy/condition.js';
export type { ConfigFormat, ConfigSource } from './policy/config-text.js';
export type {
  Artifact,
  Decision,
  Rejection,
  RejectionCode,
  RequirementResult,
  SatisfiedBy,
} from './policy/decision.js';
export { REJECTION_CODES } from './policy/decision.js';
export type { DecisionSummaryContext } from './policy/decision-summary.js';
export { resourceUriOf, summarizeDecision } from './policy/decision-summary.js';
export type { CandidateDocument, EvaluationInput } from './policy/evaluate.js';
export { evaluatePolicy } from './policy/evaluate.js';
export type { ExplainOptions } from './policy/explain.js';
export { explainDecision } from './policy/explain.js';
export type { PolicyWarning } from './policy/lint.js';
export { lintPolicy } from './policy/lint.js';
export type { PolicyTestCase } from './policy/test-case.js';
export { caseMismatches, parsePolicyTestCase } from './policy/test-case.js';
export type { CiFacts, CiSystem, Environment } from './predicates/ci-environment.js';
export { detectCi, readCiEnvironment } from './predicates/ci-environment.js';
export type { OpenVexDocument, VexJustification, VexStatus } from './predicates/openvex.js';
export { OPENVEX_CONTEXT, parseOpenVex } from './predicates/openvex.js';
export type { ProvenanceFlags, SlsaProvenancePredicate } from './predicates/provenance-builder.js';
export {
  buildSlsaProvenance,
  GENERIC_BUILD_TYPE,
  GITHUB_WORKFLOW_BUILD_TYPE,
  GITLAB_CI_BUILD_TYPE,
} from './predicates/provenance-builder.js';
export type { ScanFormat } from './predicates/scanners/formats.js';
export { parseScanReport, SCAN_FORMATS } from './predicates/scanners/formats.js';
export type { ScanFinding, ScanReport } from './predicates/scanners/scan-report.js';
export type { Severity, SeveritySummary } from './predicates/severity.js';
export { SEVERITIES } from './predicates/severity.js';
export type { SlsaProvenanceV1 } from './predicates/slsa-provenance.js';
export { parseSlsaProvenanceV1, SLSA_PROVENANCE_V1 } from './predicates/slsa-provenance.js';
export type { PredicateTimeField } from './predicates/timestamps.js';
export {
  attestationTime,
  defaultTimestampPath,
  isPerishable,
  PREDICATE_TIME_FIELDS,
} from './predicates/timestamps.js';
export type { TriageStatement } from './predicates/triage.js';
export { parseTriageArg, triageFromVex } from './predicates/triage.js';
export type {
  ResourceRef,
  VerificationSummaryInput,
  VerificationSummaryPredicate,
} from './predicates/verification-summary.js';
export { buildVerificationSummary, VSA_PREDICATE_TYPE } from './predicates/verification-summary.js';
export type { ReviewDecision, VulnReviewPredicate } from './predicates/vuln-review.js';
export { buildVulnReview, VULN_REVIEW_PREDICATE_TYPE } from './predicates/vuln-review.js';
export type { ScanEvidence, VulnsPredicate } from './predicates/vulns.js';
export {
  buildVulnsPredicate,
  scanEvidenceFromPredicate,
  VULNS_PREDICATE_TYPE,
} from './predicates/vulns.js';
export type { PolicyFile } from './sources/policy-file.js';
export { loadPolicyFile, readPolicyFile } from './sources/policy-file.js';
export type {
  BundleEvidence,
  BundleSigner,
  EvidenceOptions,
  MessageArtifact,
  VerifiedTime,
} from './trust/bundle-evidence.js';
export { verifyBundleEvidence } from './trust/bundle-evidence.js';
export type { CertificateIdentity } from './trust/certificate-identity.js';
export { certificateIdentity, identitySignerId } from './trust/certificate-identity.js';
export type { FulcioExtensionName } from './trust/fulcio-extensions.js';
export { FULCIO_EXTENSION_NAMES, FULCIO_EXTENSIONS } from './trust/fulcio-extensions.js';
export type { IdentityMatcher, IdentitySpec } from './trust/identity.js';
export { anchoringProblem, compileIdentity } from './trust/identity.js';
export { PUBLIC_GOOD_SOURCE, publicGoodRoot } from './trust/public-good.js';
export type { RootMember, TrustRoot, Validity } from './trust/trusted-root.js';
export { parseTrustedRoot } from './trust/trusted-root.js';
export { VOUCH_VERSION } from './version.js';
