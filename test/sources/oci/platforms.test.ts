import { describe, expect, it } from 'vitest';
import type { OciDigest } from '../../../src/sources/oci/digest.js';
import type { Platform } from '../../../src/sources/oci/manifest.js';
import { MEDIA_TYPE } from '../../../src/sources/oci/media-types.js';
import { type ResolvedImage, selectPlatforms } from '../../../src/sources/oci/resolve.js';

const digest = (n: number): OciDigest => `sha256:${n.toString(16).padStart(64, '0')}`;

/** An index as a registry (anyone who can push the tag) wrote it. */
function indexOf(platforms: readonly Platform[]): ResolvedImage {
  const manifests = platforms.map((platform, i) => ({
    mediaType: MEDIA_TYPE.ociManifest,
    digest: digest(i + 1),
    size: 100,
    platform,
  }));
  return {
    digest: digest(0),
    mediaType: MEDIA_TYPE.ociIndex,
    bytes: Buffer.from('{}'),
    manifest: { kind: 'index', schemaVersion: 2, manifests },
  };
}

describe('selecting the platform manifests that must be attested', () => {
  it('never takes an os or architecture holding a / for the platform it spells', () => {
    const image = indexOf([
      { os: 'linux/amd64', architecture: 'x' },
      { os: 'linux', architecture: 'amd64' },
    ]);
    expect(selectPlatforms(image, ['linux/amd64']).map((p) => p.digest)).toEqual([digest(2)]);
  });

  it('selects every manifest the runtime could pick for a named platform: each variant, each duplicate', () => {
    const image = indexOf([
      { os: 'linux', architecture: 'arm', variant: 'v6' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'amd64' },
    ]);
    expect(selectPlatforms(image, ['linux/arm']).map((p) => p.digest)).toEqual([
      digest(1),
      digest(2),
    ]);
    expect(selectPlatforms(image, ['linux/amd64']).map((p) => p.digest)).toEqual([
      digest(3),
      digest(4),
    ]);
    expect(selectPlatforms(image, ['linux/arm/v7']).map((p) => p.digest)).toEqual([digest(2)]);
  });
});
