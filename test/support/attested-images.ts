import { join } from 'node:path';
import { MEDIA_TYPE } from '../../src/sources/oci/media-types.js';
import { OciRegistry } from '../../src/sources/oci/registry.js';
import { type Blob, TestLayout } from './registry-images.js';
import { PROVENANCE } from './signing.js';
import { tempDir } from './temp-dir.js';

/** What pushAttestedImages put in one repository, by tag. */
export interface AttestedImages {
  /** `:v1`, a single-platform image with provenance. */
  readonly v1: Blob;
  /** `:bare`, a single-platform image with none. */
  readonly bare: Blob;
  /** `:multi`, an index over linux/amd64 and linux/arm64: the index and amd64 have provenance, arm64 none. */
  readonly multi: Blob;
  readonly amd64: Blob;
  readonly arm64: Blob;
}

/**
 * Pushes the test images into `host/repository` with skopeo (an independent producer), and
 * the provenance `sign(digest)` makes for some of them as OCI 1.1 referrers (with the
 * tag-schema index docker-registry 2.8 needs). Returns the referrer artifacts too, by image.
 */
export async function pushAttestedImages(
  host: string,
  repository: string,
  sign: (digest: string) => string,
): Promise<AttestedImages & { readonly referrers: ReadonlyMap<string, string> }> {
  const layout = new TestLayout(join(tempDir('vouch-images-'), 'layout'));
  const v1 = layout.image('linux', 'amd64', 'v1');
  const bare = layout.image('linux', 'amd64', 'bare');
  const { index: multi, platforms } = layout.imageIndex(['linux/amd64', 'linux/arm64']);
  const [amd64, arm64] = platforms;
  if (amd64 === undefined || arm64 === undefined) throw new Error('no platforms');
  layout.tag('v1', v1);
  layout.tag('bare', bare);
  layout.tag('multi', multi);
  await layout.push('v1', host, repository);
  await layout.push('bare', host, repository);
  await layout.push('multi', host, repository, { all: true });
  const registry = new OciRegistry({ plainHttp: true });
  const referrers = new Map<string, string>();
  try {
    for (const image of [v1, multi, amd64]) {
      const pushed = await registry.push(`oci://${host}/${repository}@${image.digest}`, {
        bytes: Buffer.from(sign(image.digest)),
        format: 'dsse',
        predicateType: PROVENANCE,
        created: '2026-11-20T09:00:00Z',
      });
      referrers.set(image.digest, pushed.digest);
    }
  } finally {
    registry.close();
  }
  return { v1, bare, multi, amd64, arm64, referrers };
}

/**
 * Deletes an image's referrers tag-schema index (`sha256-<hex>`), as an attacker or a cleanup
 * job with delete rights would: the registry no longer lists the image's attestations.
 */
export async function deleteReferrersIndex(
  host: string,
  repository: string,
  digest: string,
): Promise<void> {
  const tag = digest.replace(':', '-');
  const got = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    headers: { accept: MEDIA_TYPE.ociIndex },
  });
  const stored = got.headers.get('docker-content-digest');
  await got.arrayBuffer();
  if (got.status !== 200 || stored === null) throw new Error(`no referrers index ${tag}`);
  const deleted = await fetch(`http://${host}/v2/${repository}/manifests/${stored}`, {
    method: 'DELETE',
  });
  await deleted.arrayBuffer();
  if (deleted.status !== 202) throw new Error(`DELETE ${tag} answered ${deleted.status}`);
}
