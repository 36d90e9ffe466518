import { createHash } from 'node:crypto';
import { MEDIA_TYPE } from '../../src/sources/oci/media-types.js';

// Manifests as a hostile registry would serve them: exact bytes the tests choose, so the
// digest the client computes is known in advance.

export const sha256Of = (bytes: Buffer): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** An image manifest with no layers whose bytes differ by `seed`. */
export const manifestBytes = (seed: string): Buffer =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociManifest,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Of(Buffer.from(seed)),
        size: seed.length,
      },
      layers: [],
    }),
  );

export interface IndexEntry {
  readonly digest: string;
  readonly mediaType?: string;
  readonly platform?: { os: string; architecture: string; variant?: string };
}

/** An image index listing `entries` as given (platforms unchecked, sizes made up). */
export const indexBytes = (entries: readonly IndexEntry[]): Buffer =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociIndex,
      manifests: entries.map((e) => ({
        mediaType: e.mediaType ?? MEDIA_TYPE.ociManifest,
        digest: e.digest,
        size: 100,
        ...(e.platform === undefined ? {} : { platform: e.platform }),
      })),
    }),
  );
