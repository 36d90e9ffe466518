import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignedDocument } from '../../../src/attestation/attestation.js';
import { digestOf, type OciDigest } from '../../../src/sources/oci/digest.js';
import { readImageLayout } from '../../../src/sources/oci/layout.js';
import { MEDIA_TYPE } from '../../../src/sources/oci/media-types.js';
import { OciRegistry } from '../../../src/sources/oci/registry.js';
import { selectPlatforms } from '../../../src/sources/oci/resolve.js';
import {
  type RunningRegistry,
  registryPeersPresent,
  startRegistry,
} from '../../support/registry.js';
import { type Blob, TestLayout } from '../../support/registry-images.js';
import { bundle, dsse, makeKey, PROVENANCE, statementJson, VULNS } from '../../support/signing.js';

const present = registryPeersPresent();

describe.skipIf(!present)('when reading and writing a real docker-registry 2.8 (anonymous)', () => {
  let registry: RunningRegistry;
  let scratch: string;
  let oci: OciRegistry;
  let image: Blob;
  let index: { index: Blob; platforms: Blob[] };
  const key = makeKey();
  const envelope = (subject: string, predicateType: string) =>
    dsse(statementJson({ sha256: subject.slice(7) }, predicateType, { n: Math.random() }), [key]);

  beforeAll(async () => {
    registry = await startRegistry('anonymous');
    scratch = mkdtempSync(join(tmpdir(), 'vouch-oci-'));
    const layout = new TestLayout(join(scratch, 'images'));
    image = layout.image();
    layout.tag('v1', image);
    index = layout.imageIndex(['linux/amd64', 'linux/arm64']);
    layout.tag('multi', index.index);
    await layout.push('v1', registry.host, 'acme/app');
    await layout.push('multi', registry.host, 'acme/app', { all: true });
    oci = new OciRegistry({ plainHttp: true });
  });

  afterAll(async () => {
    oci?.close();
    await registry?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('resolves a tag to the digest of the manifest bytes skopeo pushed', async () => {
    const resolved = await oci.resolve(`oci://${registry.host}/acme/app:v1`);
    expect(resolved.digest).toBe(image.digest);
    expect(digestOf(resolved.bytes)).toBe(image.digest);
    expect(resolved.manifest.kind).toBe('manifest');
  });

  it('lists an index platforms and selects them by name', async () => {
    const resolved = await oci.resolve(`oci://${registry.host}/acme/app:multi`);
    expect(resolved.digest).toBe(index.index.digest);
    expect(selectPlatforms(resolved, 'all').map((p) => p.platform)).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    expect(selectPlatforms(resolved, ['linux/arm64'])).toEqual([
      { digest: index.platforms[1]?.digest, platform: 'linux/arm64' },
    ]);
    expect(() => selectPlatforms(resolved, ['linux/s390x'])).toThrowWithCode('REGISTRY_NOT_FOUND');
  });

  it('finds nothing, and no failure, for an image without attestations', async () => {
    const found = await oci.discover(`oci://${registry.host}/acme/app:v1`);
    expect(found).toEqual({ documents: [], failures: [] });
  });

  it('discovers cosign .att DSSE layers pushed with skopeo, and referrers pushed by Vouch through the tag schema', async () => {
    const layout = new TestLayout(join(scratch, 'att'));
    const platform = index.platforms[0]?.digest as OciDigest;
    const envelopes = [envelope(platform, PROVENANCE), envelope(platform, VULNS)];
    const att = layout.cosignAttestations(
      envelopes.map((json, i) => ({ json, predicateType: i === 0 ? PROVENANCE : VULNS })),
    );
    const attTag = `${platform.replace(':', '-')}.att`;
    layout.tag(attTag, att);
    await layout.push(attTag, registry.host, 'acme/app');

    const signed = bundle(statementJson({ sha256: platform.slice(7) }, PROVENANCE, {}), key);
    const ref = `oci://${registry.host}/acme/app@${platform}`;
    const pushed = await oci.push(ref, {
      bytes: Buffer.from(signed),
      format: 'bundle',
      predicateType: PROVENANCE,
      created: '2026-11-30T00:00:00Z',
    });
    expect(pushed.subject).toBe(platform);
    // registry 2.8 has no referrers API: no OCI-Subject header, so the tag schema was written.
    expect(pushed.tagSchemaUpdated).toBe(true);
    // pushing the same document again adds no second entry
    await oci.push(ref, {
      bytes: Buffer.from(signed),
      format: 'bundle',
      predicateType: PROVENANCE,
      created: '2026-11-30T00:00:00Z',
    });

    const found = await oci.discover(ref);
    expect(found.failures).toEqual([]);
    const byFormat = found.documents.map((d) => d.format).sort();
    expect(byFormat).toEqual(['bundle', 'dsse', 'dsse']);
    for (const doc of found.documents) {
      expect(digestOf(doc.bytes)).toBe(doc.digest);
      expect(doc.source).toMatch(
        new RegExp(`^oci://${registry.host}/acme/app@sha256:[0-9a-f]{64}$`),
      );
      expect(() => parseSignedDocument(doc.bytes)).not.toThrow();
    }
    const bundleDoc = found.documents.find((d) => d.format === 'bundle');
    expect(bundleDoc?.mediaType).toBe(MEDIA_TYPE.bundle);
    expect(bundleDoc?.bytes.toString()).toBe(signed);

    const fallback = await fetch(
      `http://${registry.host}/v2/acme/app/manifests/${platform.replace(':', '-')}`,
      {
        headers: { accept: MEDIA_TYPE.ociIndex },
      },
    );
    const listing = (await fallback.json()) as { manifests: { artifactType: string }[] };
    expect(listing.manifests.map((m) => m.artifactType)).toEqual([MEDIA_TYPE.bundle]);
  });

  it('pulls the attestations into an OCI layout that reads back the same documents', async () => {
    const platform = index.platforms[0]?.digest as OciDigest;
    const ref = `oci://${registry.host}/acme/app@${platform}`;
    const out = join(scratch, 'pulled');
    const pulled = await oci.pull(ref, out);
    expect(pulled.documents).toBe(3);
    const found = await oci.discover(ref);
    const local = readImageLayout(out);
    expect(local.map((d) => d.digest)).toEqual(found.documents.map((d) => d.digest));
    expect(local.every((d) => d.source.startsWith(join(out, 'blobs', 'sha256')))).toBe(true);
    await expect(oci.pull(ref, out)).rejects.toThrowError(/already exists/);
  });
});
