import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/attestation/envelope.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { loadServerConfig, type ServerSettings } from '../../src/server/config.js';
import { DocumentCache } from '../../src/server/document-cache.js';
import { indexBySubject } from '../../src/server/image-discovery.js';
import { buildServer } from '../../src/server/server.js';
import {
  examineInTurns,
  VerificationTurns,
  verificationMemo,
} from '../../src/server/verification-turns.js';
import { serverVerifiers } from '../../src/server/verifier.js';
import { ANONYMOUS } from '../../src/sources/oci/credentials.js';
import { OciRegistry } from '../../src/sources/oci/registry.js';
import {
  type AttestedImages,
  deleteReferrersIndex,
  pushAttestedImages,
} from '../support/attested-images.js';
import { type RunningRegistry, registryPeersPresent, startRegistry } from '../support/registry.js';
import {
  authority,
  bundle,
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  policyOf,
  provenance,
  review,
  statementJson,
  VULN_REVIEW,
} from '../support/signing.js';
import { admissionReview } from './admission-fixtures.js';
import {
  BAD,
  capturedLogger,
  FORK,
  GOOD,
  provenanceFor,
  verifierFor,
  type WebhookDir,
  writeWebhookDir,
} from './webhook-dir.js';

const builder = makeKey('ed25519');
const alice = makeKey('ed25519');
const bob = makeKey();
const mallory = makeKey('ed25519');
const APP = digestOf('app v1');
const OTHER = digestOf('other');
const T = Date.parse('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;

const reviewBy = (key: typeof alice, at: string, subject = APP, decision = 'approved') =>
  dsse(statementJson(subject, VULN_REVIEW, review(at, decision)), [key]);
const tampered = (() => {
  const env = JSON.parse(reviewBy(alice, '2026-11-22T10:00:00Z')) as { payload: string };
  const text = Buffer.from(env.payload, 'base64').toString().replace('approved', 'APPROVED');
  return JSON.stringify({ ...env, payload: Buffer.from(text).toString('base64') });
})();

/** Documents whose verdicts depend on artifact, time, policy and condition. */
const POOL = [
  dsse(statementJson(APP, PROVENANCE, provenance()), [builder]),
  dsse(statementJson(OTHER, PROVENANCE, provenance()), [builder]),
  dsse(statementJson(APP, PROVENANCE, provenance('https://github.com/evil/app')), [builder]),
  reviewBy(alice, '2026-11-22T10:00:00Z'),
  reviewBy(bob, '2026-11-20T10:00:00Z'),
  reviewBy(alice, '2026-11-26T10:00:00Z'),
  reviewBy(bob, '2026-11-23T09:00:00Z', OTHER),
  reviewBy(mallory, '2026-11-23T09:00:00Z'),
  reviewBy(bob, '2026-11-21T10:00:00Z', APP, 'rejected'),
  bundle(statementJson(APP, VULN_REVIEW, review('2026-11-19T10:00:00Z')), alice),
  tampered,
  dsse(statementJson(APP, VULN_REVIEW, review('2026-11-22T10:00:00Z')), [bob], 'text/plain'),
  '{"payloadType": "application/vnd.in-toto+json", "payload": ',
  `${IN_TOTO_PAYLOAD_TYPE}`,
];

const requirements = (maxAge: string, threshold: number) => [
  {
    name: 'provenance',
    predicateType: PROVENANCE,
    signers: ['builder'],
    condition:
      'predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"',
  },
  {
    name: 'review',
    predicateType: VULN_REVIEW,
    signers: ['security'],
    threshold,
    maxAge,
    condition: 'predicate.decision == "approved"',
  },
];
// Two policies with the same keys share cache entries; the third trusts other keys.
const POLICIES = [
  policyOf(
    {
      authorities: { builder: authority(builder), security: authority(alice, bob) },
      requirements: requirements('168h', 2),
    },
    'two-reviews',
  ),
  policyOf(
    {
      authorities: { builder: authority(builder), security: authority(alice, bob) },
      requirements: requirements('24h', 1),
    },
    'fresh-review',
  ),
  policyOf(
    {
      authorities: { builder: authority(builder), security: authority(alice, mallory) },
      requirements: requirements('720h', 1),
    },
    'other-keys',
  ),
];

const request = fc.record({
  policy: fc.nat(POLICIES.length - 1),
  artifact: fc.constantFrom(APP, OTHER),
  documents: fc.subarray([...POOL.keys()]),
  hours: fc.integer({ min: -240, max: 240 }),
});

describe('when decisions go through the verified-document cache', () => {
  it('equal uncached decisions over random request sequences, times and cache sizes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 3, 1000),
        fc.array(request, { minLength: 1, maxLength: 12 }),
        (size, sequence) => {
          const cache = new DocumentCache(size);
          for (const r of sequence) {
            const policy = POLICIES[r.policy];
            if (policy === undefined) throw new Error('no policy');
            const input = {
              artifact: { digest: { sha256: r.artifact.sha256 } },
              documents: r.documents.map((i) => ({ bytes: POOL[i] ?? '' })),
              at: new Date(T + r.hours * HOUR),
            };
            const cached = evaluatePolicy(policy, {
              ...input,
              verifiedDocuments: cache.forPolicy(policy),
            });
            const uncached = evaluatePolicy(policy, input);
            expect(cached).toEqual(uncached);
            // Local discovery by subject leaves out only documents that could not count.
            const docs = input.documents.map(({ bytes }) => ({
              source: '',
              bytes: Buffer.from(bytes),
            }));
            const routed = indexBySubject(docs).get(r.artifact.sha256) ?? [];
            const indexed = evaluatePolicy(policy, { ...input, documents: routed });
            expect(indexed.allowed).toBe(uncached.allowed);
            expect(indexed.expiresAt).toBe(uncached.expiresAt);
            // Where a document was read is not part of what counts.
            const counted = (d: typeof uncached) =>
              d.requirements.map((q) => q.satisfiedBy.map(({ source: _where, ...entry }) => entry));
            expect(counted(indexed)).toEqual(counted(uncached));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a hit skips the signature check: the second evaluation of the same documents is all hits', () => {
    let hits = 0;
    let misses = 0;
    const cache = new DocumentCache(100, (r) => (r === 'hit' ? hits++ : misses++));
    const input = {
      artifact: { digest: { sha256: APP.sha256 } },
      documents: POOL.map((bytes) => ({ bytes })),
      at: new Date(T),
    };
    const [policy] = POLICIES;
    if (policy === undefined) throw new Error('no policy');
    evaluatePolicy(policy, { ...input, verifiedDocuments: cache.forPolicy(policy) });
    expect([hits, misses]).toEqual([0, POOL.length]);
    evaluatePolicy(policy, { ...input, verifiedDocuments: cache.forPolicy(policy) });
    expect(hits).toBe(POOL.length);
  });
});

describe('when documents are examined in turns before the evaluation', () => {
  it('decisions equal those without, over random sequences, budgets and cache sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 3, 1000),
        fc.constantFrom(0, 0.05, 2),
        fc.array(request, { minLength: 1, maxLength: 8 }),
        async (size, budget, sequence) => {
          const cache = new DocumentCache(size);
          const turns = new VerificationTurns(budget);
          for (const r of sequence) {
            const policy = POLICIES[r.policy];
            if (policy === undefined) throw new Error('no policy');
            const input = {
              artifact: { digest: { sha256: r.artifact.sha256 } },
              documents: r.documents.map((i) => ({ bytes: POOL[i] ?? '', source: `d${i}` })),
              at: new Date(T + r.hours * HOUR),
            };
            const memo = verificationMemo(cache.forPolicy(policy));
            await examineInTurns(input.documents, policy, memo, turns);
            const inTurns = evaluatePolicy(policy, { ...input, verifiedDocuments: memo });
            expect(inTurns).toEqual(evaluatePolicy(policy, input));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('examines each document once: the evaluation after the turns is all hits', async () => {
    const seen: string[] = [];
    const cache = new DocumentCache(0, (r) => seen.push(r));
    const [policy] = POLICIES;
    if (policy === undefined) throw new Error('no policy');
    const documents = POOL.map((bytes) => ({ bytes }));
    const memo = verificationMemo(cache.forPolicy(policy));
    await examineInTurns(documents, policy, memo, new VerificationTurns(0));
    evaluatePolicy(policy, {
      artifact: { digest: { sha256: APP.sha256 } },
      documents,
      at: new Date(T),
      verifiedDocuments: memo,
    });
    // The shared cache (here keeping nothing) is asked once per document, never again.
    expect(seen).toEqual(POOL.map(() => 'miss'));
  });

  it('stops at the deadline, failing closed', async () => {
    const [policy] = POLICIES;
    if (policy === undefined) throw new Error('no policy');
    const memo = verificationMemo(new DocumentCache(10).forPolicy(policy));
    const signal = AbortSignal.abort(new Error('deadline passed'));
    await expect(
      examineInTurns([{ bytes: POOL[0] ?? '' }], policy, memo, new VerificationTurns(), signal),
    ).rejects.toThrow('deadline passed');
  });
});

describe('when the webhook answers with and without caches', () => {
  const dir = writeWebhookDir();
  afterAll(() => rmSync(dir.dir, { recursive: true, force: true }));
  const { settings } = loadServerConfig(dir.config);

  it('gives the same answers over random sequences of images, namespaces and times', async () => {
    const images = [GOOD, BAD, FORK].flatMap((d) => [
      `ghcr.io/acme/app@${d}`,
      `ghcr.io/acme/staging/app@${d}`,
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            images: fc.subarray(images, { minLength: 1 }),
            namespace: fc.constantFrom('payments', 'kube-system'),
            hours: fc.integer({ min: -100, max: 800 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (sequence) => {
          let now = new Date(T);
          const clock = () => now;
          const make = (documents: number) => {
            const server = buildServer({
              logger: capturedLogger().logger,
              verifierFor,
              clock,
            });
            server.install({
              ...settings,
              cache: { documents, discoveryTtl: documents === 0 ? 0 : 30_000 },
            });
            return server;
          };
          const cached = make(10_000);
          const uncached = make(0);
          for (const [i, r] of sequence.entries()) {
            now = new Date(T + r.hours * HOUR);
            const review = admissionReview(
              { containers: r.images },
              { namespace: r.namespace, uid: `uid-${i}` },
            );
            const [a, b] = await Promise.all(
              [cached, uncached].map((s) =>
                s.app.inject({ method: 'POST', url: '/validate', payload: review }),
              ),
            );
            expect(a?.json()).toEqual(b?.json());
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe.skipIf(!registryPeersPresent())(
  'when the webhook discovers attestations in a real registry, with and without caches',
  () => {
    const TTL = 30_000;
    let registry: RunningRegistry;
    let dir: WebhookDir;
    let images: AttestedImages;
    let settings: ServerSettings;
    let refs: string[];

    beforeAll(async () => {
      registry = await startRegistry('anonymous');
      dir = writeWebhookDir(
        `apiVersion: vouch/v1
kind: ServerConfig
spec:
  listen: 127.0.0.1:0
  tls: {cert: tls/tls.crt, key: tls/tls.key}
  registry: {plainHttp: true}
  attestations: {registry: true, dirs: [attestations]}
  imagePolicies:
    - name: prod
      images: ["127.0.0.1:*/acme/app"]
      policy: {file: policy.yaml}
    - name: each
      images: ["127.0.0.1:*/acme/each"]
      policy: {file: policy.yaml}
      platforms: each
`,
      );
      images = await pushAttestedImages(registry.host, 'acme/app', (d) =>
        provenanceFor(dir.builder, d),
      );
      await pushAttestedImages(registry.host, 'acme/each', (d) => provenanceFor(dir.builder, d));
      settings = loadServerConfig(dir.config).settings;
      refs = [
        ...['v1', 'bare', 'multi'].map((tag) => `${registry.host}/acme/app:${tag}`),
        `${registry.host}/acme/app@${images.v1.digest}`,
        `${registry.host}/acme/each:multi`,
      ];
    }, 120_000);

    afterAll(async () => {
      await registry?.stop();
      if (dir !== undefined) rmSync(dir.dir, { recursive: true, force: true });
    });

    /** Puts v1's provenance back as a referrer (re-pushing it rewrites the tag-schema index). */
    async function restore(): Promise<void> {
      const oci = new OciRegistry({ plainHttp: true });
      try {
        await oci.push(`oci://${registry.host}/acme/app@${images.v1.digest}`, {
          bytes: Buffer.from(provenanceFor(dir.builder, images.v1.digest)),
          format: 'dsse',
          predicateType: PROVENANCE,
          created: '2026-11-20T09:00:00Z',
        });
      } finally {
        oci.close();
      }
    }

    it('agree once the discovery TTL has passed since the registry last changed, deletions included', async () => {
      const step = fc.oneof(
        fc.record({
          kind: fc.constant('admit' as const),
          images: fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
          hours: fc.integer({ min: -100, max: 800 }),
        }),
        fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 2 * TTL }) }),
        fc.record({ kind: fc.constant('delete' as const) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (sequence) => {
          await restore();
          let now = new Date(T);
          let discoveryClock = 0;
          let changed = Number.NEGATIVE_INFINITY;
          let deleted = false;
          const make = (ttl: number, documents: number) => {
            const verifiers = serverVerifiers({
              credentials: ANONYMOUS,
              clock: () => discoveryClock,
            });
            const server = buildServer({
              logger: capturedLogger().logger,
              verifierFor: verifiers.verifierFor,
              clock: () => now,
            });
            server.install({ ...settings, cache: { documents, discoveryTtl: ttl } });
            return { server, close: () => verifiers.close() };
          };
          const cached = make(TTL, 10_000);
          const uncached = make(0, 0);
          try {
            for (const [i, s] of sequence.entries()) {
              if (s.kind === 'wait') {
                discoveryClock += s.ms;
                continue;
              }
              if (s.kind === 'delete') {
                if (!deleted)
                  await deleteReferrersIndex(registry.host, 'acme/app', images.v1.digest);
                deleted = true;
                changed = discoveryClock;
                continue;
              }
              now = new Date(T + s.hours * HOUR);
              const review = admissionReview(
                { containers: s.images.map((j) => refs[j] ?? '') },
                { uid: `uid-${i}` },
              );
              const [a, b] = await Promise.all(
                [cached, uncached].map((w) =>
                  w.server.app.inject({ method: 'POST', url: '/validate', payload: review }),
                ),
              );
              // Within the TTL after a change the cache may answer as before it (the documented
              // bound on how long a deleted attestation is still seen); after it, never.
              if (discoveryClock - changed >= TTL) expect(a?.json()).toEqual(b?.json());
            }
          } finally {
            cached.close();
            uncached.close();
          }
          // A deletion is seen once the TTL has passed: v1 is denied by both.
          if (deleted) {
            discoveryClock += TTL;
            now = new Date(T);
            const review = admissionReview({ containers: [refs[3] ?? ''] });
            for (const w of [make(TTL, 10_000), make(0, 0)]) {
              const answer = await w.server.app.inject({
                method: 'POST',
                url: '/validate',
                payload: review,
              });
              w.close();
              expect(answer.json().response.allowed).toBe(false);
            }
          }
        }),
        { numRuns: 12 },
      );
    }, 120_000);
  },
);
