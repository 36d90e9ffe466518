export type { SignedDocument } from './attestation/attestation.js';
export { documentSigners, parseSignedDocument } from './attestation/attestation.js';
export type { AttestationBundle, BundleVerifyOptions } from './attestation/bundle.js';
export {
  bundleFromParsedJson,
  envelopeToBundle,
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
export type { JsonLimits } from './encoding/strict-json.js';
export { DEFAULT_JSON_LIMITS, parseStrictJson } from './encoding/strict-json.js';
export type { ErrorCode, ErrorKind } from './errors.js';
export { ERROR_CATALOGUE, VouchError } from './errors.js';
export type { SlsaProvenanceV1 } from './predicates/slsa-provenance.js';
export { parseSlsaProvenanceV1, SLSA_PROVENANCE_V1 } from './predicates/slsa-provenance.js';
