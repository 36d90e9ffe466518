import { parseSignedDocument } from '../attestation/attestation.js';
import { parseStatement } from '../attestation/statement.js';
import { readDocuments } from '../sources/local.js';
import { formatReference } from '../sources/oci/reference.js';
import type { OciRegistry } from '../sources/oci/registry.js';
import { registrySource } from '../sources/oci/registry-source.js';
import type { SourceDocument, SourceResult } from '../sources/source.js';
import type { ImageDiscovery } from '../verify.js';
import type { DiscoveryCache } from './discovery-cache.js';
import { untilAborted } from './until-aborted.js';

/**
 * The local directories as read once per TTL: candidate documents by the sha256 subject
 * digests their payloads name, and the entries not read (reported in every decision, as the
 * CLI reports them: a document that could not be read may be the one that was needed).
 */
export interface LocalIndex {
  readonly bySubject: ReadonlyMap<string, readonly SourceDocument[]>;
  readonly skipped: SourceResult['skipped'];
}

export interface ServerDiscoveryOptions {
  /** Where attestations are searched in registries; undefined when `attestations.registry` is off. */
  readonly registry: OciRegistry | undefined;
  /** Attestation directories and files (DESIGN.md section 9), searched recursively. */
  readonly dirs: readonly string[];
  /** The local directories, read and indexed once per TTL. */
  readonly local: DiscoveryCache<LocalIndex>;
  /** Registry discovery per image digest, for its TTL. */
  readonly found: DiscoveryCache<SourceResult>;
  /** How long one registry discovery, shared by the admissions that ask meanwhile, may take (ms). */
  readonly loadDeadline: number;
}

const NOTHING: SourceResult = { documents: [], skipped: [], failures: [] };
const NO_INDEX: LocalIndex = { bySubject: new Map(), skipped: [] };

/**
 * The webhook's discovery for one image manifest (DESIGN.md section 11): the registry's
 * referrers and cosign tags of its digest, and the local documents whose subjects name it,
 * each kept for the discovery TTL. A discovery with a failed path is never kept: the next
 * admission asks the registry again rather than repeating an outage for the whole TTL.
 */
export function serverDiscovery(options: ServerDiscoveryOptions): ImageDiscovery {
  const { registry, dirs } = options;
  const local = (): Promise<LocalIndex> =>
    dirs.length === 0
      ? Promise.resolve(NO_INDEX)
      : options.local.discover('local', async () => {
          const read = readDocuments(dirs);
          return { bySubject: indexBySubject(read.documents), skipped: read.skipped };
        });
  return async (image, request) => {
    const [index, found] = await Promise.all([
      local(),
      registry === undefined
        ? NOTHING
        : untilAborted(
            options.found.discover(
              formatReference(image),
              // Shared by every admission asking while it runs: bounded by its own deadline,
              // never by the first admission's, whose end must not fail the others.
              () =>
                registrySource(registry, image).documents({
                  ...request,
                  signal: AbortSignal.timeout(options.loadDeadline),
                }),
              (result) => result.failures.length === 0,
            ),
            // Each admission stops waiting at its own deadline.
            request.signal,
          ),
    ]);
    const hex = image.digest.startsWith('sha256:') ? image.digest.slice('sha256:'.length) : '';
    return {
      documents: [...found.documents, ...(index.bySubject.get(hex) ?? [])],
      skipped: [...found.skipped, ...index.skipped],
      failures: found.failures,
    };
  };
}

/**
 * Discovery over local files, as a registry's referrers API discovers by subject: a document
 * is a candidate for the digests its payload's subjects name. Reading the unverified subject
 * only routes the bytes; the evaluator still verifies them whole, and a document whose payload
 * names no subject with the image's sha256 could only be rejected (SUBJECT_MISMATCH, DESIGN.md
 * section 6 step 5) — or, not parsing, MALFORMED. Leaving it out cannot change an allow or a deny.
 */
export function indexBySubject(
  documents: readonly SourceDocument[],
): Map<string, SourceDocument[]> {
  const index = new Map<string, SourceDocument[]>();
  for (const document of documents) {
    let subjects: readonly string[];
    try {
      const statement = parseStatement(parseSignedDocument(document.bytes).envelope.payload);
      subjects = statement.subject.flatMap((s) =>
        s.digest.sha256 === undefined ? [] : [s.digest.sha256.toLowerCase()],
      );
    } catch {
      continue;
    }
    for (const hex of new Set(subjects)) index.set(hex, [...(index.get(hex) ?? []), document]);
  }
  return index;
}
