import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MEDIA_TYPE } from '../../src/sources/oci/media-types.js';
import { skopeo, TEST_LOGIN } from './registry.js';

/** A blob or manifest as written into a test OCI layout. */
export interface Blob {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

const sha256 = (bytes: Buffer): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A scratch OCI image layout directory that tests fill and skopeo copies from. */
export class TestLayout {
  readonly dir: string;
  private readonly index: (Blob & { annotations?: Record<string, string>; platform?: object })[] =
    [];

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  }

  blob(bytes: Buffer, mediaType: string): Blob {
    const digest = sha256(bytes);
    writeFileSync(join(this.dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.byteLength };
  }

  json(value: unknown, mediaType: string): Blob {
    return this.blob(Buffer.from(JSON.stringify(value)), mediaType);
  }

  /** Names a manifest in index.json under a tag (`org.opencontainers.image.ref.name`). */
  tag(name: string, manifest: Blob): void {
    this.index.push({ ...manifest, annotations: { 'org.opencontainers.image.ref.name': name } });
    writeFileSync(
      join(this.dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests: this.index }),
    );
  }

  /** A runnable-looking single-platform image: a config and one gzipped empty tar layer. */
  image(os = 'linux', architecture = 'amd64', label = 'app'): Blob {
    const layer = this.blob(
      gzipSync(Buffer.alloc(1024)),
      'application/vnd.oci.image.layer.v1.tar+gzip',
    );
    const config = this.json(
      {
        architecture,
        os,
        config: { Labels: { app: label } },
        rootfs: { type: 'layers', diff_ids: [sha256(Buffer.alloc(1024))] },
      },
      'application/vnd.oci.image.config.v1+json',
    );
    return this.json(
      { schemaVersion: 2, mediaType: MEDIA_TYPE.ociManifest, config, layers: [layer] },
      MEDIA_TYPE.ociManifest,
    );
  }

  /** A single-platform image tagged `v1`, pushed as `acme/app` to each registry (by skopeo). */
  async pushedImage(hosts: readonly string[], options: { login?: boolean } = {}): Promise<Blob> {
    const image = this.image();
    this.tag('v1', image);
    for (const host of hosts) await this.push('v1', host, 'acme/app', options);
    return image;
  }

  /** pushedImage's image, and a second one (linux/arm64) tagged `other`, in one registry. */
  async pushedImageAndOther(host: string): Promise<{ image: Blob; other: Blob }> {
    const image = await this.pushedImage([host]);
    const other = this.image('linux', 'arm64', 'other');
    this.tag('other', other);
    await this.push('other', host, 'acme/app');
    return { image, other };
  }

  /** A multi-platform image index over images for these `os/arch` platforms. */
  imageIndex(platforms: readonly string[]): { index: Blob; platforms: Blob[] } {
    const manifests = platforms.map((p) => {
      const [os = 'linux', architecture = 'amd64'] = p.split('/');
      return { blob: this.image(os, architecture, p), platform: { os, architecture } };
    });
    const index = this.json(
      {
        schemaVersion: 2,
        mediaType: MEDIA_TYPE.ociIndex,
        manifests: manifests.map((m) => ({ ...m.blob, platform: m.platform })),
      },
      MEDIA_TYPE.ociIndex,
    );
    return { index, platforms: manifests.map((m) => m.blob) };
  }

  /**
   * cosign's `.att` manifest (ATTESTATION_SPEC): an image manifest whose layers are DSSE
   * envelopes, each annotated with its predicate type as cosign does.
   */
  cosignAttestations(envelopes: readonly { json: string; predicateType: string }[]): Blob {
    const layers = envelopes.map((e) => ({
      ...this.blob(Buffer.from(e.json), MEDIA_TYPE.dsse),
      annotations: { 'dev.cosignproject.cosign/signature': '', predicateType: e.predicateType },
    }));
    const config = this.json(
      {
        architecture: '',
        os: '',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      },
      'application/vnd.oci.image.config.v1+json',
    );
    return this.json(
      { schemaVersion: 2, mediaType: MEDIA_TYPE.ociManifest, config, layers },
      MEDIA_TYPE.ociManifest,
    );
  }

  /** Copies a tag to `host/repository:tag` with skopeo, digests preserved. */
  async push(
    tag: string,
    host: string,
    repository: string,
    options: { all?: boolean; login?: boolean } = {},
  ): Promise<void> {
    await skopeo(
      'copy',
      '--preserve-digests',
      ...(options.all === true ? ['--all'] : []),
      '--dest-tls-verify=false',
      ...(options.login === true
        ? ['--dest-creds', `${TEST_LOGIN.username}:${TEST_LOGIN.password}`]
        : []),
      `oci:${this.dir}:${tag}`,
      `docker://${host}/${repository}:${tag}`,
    );
  }
}
