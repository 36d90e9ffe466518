import { setImmediate } from 'node:timers/promises';
import { parseSignedDocument } from '../attestation/attestation.js';
import { attestationDigest } from '../attestation/envelope.js';
import { parseStatement } from '../attestation/statement.js';
import { asVouchError } from '../errors.js';
import { type CandidateDocument, evaluatePolicy } from '../policy/evaluate.js';
import { readDocuments } from '../sources/local.js';
import type { SourceDocument } from '../sources/source.js';
import { breakglassGrant } from './breakglass.js';
import type { ServerSettings } from './config.js';
import { DiscoveryCache } from './discovery-cache.js';
import { DocumentCache } from './document-cache.js';
import type { ImageVerdict, ImageVerifier, VerifyImageRequest } from './image-verifier.js';
import type { ServerMetrics } from './metrics.js';

export interface LocalVerifierOptions {
  /** Attestation directories and files (DESIGN.md section 9), searched recursively. */
  readonly dirs: readonly string[];
  readonly discovery: DiscoveryCache<LocalIndex>;
  readonly documents: DocumentCache;
}

/**
 * The verifier until `verify.ts` and the registry source land: every document in the local
 * attestation directories is a candidate for every image (the evaluator matches subjects).
 * Without a registry a tag cannot be resolved, nor an index's platform manifests listed:
 * those images are denied, saying why.
 */
export function localImageVerifier(options: LocalVerifierOptions): ImageVerifier {
  const discover = () =>
    options.discovery.discover('local', async () =>
      indexBySubject(readDocuments(options.dirs).documents),
    );
  return {
    async verifyImage(request: VerifyImageRequest): Promise<ImageVerdict> {
      const { image, policy, platforms, now } = request;
      if (image.digest === undefined) {
        return {
          kind: 'failed',
          code: 'IMAGE_NOT_PINNED',
          message: `${image.original} is given by tag only; resolving tags needs the registry source, which this build does not have yet: pin the image by digest (@sha256:...)`,
        };
      }
      if (platforms !== 'index') {
        return {
          kind: 'failed',
          code: 'PLATFORMS_UNRESOLVED',
          message: `platforms ${Array.isArray(platforms) ? platforms.join(', ') : platforms} needs the image index from the registry source, which this build does not have yet`,
        };
      }
      const hex = image.digest.slice('sha256:'.length);
      let documents: readonly CandidateDocument[];
      try {
        documents = (await discover()).get(hex) ?? [];
      } catch (err) {
        const e = asVouchError(err);
        return { kind: 'failed', code: e.code, message: e.describe() };
      }
      // Each image's verification is its own turn of the event loop: a request with many
      // images must not hold up the others (their continuations would otherwise all run in
      // one run of microtasks).
      await setImmediate();
      const artifact = {
        name: image.name,
        digest: { sha256: image.digest.slice('sha256:'.length) },
      };
      const decision = evaluatePolicy(policy, {
        artifact,
        documents,
        at: now,
        verifiedDocuments: options.documents.forPolicy(policy),
      });
      const breakglass =
        decision.allowed || request.breakglass === undefined
          ? undefined
          : breakglassGrant(
              evaluatePolicy(request.breakglass, {
                artifact,
                documents,
                at: now,
                verifiedDocuments: options.documents.forPolicy(request.breakglass),
              }),
              documents,
              attestationDigest,
            );
      return { kind: 'evaluated', digest: image.digest, decision, breakglass };
    },
  };
}

/** Candidate documents by the sha256 subject digests their payloads name. */
export type LocalIndex = ReadonlyMap<string, readonly CandidateDocument[]>;

/**
 * Discovery over local files, as a registry's referrers API discovers by subject: a document
 * is a candidate for the digests its payload's subjects name. Reading the unverified subject
 * only routes the bytes; the evaluator still verifies them whole, and a document whose payload
 * names no subject with the image's sha256 could only be rejected (SUBJECT_MISMATCH, DESIGN.md
 * section 6 step 5) — or, not parsing, MALFORMED. Leaving it out cannot change an allow or a deny.
 */
export function indexBySubject(documents: readonly SourceDocument[]): LocalIndex {
  const index = new Map<string, CandidateDocument[]>();
  for (const { bytes, source } of documents) {
    let subjects: readonly string[];
    try {
      const statement = parseStatement(parseSignedDocument(bytes).envelope.payload);
      subjects = statement.subject.flatMap((s) =>
        s.digest.sha256 === undefined ? [] : [s.digest.sha256.toLowerCase()],
      );
    } catch {
      continue;
    }
    for (const hex of new Set(subjects))
      index.set(hex, [...(index.get(hex) ?? []), { bytes, source }]);
  }
  return index;
}

/** The local verifier for a configuration, with fresh caches counted in the metrics. */
export function localVerifierFor(settings: ServerSettings, metrics: ServerMetrics): ImageVerifier {
  const counter = (cache: string) => (result: 'hit' | 'miss') =>
    metrics.cache.inc({ cache, result });
  return localImageVerifier({
    dirs: settings.attestations.dirs,
    discovery: new DiscoveryCache(settings.cache.discoveryTtl, Date.now, counter('discovery')),
    documents: new DocumentCache(settings.cache.documents, counter('documents')),
  });
}
