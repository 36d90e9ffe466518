import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ErrorCode, VouchError } from '../../../src/errors.js';
import type { DiscoveredDocument } from '../../../src/sources/oci/discover.js';
import { OciRegistry } from '../../../src/sources/oci/registry.js';
import { verify } from '../../../src/verify.js';
import {
  type RunningRegistry,
  registryPeersPresent,
  startRegistry,
} from '../../support/registry.js';
import { type Blob, TestLayout } from '../../support/registry-images.js';
import { type Fault, type FaultProxy, startFaultProxy } from '../../support/registry-proxy.js';
import {
  authority,
  bundle,
  dsse,
  makeKey,
  PROVENANCE,
  policyOf,
  statementJson,
  VULNS,
} from '../../support/signing.js';

const present = registryPeersPresent();

const DEADLINE_MS = 2500;
// The deadline plus scheduling slack on a shared machine: "never hang" means this, not 60 s.
const WITHIN_MS = DEADLINE_MS + 1500;

const blobs = (_m: string, p: string) => p.includes('/blobs/sha256:');
const manifests = (_m: string, p: string) => p.includes('/manifests/');
const cosignTag = (_m: string, p: string) => p.endsWith('.att');
const tagSchema = (_m: string, p: string) => /\/manifests\/sha256-[0-9a-f]{64}$/.test(p);

