import { asVouchError, type ErrorCode, VouchError } from '../../errors.js';
import type { FetchedManifest, RegistryClient } from './client.js';
import type { Deadline } from './deadline.js';
import { cosignAttestationTag, type OciDigest, referrersTag } from './digest.js';
import type { Descriptor } from './manifest.js';
import { type DocumentFormat, documentFormat } from './media-types.js';
import { formatReference } from './reference.js';

/** A signed document found in a registry, its bytes checked against its digest. */
export interface DiscoveredDocument {
  readonly bytes: Buffer;
  /** The document's digest (of its bytes): what de-duplicates it across discovery paths. */
  readonly digest: OciDigest;
  /** `oci://registry/repository@<artifact manifest digest>`: where it was found. */
  readonly source: string;
  readonly mediaType: string;
  readonly format: DocumentFormat;
}

/** The three places attestations live (DESIGN.md section 9). */
export type DiscoveryPath = 'referrers' | 'tag-schema' | 'cosign-att';

export interface DiscoveryFailure {
  readonly path: DiscoveryPath;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface Discovery {
  readonly documents: readonly DiscoveredDocument[];
  /** Paths (or artifacts on them) that failed; the documents found elsewhere still count. */
  readonly failures: readonly DiscoveryFailure[];
}

export interface DiscoverOptions {
  /** Passed to the referrers API as its artifactType filter (the result is filtered here too). */
  readonly artifactType?: string;
}

interface Artifact {
  readonly path: DiscoveryPath;
  readonly manifest: FetchedManifest;
}

const PARALLEL_FETCHES = 4;

/**
 * Discovers the signed documents attached to `subject` in `repository`, from every path at
 * once: the referrers API (or, where the registry lacks it, the referrers tag schema) and
 * cosign's `.att` tag. Results are unioned and de-duplicated by document digest. A failing
 * path becomes a failure entry, never an exception: the caller decides with what was found,
 * and missing evidence can only deny.
 */
export async function discoverDocuments(
  client: RegistryClient,
  repository: string,
  subject: OciDigest,
  deadline: Deadline,
  options: DiscoverOptions = {},
): Promise<Discovery> {
  const failures: DiscoveryFailure[] = [];
  const fail = (path: DiscoveryPath, err: unknown): void => {
    const e = asVouchError(err);
    failures.push({ path, code: e.code, message: e.message });
  };
  const [referred, cosign] = await Promise.all([
    referrerArtifacts(client, repository, subject, deadline, options, fail),
    cosignArtifact(client, repository, subject, deadline).catch((err: unknown) => {
      fail('cosign-att', err);
      return [];
    }),
  ]);
  const artifacts = [...referred, ...cosign];
  const layers: {
    path: DiscoveryPath;
    source: string;
    layer: Descriptor;
    format: DocumentFormat;
  }[] = [];
  const seen = new Set<string>();
  for (const { path, manifest } of artifacts) {
    if (manifest.manifest.kind !== 'manifest') continue;
    const source = formatReference({
      registry: client.registry,
      repository,
      digest: manifest.digest,
    });
    for (const layer of manifest.manifest.layers) {
      const format = documentFormat(layer.mediaType);
      if (format === undefined || seen.has(layer.digest)) continue;
      if (seen.size >= client.limits.maxDocuments) {
        fail(
          path,
          new VouchError(
            'REGISTRY_INVALID',
            `more than ${client.limits.maxDocuments} documents for ${subject}; the rest were not read`,
          ),
        );
        break;
      }
      seen.add(layer.digest);
      layers.push({ path, source, layer, format });
    }
  }
  const documents: DiscoveredDocument[] = [];
  await inBatches(layers, async ({ path, source, layer, format }) => {
    try {
      const bytes = await client.blob(repository, layer, deadline);
      documents.push({ bytes, digest: layer.digest, source, mediaType: layer.mediaType, format });
    } catch (err) {
      fail(path, err);
    }
  });
  // Stable order whatever the network did: the decision must not depend on timing.
  documents.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  return { documents, failures };
}

async function referrerArtifacts(
  client: RegistryClient,
  repository: string,
  subject: OciDigest,
  deadline: Deadline,
  options: DiscoverOptions,
  fail: (path: DiscoveryPath, err: unknown) => void,
): Promise<Artifact[]> {
  let path: DiscoveryPath = 'referrers';
  let descriptors: readonly Descriptor[];
  try {
    const listing = await client.referrers(repository, subject, options.artifactType, deadline);
    if (listing.supported) {
      descriptors = listing.descriptors;
    } else {
      // Distribution spec 1.1: a 404 from the referrers API means "use the tag schema".
      path = 'tag-schema';
      const index = await client.manifestIfPresent(repository, referrersTag(subject), deadline);
      if (index === undefined) return [];
      if (index.manifest.kind !== 'index') {
        throw new VouchError(
          'REGISTRY_INVALID',
          `referrers tag ${referrersTag(subject)} is not an image index`,
        );
      }
      descriptors = index.manifest.manifests;
      if (descriptors.length > client.limits.maxArtifacts) {
        throw new VouchError(
          'REGISTRY_INVALID',
          `referrers tag ${referrersTag(subject)} lists more than ${client.limits.maxArtifacts} artifacts`,
        );
      }
    }
  } catch (err) {
    fail(path, err);
    return [];
  }
  const wanted = descriptors.filter(
    (d) =>
      documentFormat(d.artifactType) !== undefined &&
      (options.artifactType === undefined || d.artifactType === options.artifactType),
  );
  const out: Artifact[] = [];
  const seen = new Set<string>();
  await inBatches(wanted, async (d) => {
    if (seen.has(d.digest)) return;
    seen.add(d.digest);
    try {
      const manifest = await client.manifest(repository, d.digest, deadline);
      // A listing may name anything; only an artifact whose subject is this image counts.
      const named = manifest.manifest.subject?.digest;
      if (named !== subject) {
        throw new VouchError(
          'REGISTRY_INVALID',
          `artifact ${d.digest} names subject ${named ?? 'none'}, not ${subject}`,
        );
      }
      out.push({ path, manifest });
    } catch (err) {
      fail(path, err);
    }
  });
  return out;
}

// cosign ATTESTATION_SPEC: the `sha256-<hex>.att` tag holds one manifest, a DSSE envelope per layer.
async function cosignArtifact(
  client: RegistryClient,
  repository: string,
  subject: OciDigest,
  deadline: Deadline,
): Promise<Artifact[]> {
  const tag = cosignAttestationTag(subject);
  const manifest = await client.manifestIfPresent(repository, tag, deadline);
  if (manifest === undefined) return [];
  if (manifest.manifest.kind !== 'manifest') {
    throw new VouchError('REGISTRY_INVALID', `cosign tag ${tag} is not an image manifest`);
  }
  return [{ path: 'cosign-att', manifest }];
}

async function inBatches<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_FETCHES, items.length) }, worker));
}
