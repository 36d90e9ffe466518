import { parseStrictJson } from '../../encoding/strict-json.js';
import { VouchError } from '../../errors.js';
import type { RegistryClient } from './client.js';
import type { Deadline } from './deadline.js';
import { digestOf, type OciDigest, referrersTag } from './digest.js';
import type { Descriptor } from './manifest.js';
import { type DocumentFormat, EMPTY_CONFIG, layerMediaType, MEDIA_TYPE } from './media-types.js';
import type { ImageReference } from './reference.js';
import { resolveImage } from './resolve.js';

export interface PushDocument {
  readonly bytes: Buffer;
  readonly format: DocumentFormat;
  /** The Statement's predicateType, annotated so that listings can be filtered unopened. */
  readonly predicateType: string;
  /** Annotation `org.opencontainers.image.created` (RFC 3339). */
  readonly created: string;
}

export interface PushResult {
  /** The subject image's manifest digest. */
  readonly subject: OciDigest;
  /** The artifact manifest's digest. */
  readonly digest: OciDigest;
  /** True when the registry lacks the referrers API and the tag-schema index was updated. */
  readonly tagSchemaUpdated: boolean;
}

/**
 * Stores a signed document as an OCI 1.1 referrer of the image (image spec "artifacts"
 * guidance): an image manifest with `artifactType` = the layer's media type, the empty config,
 * one layer holding the document, and `subject` = the image. Bundles carry the annotations
 * cosign's BUNDLE_SPEC and GitHub's attest action write, so `cosign verify-attestation` (v3)
 * and `gh attestation verify --bundle-from-oci` find them. When the registry does not answer
 * with `OCI-Subject` (no referrers API), the referrers tag-schema index is updated too.
 */
export async function pushReferrer(
  client: RegistryClient,
  image: ImageReference,
  document: PushDocument,
  deadline: Deadline,
): Promise<PushResult> {
  const subject = await resolveImage(client, image, deadline);
  const repository = image.repository;
  const mediaType = layerMediaType(document.format);
  await client.pushBlob(repository, EMPTY_CONFIG.bytes, deadline);
  const layerDigest = await client.pushBlob(repository, document.bytes, deadline);
  const annotations: Record<string, string> =
    document.format === 'bundle'
      ? {
          'dev.sigstore.bundle.content': 'dsse-envelope',
          'dev.sigstore.bundle.predicateType': document.predicateType,
          'org.opencontainers.image.created': document.created,
        }
      : {
          // BuildKit's attestation-manifest annotation for a predicate type.
          'in-toto.io/predicate-type': document.predicateType,
          'org.opencontainers.image.created': document.created,
        };
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.ociManifest,
    artifactType: mediaType,
    config: {
      mediaType: MEDIA_TYPE.empty,
      digest: EMPTY_CONFIG.digest,
      size: EMPTY_CONFIG.bytes.byteLength,
    },
    layers: [{ mediaType, digest: layerDigest, size: document.bytes.byteLength }],
    subject: {
      mediaType: subject.mediaType,
      digest: subject.digest,
      size: subject.bytes.byteLength,
    },
    annotations,
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const stored = await client.pushManifest(
    repository,
    digestOf(bytes),
    bytes,
    MEDIA_TYPE.ociManifest,
    deadline,
  );
  if (stored.subject === subject.digest)
    return { subject: subject.digest, digest: stored.digest, tagSchemaUpdated: false };
  await addToTagSchema(
    client,
    repository,
    subject.digest,
    {
      mediaType: MEDIA_TYPE.ociManifest,
      digest: stored.digest,
      size: bytes.byteLength,
      artifactType: mediaType,
      annotations,
    },
    deadline,
  );
  return { subject: subject.digest, digest: stored.digest, tagSchemaUpdated: true };
}

/**
 * Distribution spec 1.1 "Pushing Manifests with Subject": without `OCI-Subject` in the
 * answer, the client adds the artifact to the index tagged `<alg>-<hex>` (creating it if
 * absent). Read-modify-write without If-Match (registry 2.8 has none): two concurrent pushers
 * can drop each other's entry, which hides evidence (a deny), never adds any.
 */
async function addToTagSchema(
  client: RegistryClient,
  repository: string,
  subject: OciDigest,
  entry: Descriptor,
  deadline: Deadline,
): Promise<void> {
  const tag = referrersTag(subject);
  const existing = await client.manifestIfPresent(repository, tag, deadline);
  if (existing !== undefined && existing.manifest.kind !== 'index') {
    throw new VouchError(
      'REGISTRY_INVALID',
      `registry ${client.registry}: tag ${tag} exists and is not an image index`,
      {
        hint: 'the referrers tag schema reserves this tag for an index of artifacts',
      },
    );
  }
  if (
    existing?.manifest.kind === 'index' &&
    existing.manifest.manifests.some((d) => d.digest === entry.digest)
  )
    return;
  // Other entries are kept as stored, fields Vouch does not model included.
  const stored =
    existing === undefined
      ? []
      : (parseStrictJson(existing.bytes) as { manifests: unknown[] }).manifests;
  const manifests = [...stored, entry];
  const index = { schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests };
  await client.pushManifest(
    repository,
    tag,
    Buffer.from(JSON.stringify(index)),
    MEDIA_TYPE.ociIndex,
    deadline,
  );
}
