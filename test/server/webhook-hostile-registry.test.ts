import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/config.js';
import { DocumentCache } from '../../src/server/document-cache.js';
import { buildServer, type WebhookServer } from '../../src/server/server.js';
import { policyVerifier } from '../../src/server/verifier.js';
import { OciRegistry } from '../../src/sources/oci/registry.js';
import type { ImageDiscovery } from '../../src/verify.js';
import { indexBytes, manifestBytes, sha256Of as sha256 } from '../support/crafted-manifests.js';
import { admissionReview } from './admission-fixtures.js';
import {
  capturedLogger,
  EVALUATED_AT,
  provenanceFor,
  type WebhookDir,
  writeWebhookDir,
} from './webhook-dir.js';

// A registry that answers each request as it likes (a tag moved between two requests, a
// Docker-Content-Digest header that lies) in front of the webhook's verifier; attestations
// come through the discovery hook, for the digests listed in `attested`.

const GOOD = manifestBytes('good');
const EVIL = manifestBytes('evil');

const CONFIG = `apiVersion: vouch/v1
kind: ServerConfig
spec:
  listen: 127.0.0.1:0
  tls: {cert: tls/tls.crt, key: tls/tls.key}
  deadline: 3s
  registry: {plainHttp: true}
  attestations: {registry: true, dirs: []}
  imagePolicies:
    - name: acme
      images: ["127.0.0.1:*/acme/**"]
      policy: {file: policy.yaml}
      mode: enforce
    - name: each
      images: ["127.0.0.1:*/acme/each/**"]
      policy: {file: policy.yaml}
      mode: warn
      platforms: each
`;

describe('when the registry answers the webhook differently from one request to the next', () => {
  let dir: WebhookDir;
  let server: Server;
  let host: string;
  let webhook: WebhookServer;
  let lines: Record<string, unknown>[];
  const registry = new OciRegistry({ plainHttp: true });
  /** What the tag `v1` answers next (one body per request, the last one repeated). */
  let answers: { body: Buffer; header?: string }[] = [];
  const attested = new Set<string>();

  beforeAll(async () => {
    dir = writeWebhookDir(CONFIG);
    server = createServer((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      const next = answers.length > 1 ? answers.shift() : answers[0];
      if (!/^\/v2\/acme(\/each)?\/app\/manifests\/v1$/.test(req.url ?? '') || next === undefined) {
        return void res.writeHead(404).end('{"errors":[]}');
      }
      res
        .writeHead(200, {
          'content-type': (JSON.parse(next.body.toString()) as { mediaType: string }).mediaType,
          'docker-content-digest': next.header ?? sha256(next.body),
        })
        .end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const discover: ImageDiscovery = async (image) => ({
      documents: attested.has(image.digest)
        ? [{ bytes: Buffer.from(provenanceFor(dir.builder, image.digest)), source: 'att' }]
        : [],
      skipped: [],
      failures: [],
    });
    const captured = capturedLogger();
    lines = captured.lines;
    webhook = buildServer({
      logger: captured.logger,
      verifierFor: () => policyVerifier({ registry, discover, documents: new DocumentCache(100) }),
      clock: () => EVALUATED_AT,
    });
    webhook.install(loadServerConfig(dir.config).settings);
    attested.add(sha256(GOOD));
  });

  afterAll(async () => {
    await webhook?.app.close();
    registry.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir.dir, { recursive: true, force: true });
  });

  const mutate = async (image: string) => {
    const res = await webhook.app.inject({
      method: 'POST',
      url: '/mutate',
      payload: admissionReview({ containers: [image] }),
    });
    const { response } = res.json() as {
      response: { allowed: boolean; patch?: string; status?: { message: string } };
    };
    const patch =
      response.patch === undefined
        ? []
        : (JSON.parse(Buffer.from(response.patch, 'base64').toString()) as { value: string }[]);
    return { allowed: response.allowed, pinned: patch.map((p) => p.value) };
  };

  it('holds: the pin is the digest of the bytes verified, though the tag moves right after', async () => {
    answers = [{ body: GOOD }, { body: EVIL }];
    expect(await mutate(`${host}/acme/app:v1`)).toEqual({
      allowed: true,
      pinned: [`${host}/acme/app:v1@${sha256(GOOD)}`],
    });
    // The tag now names the unattested manifest: the next admission sees it, and denies.
    expect(await mutate(`${host}/acme/app:v1`)).toEqual({ allowed: false, pinned: [] });
  });

  it('holds: a Docker-Content-Digest header naming the attested digest does not vouch for other bytes', async () => {
    answers = [{ body: EVIL, header: sha256(GOOD) }];
    expect(await mutate(`${host}/acme/app:v1`)).toEqual({ allowed: false, pinned: [] });
  });

  it('holds: an image pinned by digest is verified as named, whatever the tag beside it answers', async () => {
    answers = [{ body: GOOD }];
    const evil = `${host}/acme/app:v1@${sha256(EVIL)}`;
    expect(await mutate(evil)).toEqual({ allowed: false, pinned: [] });
    const good = `${host}/acme/app:v1@${sha256(GOOD)}`;
    expect(await mutate(good)).toEqual({ allowed: true, pinned: [] });
  });

  it("a platform name from the registry's index, or an image name from the pod, is escaped in the decision log", async () => {
    const trick = 'linux\u202e\u009b31m';
    const index = indexBytes([
      { digest: sha256(EVIL), platform: { os: trick, architecture: 'amd64' } },
    ]);
    attested.add(sha256(index));
    answers = [{ body: index }];
    const before = lines.length;
    const answer = await webhook.app.inject({
      method: 'POST',
      url: '/validate',
      payload: admissionReview({ containers: [`${host}/acme/each/app:v1`, 'evil\u202eimage'] }),
    });
    const { response } = answer.json() as { response: { allowed: boolean; warnings?: string[] } };
    expect(response.allowed).toBe(false);
    expect(response.warnings?.join('')).toContain('\\u{202e}');
    const logged = JSON.stringify(lines.slice(before));
    expect(logged).toContain('linux');
    expect(logged).not.toMatch(/\u202e|\u009b/u);
  });
});
