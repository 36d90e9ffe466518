/** Media types Vouch reads and writes (OCI image spec v1.1, Docker schema 2, Sigstore, DSSE). */
export const MEDIA_TYPE = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Image spec 1.1 "empty descriptor": the config of an artifact without one. */
  empty: 'application/vnd.oci.empty.v1+json',
  /** cosign ATTESTATION_SPEC: one DSSE envelope per layer. */
  dsse: 'application/vnd.dsse.envelope.v1+json',
  /** cosign BUNDLE_SPEC and GitHub's attest action. */
  bundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  /** The bundle's own mediaType spelling, which older GitHub attest releases pushed. */
  bundleParameterised: 'application/vnd.dev.sigstore.bundle+json;version=0.3',
  inToto: 'application/vnd.in-toto+json',
} as const;

/** The bytes of the empty descriptor `{}` and its digest (image spec 1.1). */
export const EMPTY_CONFIG = {
  bytes: Buffer.from('{}'),
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPE.ociManifest,
  MEDIA_TYPE.ociIndex,
  MEDIA_TYPE.dockerManifest,
  MEDIA_TYPE.dockerManifestList,
];

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPE.ociIndex,
  MEDIA_TYPE.dockerManifestList,
]);

/** Which kind of signed document a layer (or an artifact) of this media type holds. */
export type DocumentFormat = 'dsse' | 'bundle';

/** Media types compared without parameters' spacing or case (RFC 6838 type/subtype are case-insensitive). */
export function documentFormat(mediaType: string | undefined): DocumentFormat | undefined {
  if (mediaType === undefined) return undefined;
  const normal = mediaType.toLowerCase().replace(/\s+/g, '');
  if (normal === MEDIA_TYPE.dsse) return 'dsse';
  if (normal === MEDIA_TYPE.bundle || normal === MEDIA_TYPE.bundleParameterised) return 'bundle';
  return undefined;
}

/** The layer media type (and artifactType) written for a document format. */
export function layerMediaType(format: DocumentFormat): string {
  switch (format) {
    case 'dsse':
      return MEDIA_TYPE.dsse;
    case 'bundle':
      return MEDIA_TYPE.bundle;
    default: {
      const never: never = format;
      throw new Error(`unknown document format ${String(never)}`);
    }
  }
}
