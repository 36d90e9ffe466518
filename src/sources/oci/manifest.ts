import * as z from 'zod';
import { narrow } from '../../encoding/shape.js';
import { parseStrictJson } from '../../encoding/strict-json.js';
import { VouchError } from '../../errors.js';
import { type OciDigest, parseDigest } from './digest.js';
import { INDEX_MEDIA_TYPES, MEDIA_TYPE } from './media-types.js';

const digest = z.string().transform((text, ctx): OciDigest => {
  const parsed = parseDigest(text);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'not a sha256/sha512 digest with lowercase hex' });
    return z.NEVER;
  }
  return parsed;
});

const annotations = z.record(z.string(), z.string());

const platform = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
});

// Image spec "Descriptor"; unknown fields are ignored, as the spec requires of consumers.
const descriptor = z.object({
  mediaType: z.string(),
  digest,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  artifactType: z.string().optional(),
  annotations: annotations.optional(),
  platform: platform.optional(),
});

const imageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor),
  subject: descriptor.optional(),
  annotations: annotations.optional(),
});

const imageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptor),
  subject: descriptor.optional(),
  annotations: annotations.optional(),
});

export type Descriptor = z.output<typeof descriptor>;
export type Platform = z.output<typeof platform>;
export type ImageManifest = z.output<typeof imageManifest> & { readonly kind: 'manifest' };
export type ImageIndex = z.output<typeof imageIndex> & { readonly kind: 'index' };
export type Manifest = ImageManifest | ImageIndex;

/**
 * Parses manifest bytes (strict JSON: a duplicate key could make two readers see two
 * manifests) and narrows them to an image manifest or index. The kind comes from the
 * `mediaType` field, else from the Content-Type; a disagreement between the two, or a
 * document with both `layers` and `manifests`, is refused as ambiguous.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
  what: string,
  maxBytes: number,
): Manifest {
  let value: unknown;
  try {
    value = parseStrictJson(bytes, { maxBytes, maxDepth: 32 });
  } catch (cause) {
    const reason = cause instanceof VouchError ? cause.describe() : String(cause);
    throw new VouchError('REGISTRY_INVALID', `${what} is not a valid manifest: ${reason}`, {
      cause,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VouchError('REGISTRY_INVALID', `${what} is not a JSON object`);
  }
  const declared = Object.hasOwn(value, 'mediaType')
    ? (value as { mediaType: unknown }).mediaType
    : undefined;
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  if (declared !== undefined && typeof declared !== 'string') {
    throw new VouchError('REGISTRY_INVALID', `${what}: mediaType is not a string`);
  }
  if (
    declared !== undefined &&
    header !== undefined &&
    isManifestType(header) &&
    declared !== header
  ) {
    throw new VouchError(
      'REGISTRY_INVALID',
      `${what} declares mediaType ${declared} but was served as ${header}`,
    );
  }
  if (Object.hasOwn(value, 'layers') && Object.hasOwn(value, 'manifests')) {
    throw new VouchError('REGISTRY_INVALID', `${what} has both layers and manifests`);
  }
  // Image spec: mediaType SHOULD be present; without it (and a useful header) the shape decides.
  const mediaType =
    declared ??
    (header !== undefined && isManifestType(header)
      ? header
      : Object.hasOwn(value, 'manifests')
        ? MEDIA_TYPE.ociIndex
        : MEDIA_TYPE.ociManifest);
  const options = { hint: 'the registry holds a malformed manifest' };
  if (INDEX_MEDIA_TYPES.has(mediaType)) {
    return { ...narrow(imageIndex, value, 'REGISTRY_INVALID', what, options), kind: 'index' };
  }
  if (mediaType === MEDIA_TYPE.ociManifest || mediaType === MEDIA_TYPE.dockerManifest) {
    return { ...narrow(imageManifest, value, 'REGISTRY_INVALID', what, options), kind: 'manifest' };
  }
  throw new VouchError('REGISTRY_INVALID', `${what} has unsupported media type ${mediaType}`, {
    hint: 'Vouch reads OCI image manifests and indexes, and Docker schema 2',
  });
}

function isManifestType(mediaType: string): boolean {
  return (
    INDEX_MEDIA_TYPES.has(mediaType) ||
    mediaType === MEDIA_TYPE.ociManifest ||
    mediaType === MEDIA_TYPE.dockerManifest
  );
}

/** `os/arch[/variant]` of a platform, as users name it. */
export function platformName(p: Platform): string {
  return p.variant === undefined
    ? `${p.os}/${p.architecture}`
    : `${p.os}/${p.architecture}/${p.variant}`;
}
