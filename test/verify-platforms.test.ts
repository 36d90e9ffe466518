import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPE } from '../src/sources/oci/media-types.js';
import { OciRegistry } from '../src/sources/oci/registry.js';
import type { SourceDocument } from '../src/sources/source.js';
import { type ImageDiscovery, verify } from '../src/verify.js';
import {
  type IndexEntry,
  indexBytes,
  manifestBytes,
  sha256Of as sha256,
} from './support/crafted-manifests.js';
import {
  authority,
  dsse,
  makeKey,
  PROVENANCE,
  policyOf,
  provenance,
  statementJson,
} from './support/signing.js';

// Attacks on platform manifests through a registry that answers whatever it likes: every
// manifest is served as crafted; attestations come through the discovery hook.

const AT = new Date('2026-11-23T10:00:00Z');
const builder = makeKey();
const policy = policyOf({
  authorities: { builder: authority(builder) },
  requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
});

/** Attested digests: discovery finds one provenance for each, none for anything else. */
function discovery(attested: ReadonlySet<string>, asked: string[]): ImageDiscovery {
  return async (image) => {
    asked.push(image.digest);
    const hex = image.digest.slice('sha256:'.length);
    const documents: SourceDocument[] = attested.has(image.digest)
      ? [
          {
            bytes: Buffer.from(
              dsse(statementJson({ sha256: hex }, PROVENANCE, provenance()), [builder]),
            ),
            source: `att-${hex.slice(0, 8)}`,
          },
        ]
      : [];
    return { documents, skipped: [], failures: [] };
  };
}

describe('verify, when a hostile registry crafts the image index', () => {
  const tags = new Map<string, Buffer>();
  let server: Server;
  let host: string;
  const registry = new OciRegistry({ plainHttp: true });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const tag = /^\/v2\/acme\/app\/manifests\/([^/]+)$/.exec(req.url ?? '')?.[1];
      const body = tag === undefined ? undefined : tags.get(tag);
      if (req.url === '/v2/') {
        res.writeHead(200).end('{}');
      } else if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
      } else {
        res.writeHead(200, { 'content-type': MEDIA_TYPE.ociIndex }).end(body);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    registry.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Serves the index under a tag and under its digest; returns its digest. */
  const publish = (tag: string, entries: readonly IndexEntry[]): string => {
    const bytes = indexBytes(entries);
    tags.set(tag, bytes);
    tags.set(sha256(bytes), bytes);
    return sha256(bytes);
  };

  const judge = (tag: string, platforms: 'all' | readonly string[], attested: Set<string>) => {
    const asked: string[] = [];
    return verify({
      policy,
      artifact: `oci://${host}/acme/app:${tag}`,
      sources: [],
      at: AT,
      registry,
      platforms,
      discover: discovery(attested, asked),
    }).then((v) => ({ ...v, asked }));
  };

  const amd64 = sha256(manifestBytes('amd64'));
  const arm64 = sha256(manifestBytes('arm64'));
  const evil = sha256(manifestBytes('evil'));

  it('an index of thousands of platform manifests is denied without a discovery for each', async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({
      digest: sha256(manifestBytes(`p${i}`)),
      platform: { os: 'linux', architecture: `arch${i}` },
    }));
    const index = publish('huge', entries);
    const { decision, asked } = await judge('huge', 'all', new Set([index]));
    expect(decision.allowed).toBe(false);
    // One registry-busting request per platform would starve every other admission.
    expect(asked.length).toBeLessThanOrEqual(65);
    expect(JSON.stringify(decision.platforms)).toContain('REGISTRY_INVALID');
  });

  it('holds: a platform entry listing another digest than the one attested is denied', async () => {
    const index = publish('swapped', [
      { digest: evil, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    for (const platforms of ['all', ['linux/amd64']] as const) {
      const { decision } = await judge('swapped', platforms, new Set([index, amd64]));
      expect(decision.allowed).toBe(false);
      expect(decision.platforms?.map((p) => [p.platform, p.allowed])).toEqual([
        ['linux/amd64', false],
      ]);
    }
  });

  it('holds: of duplicate entries for a named platform, each one must be attested', async () => {
    const index = publish('duplicates', [
      { digest: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: evil, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: amd64, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    const { decision, asked } = await judge('duplicates', ['linux/amd64'], new Set([index, amd64]));
    expect(decision.allowed).toBe(false);
    expect(asked.sort()).toEqual([amd64, evil, index].sort());
    // The top-level answer and the platforms never disagree.
    expect(decision.platforms?.some((p) => !p.allowed)).toBe(true);
    expect(decision.expiresAt).toBeNull();
  });

  it('holds: unknown/unknown attestation manifests are skipped by all, but a named unknown is judged', async () => {
    const index = publish('buildkit', [
      { digest: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: evil, platform: { os: 'unknown', architecture: 'unknown' } },
    ]);
    const all = await judge('buildkit', 'all', new Set([index, amd64]));
    expect(all.decision.allowed).toBe(true);
    expect(all.decision.platforms?.map((p) => p.platform)).toEqual(['linux/amd64']);
    const named = await judge('buildkit', ['unknown/unknown'], new Set([index, amd64]));
    expect(named.decision.allowed).toBe(false);
  });
  it('an entry without a platform (which the runtime may pull) is judged by all', async () => {
    const index = publish('no-platform', [
      { digest: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: evil },
    ]);
    const { decision, asked } = await judge('no-platform', 'all', new Set([index, amd64]));
    expect(asked).toContain(evil);
    expect(decision.allowed).toBe(false);
  });

  it('an entry that is itself an index is a deny under all, not a digest judged in place of its manifests', async () => {
    const nested = publish('inner', [
      { digest: evil, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    const index = publish('nested', [
      {
        digest: nested,
        mediaType: MEDIA_TYPE.ociIndex,
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ]);
    // The nested index is attested; the manifest the runtime would pull from it is not.
    const { decision } = await judge('nested', 'all', new Set([index, nested]));
    expect(decision.allowed).toBe(false);
  });
  it('a named platform is matched as the runtime normalises it (x86_64, Linux)', async () => {
    const index = publish('normalised', [
      { digest: evil, platform: { os: 'Linux', architecture: 'x86_64' } },
      { digest: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: arm64, platform: { os: 'linux', architecture: 'aarch64' } },
    ]);
    const { decision, asked } = await judge('normalised', ['linux/amd64'], new Set([index, amd64]));
    expect(asked).toContain(evil);
    expect(decision.allowed).toBe(false);
    const arm = await judge('normalised', ['linux/arm64'], new Set([index, arm64]));
    expect(arm.decision.allowed).toBe(true);
  });
});
