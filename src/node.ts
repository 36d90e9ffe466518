/**
 * `vouch/node`: the file-system and network side of the library. Reads policies, attestations
 * and artifacts from local paths and registries, and `verify`, the service the CLI calls;
 * everything else is in `vouch` (src/index.ts).
 */
export { digestFile } from './sources/artifact-file.js';
export { localSource, readDocuments } from './sources/local.js';
export { OciRegistry } from './sources/oci/registry.js';
export { registrySource } from './sources/oci/registry-source.js';
export { loadPolicyFile, readPolicyFile } from './sources/policy-file.js';
export { DEFAULT_SOURCE_LIMITS, gatherDocuments } from './sources/source.js';
export { streamSource } from './sources/stream.js';
export { verify } from './verify.js';

export type { ProgressListener } from './sources/artifact-file.js';
export type { OciRegistryOptions } from './sources/oci/registry.js';
export type { PolicyFile } from './sources/policy-file.js';
export type {
  AttestationSource,
  SourceDocument,
  SourceLimits,
  SourceRequest,
  SourceResult,
} from './sources/source.js';
export type {
  ExaminedDocument,
  ImageDiscovery,
  PinnedImage,
  Verification,
  VerifyRequest,
} from './verify.js';
