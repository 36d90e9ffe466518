import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, type ServeOptions, serve } from '../../src/server/serve.js';
import { admissionReview } from './admission-fixtures.js';
import { FakeApiserver, json, statusObject } from './fake-apiserver.js';
import { eventually, httpsClient } from './https-client.js';
import {
  BAD,
  capturedLogger,
  configYaml,
  EVALUATED_AT,
  GOOD,
  type WebhookDir,
  writeWebhookDir,
} from './webhook-dir.js';

// `vouch serve` with image policies that select namespaces by label, reading them from a
// loopback apiserver as it would from its cluster's, answering AdmissionReviews over HTTPS.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function labelledConfig(deadline = '8s'): string {
  return `apiVersion: vouch/v1
kind: ServerConfig
spec:
  listen: 127.0.0.1:0
  tls: {cert: tls/tls.crt, key: tls/tls.key}
  deadline: ${deadline}
  unmatchedImages: deny
  attestations: {registry: false, dirs: [attestations]}
  imagePolicies:
    - name: prod
      images: ["ghcr.io/acme/**"]
      namespaces: {matchLabels: {tier: prod}}
      policy: {file: policy.yaml}
      mode: enforce
    - name: staging
      images: ["ghcr.io/acme/staging/**"]
      namespaces: {matchLabels: {tier: prod}}
      policy: {file: policy.yaml}
      mode: warn
    - name: vendor
      images: ["registry.example.com/*"]
      namespaces: {matchLabels: {tier: prod}}
      policy: {file: policy.yaml}
      mode: audit
`;
}

interface Started {
  readonly api: FakeApiserver;
  readonly dir: WebhookDir;
  readonly running: RunningServer;
  readonly lines: Record<string, unknown>[];
  readonly bodies: string[];
  admit(image: string, namespace?: string): Promise<Answer>;
  metrics(): Promise<string>;
}

interface Answer {
  readonly allowed: boolean;
  readonly status?: { readonly message: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Record<string, string>;
}

async function start(
  config = labelledConfig(),
  cluster: (api: FakeApiserver) => NonNullable<ServeOptions['cluster']> = (api) => api.cluster,
): Promise<Started> {
  const api = await FakeApiserver.start();
  cleanups.push(() => api.close());
  api.namespaces.set('payments', { tier: 'prod' });
  api.namespaces.set('sandbox', { tier: 'dev' });
  const dir = writeWebhookDir(config);
  cleanups.push(() => rmSync(dir.dir, { recursive: true, force: true }));
  const { logger, lines } = capturedLogger();
  const running = await serve(dir.config, {
    logger,
    watchInterval: 50,
    clock: () => EVALUATED_AT,
    cluster: cluster(api),
  });
  cleanups.push(() => running.close());
  const client = httpsClient(readFileSync(dir.tlsCert));
  cleanups.push(() => client.close());
  const bodies: string[] = [];
  return {
    api,
    dir,
    running,
    lines,
    bodies,
    async admit(image, namespace = 'payments') {
      const res = await client.post(
        `${running.url}/validate`,
        admissionReview({ containers: [image] }, { namespace }),
      );
      expect(res.status).toBe(200);
      bodies.push(res.body);
      return JSON.parse(res.body).response as Answer;
    },
    async metrics() {
      return (await client.get(`${running.url}/metrics`)).body;
    },
  };
}

const PROD = 'ghcr.io/acme/app';
const STAGING = 'ghcr.io/acme/staging/app';
const VENDOR = 'registry.example.com/tool';

describe('when the namespace carries the labels an image policy selects', () => {
  it('the policy applies, by its mode; other namespaces are exempt', async () => {
    const s = await start();
    expect((await s.admit(`${PROD}@${GOOD}`)).allowed).toBe(true);
    const denied = await s.admit(`${PROD}@${BAD}`);
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toContain('(image policy prod): requirement provenance');
    const warned = await s.admit(`${STAGING}@${BAD}`);
    expect(warned.allowed).toBe(true);
    expect(warned.warnings?.[0]).toContain('vouch (warn mode)');
    const audited = await s.admit(`${VENDOR}@${BAD}`);
    expect(audited.allowed).toBe(true);
    expect(audited.auditAnnotations?.['policy-violations']).toContain('"policy":"vendor"');

    // tier=dev: no policy selects the namespace, so the image is exempt (and logged so).
    expect((await s.admit(`${PROD}@${BAD}`, 'sandbox')).allowed).toBe(true);
    const exempt = s.lines.filter((l) => l.msg === 'admission').at(-1) as {
      images: { result: string }[];
    };
    expect(exempt.images[0]?.result).toBe('exempt');

    // One read per namespace: the other admissions were answered from the cache.
    expect(s.api.requests.map((r) => r.path)).toEqual([
      '/api/v1/namespaces/payments',
      '/api/v1/namespaces/sandbox',
    ]);
    expect(await s.metrics()).toContain(
      'vouch_cache_requests_total{cache="namespace-labels",result="hit"} 3',
    );
    const everything = JSON.stringify(s.lines) + s.bodies.join('');
    expect(everything).not.toContain(s.api.token);
  });

  it('concurrent admissions in a namespace share one read', async () => {
    const s = await start();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.admit(`${PROD}@${i % 2 === 0 ? GOOD : BAD}`)),
    );
    expect(answers.map((a) => a.allowed)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(s.api.requests).toHaveLength(1);
  });

  it('a label change is seen once the 30s TTL has passed, not before', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z');
    const s = await start(labelledConfig(), (api) => ({ ...api.cluster, clock: () => now }));
    expect((await s.admit(`${PROD}@${BAD}`)).allowed).toBe(false);
    s.api.namespaces.set('payments', { tier: 'dev' });
    now += 29_000;
    expect((await s.admit(`${PROD}@${BAD}`)).allowed).toBe(false);
    now += 1_000;
    expect((await s.admit(`${PROD}@${BAD}`)).allowed).toBe(true);
    // And back: labelled again, the policy applies again after the TTL.
    s.api.namespaces.set('payments', { tier: 'prod' });
    now += 30_000;
    expect((await s.admit(`${PROD}@${BAD}`)).allowed).toBe(false);
    expect(s.api.requests).toHaveLength(3);
  });
});

