import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/config.js';
import { DiscoveryCache } from '../../src/server/discovery-cache.js';
import { serverDiscovery } from '../../src/server/image-discovery.js';
import { buildServer, type WebhookServer } from '../../src/server/server.js';
import { serverVerifiers } from '../../src/server/verifier.js';
import { ANONYMOUS } from '../../src/sources/oci/credentials.js';
import { MEDIA_TYPE } from '../../src/sources/oci/media-types.js';
import { OciRegistry } from '../../src/sources/oci/registry.js';
import { DEFAULT_SOURCE_LIMITS } from '../../src/sources/source.js';
import { admissionReview } from './admission-fixtures.js';
import {
  capturedLogger,
  EVALUATED_AT,
  provenanceFor,
  type WebhookDir,
  writeWebhookDir,
} from './webhook-dir.js';

// A registry whose tag resolves in 0.3 s and whose referrers answer 0.8 s after they are asked:
// admission A (by tag) starts the discovery at 0.3 s, with 0.7 s of its 1 s deadline left;
// admission B (by the digest, at 0.5 s) shares it; it ends at 1.1 s, before B's deadline but
// after A's.

const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.ociManifest,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${createHash('sha256').update('config').digest('hex')}`,
      size: 6,
    },
    layers: [],
  }),
);
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const EMPTY_INDEX = JSON.stringify({
  schemaVersion: 2,
  mediaType: MEDIA_TYPE.ociIndex,
  manifests: [],
});

const CONFIG = `apiVersion: vouch/v1
kind: ServerConfig
spec:
  listen: 127.0.0.1:0
  tls: {cert: tls/tls.crt, key: tls/tls.key}
  deadline: 1s
  registry: {plainHttp: true}
  attestations: {registry: true, dirs: [attestations]}
  imagePolicies:
    - {name: acme, images: ["127.0.0.1:*/acme/**"], policy: {file: policy.yaml}, mode: enforce}
`;

describe('when admissions share a slow registry discovery', () => {
  let dir: WebhookDir;
  let server: Server;
  let host: string;
  let webhook: WebhookServer;
  const verifiers = serverVerifiers({ credentials: ANONYMOUS });
  let referrersAsked = 0;
  let lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dir = writeWebhookDir(CONFIG);
    writeFileSync(join(dir.attestations, 'tagged.dsse.json'), provenanceFor(dir.builder, DIGEST));
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/v2/') return void res.writeHead(200).end('{}');
      if (url === '/v2/acme/app/manifests/v1') {
        setTimeout(() => {
          res
            .writeHead(200, {
              'content-type': MEDIA_TYPE.ociManifest,
              'docker-content-digest': DIGEST,
            })
            .end(MANIFEST);
        }, 300);
        return;
      }
      if (url.startsWith(`/v2/acme/app/referrers/${DIGEST}`)) {
        referrersAsked++;
        setTimeout(() => {
          res.writeHead(200, { 'content-type': MEDIA_TYPE.ociIndex }).end(EMPTY_INDEX);
        }, 800);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const captured = capturedLogger();
    lines = captured.lines;
    webhook = buildServer({
      logger: captured.logger,
      verifierFor: verifiers.verifierFor,
      clock: () => EVALUATED_AT,
    });
    webhook.install(loadServerConfig(dir.config).settings);
  });

  afterAll(async () => {
    await webhook?.app.close();
    verifiers.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir.dir, { recursive: true, force: true });
  });

  const admit = async (image: string) => {
    const started = performance.now();
    const res = await webhook.app.inject({
      method: 'POST',
      url: '/validate',
      payload: admissionReview({ containers: [image] }),
    });
    const { response } = res.json() as {
      response: { allowed: boolean; status?: { message: string } };
    };
    return { ...response, ms: performance.now() - started };
  };

  it("the second admission gets its answer within its own deadline, not cut off at the first one's", async () => {
    const first = admit(`${host}/acme/app:v1`);
    await sleep(500);
    const second = await admit(`${host}/acme/app@${DIGEST}`);
    expect(second.allowed).toBe(true);
    expect(second.ms).toBeLessThan(1000);
    const denied = await first;
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toContain('deadline');
    // One discovery served both, and it was not cut off at A's deadline.
    expect(referrersAsked).toBe(1);
    expect(JSON.stringify(lines)).not.toContain('REGISTRY_UNAVAILABLE');
  });

  it("a discovery shared with an admission that gave up is not cut off at that admission's deadline", async () => {
    const registry = new OciRegistry({ plainHttp: true });
    const discover = serverDiscovery({
      registry,
      dirs: [],
      local: new DiscoveryCache(30_000),
      found: new DiscoveryCache(30_000),
      loadDeadline: 1000,
    });
    const image = { registry: host, repository: 'acme/app', digest: DIGEST as `sha256:${string}` };
    const ask = (ms: number) => ({
      limits: DEFAULT_SOURCE_LIMITS,
      artifact: { digest: { sha256: DIGEST.slice('sha256:'.length) } },
      signal: AbortSignal.timeout(ms),
    });
    try {
      const before = referrersAsked;
      // Its rejection (at its own 400 ms) is expected at once, before the second is awaited.
      const first = expect(discover(image, ask(400))).rejects.toThrow();
      await sleep(200);
      const second = await discover(image, ask(1000));
      expect(second.failures).toEqual([]);
      await first;
      expect(referrersAsked).toBe(before + 1);
    } finally {
      registry.close();
    }
  });
});
