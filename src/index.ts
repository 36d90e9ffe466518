/**
 * Vouch as a library: compile a policy, decide on an artifact from signed attestations, produce
 * and sign the evidence. What reads files is in `vouch/node` (src/node.ts).
 */
export { parseSignedDocument } from './attestation/attestation.js';
export { signStatement } from './attestation/produce.js';
export { buildStatement, parseStatement, STATEMENT_V1 } from './attestation/statement.js';
export { verifyStatement } from './attestation/verified-statement.js';
export { generateKeyPair, loadPrivateKey, loadPublicKey } from './crypto/keys.js';
export { VouchError } from './errors.js';
export { detectCi, readCiEnvironment } from './evidence/ci-environment.js';
export { summarizeDecision } from './evidence/decision-summary.js';
export { buildSlsaProvenance } from './evidence/provenance.js';
export { buildVulnReview } from './evidence/review.js';
export { buildVulnsPredicate } from './evidence/scan-import.js';
export { parseScanReport } from './evidence/scanners/formats.js';
export { triageFromVex } from './evidence/triage.js';
export { buildVerificationSummary } from './evidence/verification-summary.js';
export { compilePolicy } from './policy/compile.js';
export { evaluatePolicy } from './policy/evaluate.js';
export { explainDecision } from './policy/explain.js';
export { lintPolicy } from './policy/lint.js';
export { parseOpenVex } from './predicates/openvex.js';
export { SLSA_PROVENANCE_V1 } from './predicates/slsa-provenance.js';
export { VSA_PREDICATE_TYPE } from './predicates/verification-summary.js';
export { VULN_REVIEW_PREDICATE_TYPE } from './predicates/vuln-review.js';
export { scanEvidenceFromPredicate, VULNS_PREDICATE_TYPE } from './predicates/vulns.js';
export { VOUCH_VERSION } from './version.js';

export type { SignedDocument } from './attestation/attestation.js';
export type { DigestSet } from './attestation/digest-set.js';
export type { OutputFormat } from './attestation/produce.js';
export type { ResourceDescriptor, Statement } from './attestation/statement.js';
export type { VerifiedStatement } from './attestation/verified-statement.js';
export type { GeneratedKeyPair, KeygenAlgorithm, PrivateKey, PublicKey } from './crypto/keys.js';
export type { ErrorCode, ErrorKind } from './errors.js';
export type { CiFacts, CiSystem, Environment } from './evidence/ci-environment.js';
export type { DecisionSummaryContext } from './evidence/decision-summary.js';
export type { ProvenanceFlags, SlsaProvenancePredicate } from './evidence/provenance.js';
export type { ReviewInput } from './evidence/review.js';
export type { ScanTimes } from './evidence/scan-import.js';
export type { ScanFormat } from './evidence/scanners/formats.js';
export type { ScanFinding, ScanReport } from './evidence/scanners/scan-report.js';
export type { TriageTarget, VexImport } from './evidence/triage.js';
export type { VerificationSummaryInput } from './evidence/verification-summary.js';
export type { CompiledPolicy, CompileOptions } from './policy/compile.js';
export type { ConfigFormat, ConfigSource } from './policy/config-text.js';
export type {
  Artifact,
  Decision,
  PlatformDecision,
  Rejection,
  RejectionCode,
  RequirementResult,
  SatisfiedBy,
} from './policy/decision.js';
export type { CandidateDocument, EvaluationInput } from './policy/evaluate.js';
export type { ExplainOptions } from './policy/explain.js';
export type { PolicyWarning } from './policy/lint.js';
export type { OpenVexDocument } from './predicates/openvex.js';
export type { VerificationSummaryPredicate } from './predicates/verification-summary.js';
export type {
  ReviewDecision,
  TriageStatement,
  VulnReviewPredicate,
} from './predicates/vuln-review.js';
export type { ScanEvidence, VulnsPredicate } from './predicates/vulns.js';
