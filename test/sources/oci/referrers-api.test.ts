import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEDIA_TYPE } from '../../../src/sources/oci/media-types.js';
import { OciRegistry } from '../../../src/sources/oci/registry.js';
import { bundle, dsse, makeKey, PROVENANCE, statementJson } from '../../support/signing.js';

// Registry 2.8 has no referrers API, so this path is tested against the responses the OCI
// distribution spec v1.1 defines for it ("Listing Referrers", "Pushing Manifests with
// Subject"): an image index of descriptors with artifactType and annotations, the
// `OCI-Filters-Applied` header when filtered, `Link: <…>; rel="next"` paging, and
// `OCI-Subject` on a manifest PUT. A small server replays them over real content.

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const key = makeKey();
const subject = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.ociManifest,
    config: { mediaType: MEDIA_TYPE.empty, digest: sha(Buffer.from('{}')), size: 2 },
    layers: [],
  }),
);
const subjectDigest = sha(subject);
const subjectDescriptor = {
  mediaType: MEDIA_TYPE.ociManifest,
  digest: subjectDigest,
  size: subject.byteLength,
};

function artifact(doc: Buffer, mediaType: string, subjectOf = subjectDescriptor) {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociManifest,
      artifactType: mediaType,
      config: { mediaType: MEDIA_TYPE.empty, digest: sha(Buffer.from('{}')), size: 2 },
      layers: [{ mediaType, digest: sha(doc), size: doc.byteLength }],
      subject: subjectOf,
    }),
  );
  return {
    doc,
    manifest,
    descriptor: {
      mediaType: MEDIA_TYPE.ociManifest,
      digest: sha(manifest),
      size: manifest.byteLength,
      artifactType: mediaType,
      annotations: { 'org.opencontainers.image.created': '2026-11-30T00:00:00Z' },
    },
  };
}

const statement = (n: number) =>
  statementJson({ sha256: subjectDigest.slice(7) }, PROVENANCE, { n });
const viaBundle = artifact(Buffer.from(bundle(statement(1), key)), MEDIA_TYPE.bundle);
const viaGithubSpelling = artifact(
  Buffer.from(bundle(statement(2), key)),
  MEDIA_TYPE.bundleParameterised,
);
const viaDsse = artifact(Buffer.from(dsse(statement(3), [key])), MEDIA_TYPE.dsse);
const sbom = artifact(Buffer.from('{"spdxVersion":"SPDX-2.3"}'), 'application/spdx+json');
const otherSubject = artifact(Buffer.from(dsse(statement(4), [key])), MEDIA_TYPE.dsse, {
  ...subjectDescriptor,
  digest: `sha256:${'e'.repeat(64)}`,
});

describe('when the registry implements the OCI 1.1 referrers API', () => {
  let server: Server;
  let host: string;
  const seen: string[] = [];
  let pages: number;
  const content = new Map<string, Buffer>();

  beforeAll(async () => {
    content.set(subjectDigest, subject);
    for (const a of [viaBundle, viaGithubSpelling, viaDsse, sbom, otherSubject]) {
      content.set(a.descriptor.digest, a.manifest);
      content.set(sha(a.doc), a.doc);
    }
    content.set(sha(Buffer.from('{}')), Buffer.from('{}'));
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      const referrers = /^\/v2\/acme\/app\/referrers\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
      if (referrers) {
        const listing = [viaBundle, viaGithubSpelling, viaDsse, sbom, otherSubject].map(
          (a) => a.descriptor,
        );
        const filter = url.searchParams.get('artifactType');
        const page = Number(url.searchParams.get('page') ?? '0');
        const chosen = filter === null ? listing : listing.filter((d) => d.artifactType === filter);
        const perPage = Math.ceil(chosen.length / pages);
        const headers: Record<string, string> = { 'content-type': MEDIA_TYPE.ociIndex };
        if (filter !== null) headers['oci-filters-applied'] = 'artifactType';
        if (page + 1 < pages)
          headers.link = `</v2/acme/app/referrers/${referrers[1]}?page=${page + 1}${filter === null ? '' : `&artifactType=${encodeURIComponent(filter)}`}>; rel="next"`;
        res.writeHead(200, headers).end(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MEDIA_TYPE.ociIndex,
            manifests: chosen.slice(page * perPage, (page + 1) * perPage),
          }),
        );
        return;
      }
      const item = /^\/v2\/acme\/app\/(?:manifests|blobs)\/(sha256:[0-9a-f]{64})$/.exec(
        url.pathname,
      );
      const bytes = item?.[1] === undefined ? undefined : content.get(item[1]);
      if (bytes === undefined) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
        return;
      }
      res
        .writeHead(200, {
          'content-type': url.pathname.includes('/manifests/')
            ? MEDIA_TYPE.ociManifest
            : 'application/octet-stream',
        })
        .end(bytes);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    host = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  beforeEach(() => {
    seen.length = 0;
    pages = 1;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads bundles (both spellings) and DSSE referrers, skips other artifact types unopened, and never falls back to the tag schema', async () => {
    const oci = new OciRegistry({ plainHttp: true });
    const found = await oci.discover(`oci://${host}/acme/app@${subjectDigest}`);
    oci.close();
    expect(found.documents.map((d) => d.digest).sort()).toEqual(
      [viaBundle, viaGithubSpelling, viaDsse].map((a) => sha(a.doc)).sort(),
    );
    expect(
      found.documents.find((d) => d.mediaType === MEDIA_TYPE.bundleParameterised)?.format,
    ).toBe('bundle');
    // a referrer whose manifest names another subject is refused and reported
    expect(found.failures).toEqual([
      {
        path: 'referrers',
        code: 'REGISTRY_INVALID',
        message: expect.stringContaining('names subject'),
      },
    ]);
    expect(seen).not.toContain(`GET /v2/acme/app/manifests/${subjectDigest.replace(':', '-')}`);
    expect(seen).not.toContain(`GET /v2/acme/app/manifests/${sbom.descriptor.digest}`);
  });

  it('follows Link rel="next" pages, up to the page limit', async () => {
    pages = 3;
    const oci = new OciRegistry({ plainHttp: true });
    const found = await oci.discover(`oci://${host}/acme/app@${subjectDigest}`);
    expect(found.documents).toHaveLength(3);
    expect(seen.filter((s) => s.includes('/referrers/'))).toHaveLength(3);
    oci.close();
    const capped = new OciRegistry({ plainHttp: true, limits: { maxReferrersPages: 2 } });
    const over = await capped.discover(`oci://${host}/acme/app@${subjectDigest}`);
    capped.close();
    // past the limit the listing is refused whole: fewer documents, never a partial guess
    expect(over.documents).toEqual([]);
    expect(over.failures.map((f) => [f.path, f.code])).toEqual([['referrers', 'REGISTRY_INVALID']]);
  });

  it('passes an artifactType filter and keeps only that type', async () => {
    const oci = new OciRegistry({ plainHttp: true });
    const found = await oci.discover(`oci://${host}/acme/app@${subjectDigest}`, {
      artifactType: MEDIA_TYPE.bundle,
    });
    oci.close();
    expect(seen[0]).toBe(
      `GET /v2/acme/app/referrers/${subjectDigest}?artifactType=${encodeURIComponent(MEDIA_TYPE.bundle)}`,
    );
    expect(found.documents.map((d) => d.digest)).toEqual([sha(viaBundle.doc)]);
  });
});
