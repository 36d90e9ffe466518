/**
 * `vouch/node`: the file-system side of the library. Reads policies, attestations and
 * artifacts from local paths; everything else is in `vouch` (src/index.ts).
 */
export { digestFile } from './sources/artifact-file.js';
export { readDocuments } from './sources/local.js';
export { loadPolicyFile, readPolicyFile } from './sources/policy-file.js';

export type { ProgressListener } from './sources/artifact-file.js';
export type { RawDocument } from './sources/local.js';
export type { PolicyFile } from './sources/policy-file.js';
