import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VouchError } from '../../../src/errors.js';
import { digestOf } from '../../../src/sources/oci/digest.js';
import { EMPTY_CONFIG, MEDIA_TYPE } from '../../../src/sources/oci/media-types.js';
import { OciRegistry } from '../../../src/sources/oci/registry.js';
import {
  type RunningRegistry,
  registryPeersPresent,
  startRegistry,
} from '../../support/registry.js';
import { type Blob, TestLayout } from '../../support/registry-images.js';
import { bundle, dsse, makeKey, PROVENANCE, statementJson, VULNS } from '../../support/signing.js';

const present = registryPeersPresent();

interface PushedManifest {
  artifactType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: {
    mediaType: string;
    digest: string;
    size: number;
    annotations: Record<string, string>;
  }[];
  subject: { mediaType: string; digest: string; size: number };
  annotations: Record<string, string>;
}

describe.skipIf(!present)('when Vouch pushes a signed document as a referrer', () => {
  let registry: RunningRegistry;
  let scratch: string;
  let oci: OciRegistry;
  let image: Blob;
  let other: Blob;
  const key = makeKey();
  const about = (target: Blob, type = PROVENANCE) =>
    statementJson({ sha256: target.digest.slice(7) }, type, { n: Math.random() });

  const get = async (path: string, accept: string = MEDIA_TYPE.ociManifest) => {
    const res = await fetch(`http://${registry.host}/v2/acme/app/${path}`, { headers: { accept } });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const tagSchema = (target: Blob) => `manifests/${target.digest.replace(':', '-')}`;

  beforeAll(async () => {
    registry = await startRegistry('anonymous');
    scratch = mkdtempSync(join(tmpdir(), 'vouch-oci-push-'));
    ({ image, other } = await new TestLayout(join(scratch, 'images')).pushedImageAndOther(
      registry.host,
    ));
    oci = new OciRegistry({ plainHttp: true });
  });

  afterAll(async () => {
    oci?.close();
    await registry?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('writes a bundle the way cosign BUNDLE_SPEC and gh --bundle-from-oci expect', async () => {
    const signed = Buffer.from(bundle(about(image), key));
    const pushed = await oci.push(`oci://${registry.host}/acme/app:v1`, {
      bytes: signed,
      format: 'bundle',
      created: '2026-11-30T00:00:00Z',
    });
    expect(pushed).toMatchObject({ subject: image.digest, tagSchemaUpdated: true });
    const raw = await get(`manifests/${pushed.digest}`);
    expect(raw.status).toBe(200);
    expect(digestOf(raw.bytes)).toBe(pushed.digest);
    const manifest = JSON.parse(raw.bytes.toString()) as PushedManifest;
    const layer = digestOf(signed);
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociManifest,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        digest: EMPTY_CONFIG.digest,
        size: 2,
      },
      layers: [
        {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          digest: layer,
          size: signed.byteLength,
          annotations: {
            'org.opencontainers.image.title': `${layer.replace(':', '-')}.sigstore.json`,
          },
        },
      ],
      subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        // read from the Statement: the caller gave none
        'dev.sigstore.bundle.predicateType': PROVENANCE,
        'org.opencontainers.image.created': '2026-11-30T00:00:00Z',
      },
    });
    // gh filters the referrers listing on the entry's artifactType, so the tag-schema entry carries it.
    const index = await get(tagSchema(image), MEDIA_TYPE.ociIndex);
    expect(JSON.parse(index.bytes.toString())).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociIndex,
      manifests: [
        {
          mediaType: MEDIA_TYPE.ociManifest,
          digest: pushed.digest,
          size: raw.bytes.byteLength,
          artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          annotations: manifest.annotations,
        },
      ],
    });
  });

  it('writes a DSSE envelope with the DSSE media type, titled for `vouch verify --attestations`', async () => {
    const signed = Buffer.from(dsse(about(image, VULNS), [key]));
    const pushed = await oci.push(`oci://${registry.host}/acme/app@${image.digest}`, {
      bytes: signed,
      format: 'dsse',
      predicateType: VULNS,
      created: '2026-11-30T00:00:00Z',
    });
    const manifest = JSON.parse(
      (await get(`manifests/${pushed.digest}`)).bytes.toString(),
    ) as PushedManifest;
    const layer = digestOf(signed);
    expect(manifest.artifactType).toBe(MEDIA_TYPE.dsse);
    expect(manifest.layers).toEqual([
      {
        mediaType: MEDIA_TYPE.dsse,
        digest: layer,
        size: signed.byteLength,
        annotations: { 'org.opencontainers.image.title': `${layer.replace(':', '-')}.dsse.json` },
      },
    ]);
    expect(manifest.annotations['in-toto.io/predicate-type']).toBe(VULNS);
    const found = await oci.discover(`oci://${registry.host}/acme/app:v1`);
    expect(found.documents.map((d) => d.format).sort()).toEqual(['bundle', 'dsse']);
  });

  describe('when the document does not fit the image', () => {
    async function refused(document: Parameters<OciRegistry['push']>[1]): Promise<VouchError> {
      const err = await oci.push(`oci://${registry.host}/acme/app:other`, document).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(VouchError);
      // Nothing was attached to the image.
      expect((await get(tagSchema(other), MEDIA_TYPE.ociIndex)).status).toBe(404);
      return err as VouchError;
    }
    const created = '2026-11-30T00:00:00Z';

    it('refuses a Statement about another image', async () => {
      const err = await refused({
        bytes: Buffer.from(bundle(about(image), key)),
        format: 'bundle',
        created,
      });
      expect(err.code).toBe('USAGE');
      expect(err.field).toBe('subject');
      expect(err.message).toContain(other.digest);
    });

    it('refuses a predicateType, a format or a payloadType that the document does not have', async () => {
      const doc = Buffer.from(bundle(about(other), key));
      expect(
        (await refused({ bytes: doc, format: 'bundle', predicateType: VULNS, created })).message,
      ).toMatch(/has predicateType "https:\/\/slsa\.dev\/provenance\/v1", not/);
      expect((await refused({ bytes: doc, format: 'dsse', created })).message).toMatch(
        /is a bundle, not a dsse/,
      );
      const notInToto = Buffer.from(dsse(about(other), [key], 'text/plain'));
      expect((await refused({ bytes: notInToto, format: 'dsse', created })).message).toMatch(
        /payloadType "text\/plain"/,
      );
    });

    it('refuses bytes that are no signed document', async () => {
      const err = await refused({ bytes: Buffer.from('{"a":1,"a":2}'), format: 'dsse', created });
      expect(err.code).toBe('JSON_DUPLICATE_KEY');
    });
  });
});