describe.skipIf(!present)('when a proxy between Vouch and docker-registry injects faults', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let scratch: string;
  let image: Blob;
  let honest: readonly DiscoveredDocument[];
  let forged: Buffer;
  const key = makeKey();

  const client = () =>
    new OciRegistry({
      plainHttp: true,
      timeouts: { requestTimeoutMs: 400, deadlineMs: DEADLINE_MS },
      backoffMs: 20,
      maxBackoffMs: 200,
    });
  const ref = () => `oci://${proxy.host}/acme/app@${image.digest}`;

  async function outcome(
    run: (oci: OciRegistry) => Promise<unknown>,
  ): Promise<{ ms: number; error?: VouchError; value?: unknown }> {
    const oci = client();
    const start = Date.now();
    try {
      const value = await run(oci);
      return { ms: Date.now() - start, value };
    } catch (err) {
      if (!(err instanceof VouchError)) throw err;
      return { ms: Date.now() - start, error: err };
    } finally {
      oci.close();
    }
  }

  beforeAll(async () => {
    registry = await startRegistry('anonymous');
    scratch = mkdtempSync(join(tmpdir(), 'vouch-oci-faults-'));
    const layout = new TestLayout(join(scratch, 'images'));
    image = await layout.pushedImage([registry.host]);
    const statement = (type: string, n: number) =>
      statementJson({ sha256: image.digest.slice(7) }, type, { n });
    const att = layout.cosignAttestations([
      { json: dsse(statement(PROVENANCE, 1), [key]), predicateType: PROVENANCE },
      { json: dsse(statement(VULNS, 2), [key]), predicateType: VULNS },
    ]);
    const attTag = `${image.digest.replace(':', '-')}.att`;
    layout.tag(attTag, att);
    await layout.push(attTag, registry.host, 'acme/app');
    const direct = new OciRegistry({ plainHttp: true });
    await direct.push(`oci://${registry.host}/acme/app@${image.digest}`, {
      bytes: Buffer.from(bundle(statement(PROVENANCE, 3), key)),
      format: 'bundle',
      predicateType: PROVENANCE,
      created: '2026-11-30T00:00:00Z',
    });
    honest = (await direct.discover(`oci://${registry.host}/acme/app@${image.digest}`)).documents;
    direct.close();
    // A genuine, validly signed document for the same image, but not the one the digest names.
    forged = Buffer.from(dsse(statement(PROVENANCE, 999), [key]));
    proxy = await startFaultProxy(registry.host);
  });

  beforeEach(() => {
    if (proxy !== undefined) proxy.rules = [];
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('sees all three documents through a proxy that injects nothing', async () => {
    expect(honest).toHaveLength(3);
    const { value } = await outcome((oci) => oci.discover(ref()));
    const found = value as { documents: DiscoveredDocument[]; failures: unknown[] };
    expect(found.failures).toEqual([]);
    expect(found.documents.map((d) => [d.digest, d.bytes])).toEqual(
      honest.map((d) => [d.digest, d.bytes]),
    );
    expect(
      found.documents.every((d) => d.source.startsWith(`oci://${proxy.host}/acme/app@sha256:`)),
    ).toBe(true);
  });

  it('retries 503 twice, then succeeds', async () => {
    proxy.rules = [{ match: manifests, fault: { kind: 'status', status: 503 }, times: 2 }];
    const before = proxy.seen.length;
    const { value, error } = await outcome((oci) => oci.resolve(`oci://${proxy.host}/acme/app:v1`));
    expect(error).toBeUndefined();
    expect((value as { digest: string }).digest).toBe(image.digest);
    expect(proxy.seen.length - before).toBe(3);
  });

  it.each<[string, Fault, ErrorCode]>([
    ['500 on every try', { kind: 'status', status: 500 }, 'REGISTRY_UNAVAILABLE'],
    ['503 on every try', { kind: 'status', status: 503 }, 'REGISTRY_UNAVAILABLE'],
    [
      '429 with Retry-After: 1 on every try',
      { kind: 'status', status: 429, retryAfter: '1' },
      'REGISTRY_UNAVAILABLE',
    ],
    [
      '429 asking to come back in an hour',
      { kind: 'status', status: 429, retryAfter: '3600' },
      'REGISTRY_UNAVAILABLE',
    ],
    [
      'a response slower than the request timeout',
      { kind: 'delay', ms: 60_000 },
      'REGISTRY_UNAVAILABLE',
    ],
    ['a dropped connection', { kind: 'drop' }, 'REGISTRY_UNAVAILABLE'],
    ['a truncated body', { kind: 'truncate' }, 'REGISTRY_UNAVAILABLE'],
    ['a manifest claiming 1 GiB', { kind: 'huge-body' }, 'REGISTRY_INVALID'],
    ['a 403', { kind: 'status', status: 403 }, 'REGISTRY_DENIED'],
    ['a 404', { kind: 'status', status: 404 }, 'REGISTRY_NOT_FOUND'],
  ])(
    'fails resolving a tag on %s with its code, within the deadline',
    async (_name, fault, code) => {
      proxy.rules = [{ match: manifests, fault }];
      const { ms, error } = await outcome((oci) => oci.resolve(`oci://${proxy.host}/acme/app:v1`));
      expect(error?.code).toBe(code);
      expect(error?.message).toContain(proxy.host);
      expect(ms).toBeLessThan(WITHIN_MS);
      // registry text is never quoted: the escape sequence in the 429 body stays out
      expect(error?.message).not.toContain('\u001b');
    },
  );

  it('refuses a manifest fetched by digest whose bytes were swapped', async () => {
    proxy.rules = [
      {
        match: manifests,
        fault: {
          kind: 'swap-body',
          body: Buffer.from(
            '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}',
          ),
        },
      },
    ];
    const { error } = await outcome((oci) => oci.resolve(ref()));
    expect(error?.code).toBe('REGISTRY_INVALID');
    expect(error?.message).toMatch(/does not match its digest/);
  });

  it('drops a swapped blob (a valid document under another digest), reporting the path', async () => {
    proxy.rules = [{ match: blobs, fault: { kind: 'swap-body', body: forged } }];
    const { value } = await outcome((oci) => oci.discover(ref()));
    const found = value as {
      documents: DiscoveredDocument[];
      failures: { path: string; code: string }[];
    };
    expect(found.documents).toEqual([]);
    expect(found.documents.some((d) => d.bytes.equals(forged))).toBe(false);
    expect(new Set(found.failures.map((f) => f.code))).toEqual(new Set(['REGISTRY_INVALID']));
    expect(new Set(found.failures.map((f) => f.path))).toEqual(
      new Set(['tag-schema', 'cosign-att']),
    );
  });

  it('keeps the evidence from the other paths when the cosign tag times out, and says which path failed', async () => {
    proxy.rules = [{ match: cosignTag, fault: { kind: 'delay', ms: 60_000 } }];
    const { ms, value } = await outcome((oci) => oci.discover(ref()));
    const found = value as {
      documents: DiscoveredDocument[];
      failures: { path: string; code: string }[];
    };
    expect(found.documents.map((d) => d.format)).toEqual(['bundle']);
    expect(found.failures.map((f) => [f.path, f.code])).toEqual([
      ['cosign-att', 'REGISTRY_UNAVAILABLE'],
    ]);
    expect(ms).toBeLessThan(WITHIN_MS);
  });

  it('reports a failing tag-schema index and still returns the cosign documents', async () => {
    proxy.rules = [{ match: tagSchema, fault: { kind: 'status', status: 500 } }];
    const { value } = await outcome((oci) => oci.discover(ref()));
    const found = value as {
      documents: DiscoveredDocument[];
      failures: { path: string; code: string }[];
    };
    expect(found.documents.map((d) => d.format)).toEqual(['dsse', 'dsse']);
    expect(found.failures.map((f) => [f.path, f.code])).toEqual([
      ['tag-schema', 'REGISTRY_UNAVAILABLE'],
    ]);
  });

  it('verify: a path that failed is in the decision, and the documents of the others still count', async () => {
    proxy.rules = [{ match: cosignTag, fault: { kind: 'status', status: 500 } }];
    const policy = policyOf({
      authorities: { builder: authority(key) },
      requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
    });
    const oci = client();
    try {
      const { decision, examined } = await verify({
        policy,
        artifact: ref(),
        sources: [],
        at: new Date(),
        registry: oci,
      });
      expect(decision.allowed).toBe(true);
      expect(examined.map((d) => d.source)).toEqual([
        expect.stringMatching(new RegExp(`^oci://${proxy.host}/acme/app@sha256:`)),
      ]);
      expect(decision.sourceFailures).toEqual([
        {
          source: `oci://${proxy.host}/acme/app@${image.digest} (cosign-att)`,
          code: 'REGISTRY_UNAVAILABLE',
          message: expect.any(String),
        },
      ]);
    } finally {
      oci.close();
    }
  });

  it('verify: an artifact the registry cannot resolve is a deny that names the registry error', async () => {
    proxy.rules = [{ match: manifests, fault: { kind: 'status', status: 403 } }];
    const policy = policyOf({
      authorities: { builder: authority(key) },
      requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
    });
    const oci = client();
    try {
      const tagged = `oci://${proxy.host}/acme/app:v1`;
      const { decision } = await verify({
        policy,
        artifact: tagged,
        sources: [],
        at: new Date(),
        registry: oci,
      });
      expect(decision.allowed).toBe(false);
      expect(decision.artifact).toEqual({ name: tagged, digest: {} });
      expect(decision.requirements[0]?.missing).toMatch(/^not evaluated: REGISTRY_DENIED/);
      expect(decision.sourceFailures?.map((f) => [f.source, f.code])).toEqual([
        [tagged, 'REGISTRY_DENIED'],
      ]);
    } finally {
      oci.close();
    }
  });

  it('is a subset of the honest documents under any mix of faults (fail closed)', async () => {
    const faults: Fault[] = [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'drop' },
      { kind: 'truncate' },
      { kind: 'swap-body', body: forged },
      { kind: 'huge-body' },
      { kind: 'delay', ms: 600 },
    ];
    const matchers = [
      blobs,
      manifests,
      cosignTag,
      tagSchema,
      (_m: string, p: string) => p.includes('/referrers/'),
    ];
    const honestBytes = new Map(honest.map((d) => [d.digest as string, d.bytes]));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.nat(matchers.length - 1),
            fault: fc.nat(faults.length - 1),
            times: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
          }),
          { maxLength: 3 },
        ),
        async (picks) => {
          proxy.rules = picks.map((p) => ({
            match: matchers[p.at] ?? blobs,
            fault: faults[p.fault] ?? { kind: 'drop' },
            ...(p.times === undefined ? {} : { times: p.times }),
          }));
          const { ms, value, error } = await outcome((oci) => oci.discover(ref()));
          expect(ms).toBeLessThan(WITHIN_MS);
          if (error !== undefined) return;
          for (const doc of (value as { documents: DiscoveredDocument[] }).documents) {
            expect(honestBytes.get(doc.digest)?.equals(doc.bytes)).toBe(true);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