describe('when the labels cannot be read', () => {
  it.each([
    ['enforce', PROD, false],
    ['warn', STAGING, true],
    ['audit', VENDOR, true],
  ])(
    'apiserver down: %s fails closed by its mode, even for a good image',
    async (mode, repo, allowed) => {
      const s = await start();
      await s.api.stop();
      const answer = await s.admit(`${repo}@${GOOD}`);
      expect(answer.allowed).toBe(allowed);
      const said =
        mode === 'enforce'
          ? answer.status?.message
          : mode === 'warn'
            ? answer.warnings?.[0]
            : answer.auditAnnotations?.['policy-violations'];
      expect(said).toContain('NAMESPACE_LABELS_UNAVAILABLE');
      if (mode === 'enforce') expect(said).toContain('KUBERNETES_UNAVAILABLE: cannot read');
      if (mode === 'warn') expect(said).toContain('vouch (warn mode)');

      // Back up: the failure was not cached, the next admission reads again.
      await s.api.restart();
      const after = await s.admit(`${repo}@${GOOD}`);
      expect(after).toMatchObject({ allowed: true });
      expect(after.warnings).toBeUndefined();
    },
  );

  it.each([
    ['enforce', PROD, false],
    ['warn', STAGING, true],
    ['audit', VENDOR, true],
  ])(
    'apiserver slower than the deadline: %s answers by its mode within it',
    async (mode, repo, allowed) => {
      const s = await start(labelledConfig('1s'));
      s.api.handler = () => {}; // accepts the request, never answers
      const started = Date.now();
      const answer = await s.admit(`${repo}@${GOOD}`);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(950);
      expect(took).toBeLessThan(2500);
      expect(answer.allowed).toBe(allowed);
      const line = s.lines.find((l) => l.msg === 'admission') as {
        images: { result: string; reasons: { code: string; message: string }[] }[];
      };
      expect(line.images[0]?.result).toBe(mode === 'enforce' ? 'deny' : mode);
      expect(line.images[0]?.reasons[0]?.code).toBe('NAMESPACE_LABELS_UNAVAILABLE');
      expect(line.images[0]?.reasons[0]?.message).toMatch(/deadline/);
      await s.admit(`${repo}@${GOOD}`); // the server stays up and answers again
    },
  );

  it('403 (RBAC missing) denies in enforce, saying what to grant; the token is never logged', async () => {
    const s = await start();
    s.api.handler = (_req, res) => json(res, 403, statusObject(403, 'payments'));
    const answer = await s.admit(`${PROD}@${GOOD}`);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('NAMESPACE_LABELS_UNAVAILABLE');
    expect(answer.status?.message).toContain(
      'KUBERNETES_FORBIDDEN: the service account may not get namespace payments',
    );
    expect(answer.status?.message).toContain('grant get on namespaces');
    const everything = JSON.stringify(s.lines) + s.bodies.join('');
    expect(everything).not.toContain(s.api.token);
    expect(everything).not.toContain('Bearer');
  });

  it('404 (no such namespace) denies in enforce with NAMESPACE_NOT_FOUND', async () => {
    const s = await start();
    const answer = await s.admit(`${PROD}@${GOOD}`, 'deleted');
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('NAMESPACE_NOT_FOUND');
  });
});

describe('when vouch serve is not in a cluster', () => {
  const outside = () => ({ env: {} });

  it('a configuration selecting by label is a startup error that says why', async () => {
    const dir = writeWebhookDir(labelledConfig());
    cleanups.push(() => rmSync(dir.dir, { recursive: true, force: true }));
    await expect(
      serve(dir.config, { logger: capturedLogger().logger, cluster: outside() }),
    ).rejects.toMatchObject({
      code: 'SERVER_CONFIG_INVALID',
      message: expect.stringContaining(
        'namespaces.matchLabels needs namespace labels from the Kubernetes API, which vouch serve cannot read here: not running in a Kubernetes pod',
      ),
    });
  });

  it('a reload that starts selecting by label is rejected; the last good configuration serves', async () => {
    const s = await start(configYaml(), outside);
    writeFileSync(s.dir.config, labelledConfig());
    await eventually(() =>
      s.lines.some((l) => l.msg?.toString().startsWith('configuration reload rejected')),
    );
    const rejected = s.lines.find((l) => l.code === 'SERVER_CONFIG_INVALID');
    expect(rejected?.error).toContain('KUBERNETES_SERVICE_HOST');
    // The old configuration (no labels) still serves: payments is not selected by label.
    expect((await s.admit(`${PROD}@${GOOD}`)).allowed).toBe(true);
    expect((await s.admit(`${PROD}@${BAD}`)).allowed).toBe(false);
    expect(s.api.requests).toHaveLength(0);
  });
});
