import { parseSignedDocument } from '../../attestation/attestation.js';
import { digestSetsMatch } from '../../attestation/digest-set.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../attestation/envelope.js';
import { parseStatement, type Statement } from '../../attestation/statement.js';
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
  /**
   * The Statement's predicateType, annotated so that listings can be filtered unopened. Read
   * from the document when absent; refused when it differs from the document's.
   */
  readonly predicateType?: string;
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
 * guidance, cosign specs/BUNDLE_SPEC.md): an image manifest with `artifactType` = the layer's
 * media type, the empty config, one layer holding the document (titled
 * `sha256-<hex>.sigstore.json` or `.dsse.json`), and `subject` = the image. Bundles carry the
 * annotations cosign's `WriteAttestationNewBundleFormat` writes, so `cosign
 * verify-attestation` (v3) and `gh attestation verify --bundle-from-oci` find them. When the
 * registry does not answer with `OCI-Subject` (no referrers API), the referrers tag-schema
 * index is updated too. The document must be an in-toto Statement one of whose subjects is
 * the image's manifest digest: a referrer that does not attest its subject is refused here.
 */
export async function pushReferrer(
  client: RegistryClient,
  image: ImageReference,
  document: PushDocument,
  deadline: Deadline,
): Promise<PushResult> {
  const statement = readDocument(document);
  const subject = await resolveImage(client, image, deadline);
  assertAttests(statement.subject, subject.digest);
  const repository = image.repository;
  const mediaType = layerMediaType(document.format);
  await client.pushBlob(repository, EMPTY_CONFIG.bytes, deadline);
  const layerDigest = await client.pushBlob(repository, document.bytes, deadline);
  const annotations: Record<string, string> =
    document.format === 'bundle'
      ? {
          'dev.sigstore.bundle.content': 'dsse-envelope',
          'dev.sigstore.bundle.predicateType': statement.predicateType,
          'org.opencontainers.image.created': document.created,
        }
      : {
          // BuildKit's attestation-manifest annotation for a predicate type.
          'in-toto.io/predicate-type': statement.predicateType,
          'org.opencontainers.image.created': document.created,
        };
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.ociManifest,
    artifactType: mediaType,
    // cosign's WriteReferrer also types the config descriptor, and `cosign clean --type
    // referrer` finds bundles by it (cmd/cosign/cli/clean.go).
    config: {
      mediaType: MEDIA_TYPE.empty,
      artifactType: mediaType,
      digest: EMPTY_CONFIG.digest,
      size: EMPTY_CONFIG.bytes.byteLength,
    },
    layers: [
      {
        mediaType,
        digest: layerDigest,
        size: document.bytes.byteLength,
        annotations: { 'org.opencontainers.image.title': layerTitle(layerDigest, document.format) },
      },
    ],
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
 * The document's Statement, read (not verified: the signer is the caller) to check that it
 * is what the manifest will say it is: the format, an in-toto payload, the predicateType.
 */
function readDocument(document: PushDocument): Statement {
  const doc = parseSignedDocument(document.bytes);
  const refuse = (why: string): VouchError =>
    new VouchError('USAGE', `the document to push ${why}`, { field: 'document' });
  if (doc.format !== document.format) throw refuse(`is a ${doc.format}, not a ${document.format}`);
  if (doc.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw refuse(`has payloadType ${JSON.stringify(doc.envelope.payloadType)}, not in-toto`);
  }
  const statement = parseStatement(doc.envelope.payload);
  if (document.predicateType !== undefined && document.predicateType !== statement.predicateType) {
    throw refuse(
      `has predicateType ${JSON.stringify(statement.predicateType)}, not ${JSON.stringify(document.predicateType)}`,
    );
  }
  return statement;
}

/** True iff some Statement subject has the image's manifest digest. */
export function attestsImage(subjects: Statement['subject'], image: OciDigest): boolean {
  const [algorithm = '', hex = ''] = image.split(':');
  const wanted = { [algorithm]: hex };
  return subjects.some((s) => digestSetsMatch(s.digest, wanted));
}

/** A referrer attests its subject: a document about other artifacts is not attached to it. */
function assertAttests(subjects: Statement['subject'], image: OciDigest): void {
  if (attestsImage(subjects, image)) return;
  throw new VouchError(
    'USAGE',
    `no subject of the document to push has the image's digest ${image}`,
    {
      field: 'subject',
      hint: 'attest the image by its manifest digest, or push to the image the document is about',
    },
  );
}

/** cosign BUNDLE_SPEC "Layer Annotations": `<alg>-<hex>` and an extension saying the format. */
function layerTitle(digest: OciDigest, format: DocumentFormat): string {
  const name = digest.replace(':', '-');
  switch (format) {
    case 'bundle':
      return `${name}.sigstore.json`;
    case 'dsse':
      return `${name}.dsse.json`;
    default: {
      const never: never = format;
      throw new Error(`unknown document format ${String(never)}`);
    }
  }
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
