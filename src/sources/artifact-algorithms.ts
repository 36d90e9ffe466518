import { parseSignedDocument } from '../attestation/attestation.js';
import { MATCHING_ALGORITHMS } from '../attestation/digest-set.js';
import { parseStatement, type ResourceDescriptor } from '../attestation/statement.js';
import type { CandidateDocument } from '../policy/evaluate.js';
import { DEFAULT_FILE_ALGORITHMS } from './artifact-file.js';

/**
 * The algorithms to hash an artifact file with so that it can be compared with every candidate
 * subject: sha256, and each algorithm digestSetsMatch compares that some subject names (npm
 * subjects carry sha512 alone). The documents are read here unverified, for algorithm names
 * only: one that does not parse is skipped (it cannot count), and an algorithm named by a forged
 * document only adds a comparison that must agree, so it can deny but never allow.
 */
export function subjectAlgorithms(documents: Iterable<CandidateDocument>): string[] {
  const subjects: ResourceDescriptor[] = [];
  for (const { bytes } of documents) {
    try {
      subjects.push(...parseStatement(parseSignedDocument(bytes).envelope.payload).subject);
    } catch {
      // Not a readable statement: it cannot count, so its algorithms do not matter.
    }
  }
  return descriptorAlgorithms(subjects);
}

/** The same, for subjects already parsed (e.g. those of a verified scan). */
export function descriptorAlgorithms(subjects: Iterable<ResourceDescriptor>): string[] {
  const wanted = new Set(DEFAULT_FILE_ALGORITHMS);
  for (const { digest } of subjects) {
    for (const alg of Object.keys(digest)) if (MATCHING_ALGORITHMS.has(alg)) wanted.add(alg);
  }
  return [...wanted].sort();
}
