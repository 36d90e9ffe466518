import type { Artifact, SkippedInput, SourceFailure } from '../policy/decision.js';

/** One received document: its exact bytes and where it was read (`file`, `file.jsonl#L3`, `oci://…`). */
export interface SourceDocument {
  readonly bytes: Buffer;
  readonly source: string;
}

/**
 * Bounds on what one source reads from files and streams: an attestations directory is
 * untrusted input like the documents in it. A registry is bounded by its own RegistryLimits.
 */
export interface SourceLimits {
  /** Bytes read from one file (enforced while reading, not taken from stat). */
  readonly maxFileBytes: number;
  /** Bytes read from one `.jsonl` file or stream (it holds many documents). */
  readonly maxJsonLinesBytes: number;
  /** Bytes read in total. */
  readonly maxTotalBytes: number;
  /** Directory entries examined in total. */
  readonly maxEntries: number;
  /** Directory levels below a named path. */
  readonly maxDepth: number;
  /** Documents returned in total (each `.jsonl` line is one). */
  readonly maxDocuments: number;
}

// One document may be 16 MiB (the strict JSON limit); the rest bound memory and time.
export const DEFAULT_SOURCE_LIMITS: SourceLimits = {
  maxFileBytes: 16 * 1024 * 1024,
  maxJsonLinesBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntries: 100_000,
  maxDepth: 32,
  maxDocuments: 100_000,
};

export interface SourceRequest {
  /**
   * The artifact whose attestations are wanted, once resolved. A source that finds documents
   * by artifact (a registry) needs it; a source that holds documents whatever the artifact
   * (files) ignores it, and is asked without it while a file artifact waits to be hashed with
   * the algorithms its documents name.
   */
  readonly artifact?: Artifact;
  readonly signal?: AbortSignal;
  readonly limits: SourceLimits;
}

/** What one source (or a union of them) found. Nothing is dropped silently. */
export interface SourceResult {
  readonly documents: SourceDocument[];
  /** Entries not read (special files, over a limit), and why. */
  readonly skipped: SkippedInput[];
  /** Paths of the source that failed; what they held is missing, which can only deny. */
  readonly failures: SourceFailure[];
}

/**
 * Where candidate attestations come from: local files, standard input, an OCI image layout,
 * an OCI registry. A source reports what it could not read in `skipped` or `failures`; it
 * throws only for a request that cannot be served at all (a named path that does not exist).
 */
export interface AttestationSource {
  documents(request: SourceRequest): Promise<SourceResult>;
}

/**
 * The union of what every source found, in the order of the sources. One at a time: a source
 * that cannot be served stops the gathering before the next one is read (standard input).
 */
export async function gatherDocuments(
  sources: readonly AttestationSource[],
  request: SourceRequest,
): Promise<SourceResult> {
  const union: SourceResult = { documents: [], skipped: [], failures: [] };
  for (const source of sources) {
    request.signal?.throwIfAborted();
    const found = await source.documents(request);
    union.documents.push(...found.documents);
    union.skipped.push(...found.skipped);
    union.failures.push(...found.failures);
  }
  return union;
}
