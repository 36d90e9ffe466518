import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VouchError } from '../../src/errors.js';
import { KubernetesApi } from '../../src/server/kubernetes-api.js';
import {
  ClusterNamespaceLabels,
  type ClusterNamespaceLabelsOptions,
  inClusterNamespaceLabels,
} from '../../src/server/namespace-labels.js';
import { writeSelfSigned } from '../support/self-signed.js';
import { FakeApiserver, json, namespaceObject, statusObject } from './fake-apiserver.js';

let api: FakeApiserver;
const readers: ClusterNamespaceLabels[] = [];
beforeEach(async () => {
  api = await FakeApiserver.start();
});
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await api.close();
});

function reader(
  options: ClusterNamespaceLabelsOptions & { requestTimeoutMs?: number } = {},
): ClusterNamespaceLabels {
  const r = new ClusterNamespaceLabels(KubernetesApi.inCluster({ ...api.cluster, ...options }), {
    ...options,
  });
  readers.push(r);
  return r;
}
const never = new AbortController().signal;

/** The coded error a read fails with. */
async function failure(read: Promise<unknown>): Promise<VouchError> {
  try {
    await read;
  } catch (err) {
    expect(err).toBeInstanceOf(VouchError);
    return err as VouchError;
  }
  throw new Error('the read succeeded');
}

describe('when the namespace is read from the Kubernetes API', () => {
  it('GETs /api/v1/namespaces/{name} with the service account token over the cluster CA', async () => {
    api.namespaces.set('payments', { tier: 'prod', team: 'pay' });
    const labels = await reader().labelsOf('payments', never);
    expect(Object.fromEntries(labels)).toEqual({
      'kubernetes.io/metadata.name': 'payments',
      tier: 'prod',
      team: 'pay',
    });
    expect(api.requests).toEqual([
      {
        method: 'GET',
        path: '/api/v1/namespaces/payments',
        authorization: `Bearer ${api.token}`,
        accept: 'application/json',
      },
    ]);
  });

  it('a namespace without labels has none', async () => {
    api.handler = (_req, res) => {
      const ns = namespaceObject('bare', {}) as { metadata: Record<string, unknown> };
      delete ns.metadata.labels;
      json(res, 200, ns);
    };
    expect((await reader().labelsOf('bare', never)).size).toBe(0);
  });

  it('404 is NAMESPACE_NOT_FOUND, quoting the apiserver', async () => {
    const e = await failure(reader().labelsOf('gone', never));
    expect(e.code).toBe('NAMESPACE_NOT_FOUND');
    expect(e.message).toBe(
      'the Kubernetes API has no namespace gone (404: namespaces "gone" not found)',
    );
  });

  it('403 is KUBERNETES_FORBIDDEN, saying which RBAC grant is missing', async () => {
    api.handler = (_req, res) => json(res, 403, statusObject(403, 'payments'));
    const e = await failure(reader().labelsOf('payments', never));
    expect(e.code).toBe('KUBERNETES_FORBIDDEN');
    expect(e.message).toContain('the service account may not get namespace payments (403: ');
    expect(e.message).toContain('system:serviceaccount:vouch-system:vouch-webhook');
    expect(e.hint).toContain('grant get on namespaces');
    expect(e.kind).toBe('configuration');
  });

  it('401 (a token the apiserver does not accept) is KUBERNETES_FORBIDDEN too, said apart', async () => {
    writeFileSync(join(api.serviceAccountDir, 'token'), 'a-token-of-another-cluster');
    const e = await failure(reader().labelsOf('payments', never));
    expect(e.code).toBe('KUBERNETES_FORBIDDEN');
    expect(e.message).toContain('did not accept the service account token (401: Unauthorized)');
  });

  it.each([429, 500, 503])('%i is KUBERNETES_UNAVAILABLE', async (status) => {
    api.handler = (_req, res) => json(res, status, statusObject(500, 'payments'));
    const e = await failure(reader().labelsOf('payments', never));
    expect(e.code).toBe('KUBERNETES_UNAVAILABLE');
    expect(e.message).toContain(`answered ${status}`);
  });

  it('re-reads the token the kubelet rotated', async () => {
    api.namespaces.set('payments', { tier: 'prod' });
    const r = reader({ ttlMs: 0 });
    await r.labelsOf('payments', never);
    api.rotateToken('eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLTI.sig-two');
    await r.labelsOf('payments', never);
    expect(api.requests.map((q) => q.authorization)).toEqual([
      'Bearer eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLTE.sig-one',
      'Bearer eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLTI.sig-two',
    ]);
  });

  it('trusts only the cluster CA: another certificate on that address is never read', async () => {
    api.namespaces.set('payments', { tier: 'prod' });
    const other = join(api.dir, 'other');
    writeSelfSigned(`${other}.key`, join(api.serviceAccountDir, 'ca.crt'), 'impostor', [
      'IP:127.0.0.1',
    ]);
    const e = await failure(reader().labelsOf('payments', never));
    expect(e.code).toBe('KUBERNETES_UNAVAILABLE');
    expect(api.requests).toHaveLength(0);
  });

  it('never puts the token in an error', async () => {
    for (const status of [401, 403, 404, 500] as const) {
      api.handler = (_req, res) => json(res, status, statusObject(status, 'payments'));
      const e = await failure(reader().labelsOf('payments', never));
      expect(`${e.describe()} ${JSON.stringify(e)}`).not.toContain(api.token);
    }
  });
});

describe('when the apiserver misbehaves', () => {
  it('a slow answer fails past the request timeout, without waiting for it', async () => {
    api.handler = () => {}; // never answers
    const started = Date.now();
    const e = await failure(reader({ requestTimeoutMs: 300 }).labelsOf('payments', never));
    expect(e.code).toBe('KUBERNETES_UNAVAILABLE');
    expect(e.message).toContain('no answer within 300ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("the admission's signal ends its wait; another admission sharing the read gets the answer", async () => {
    let answer: () => void = () => {};
    api.handler = (_req, res) => {
      answer = () => json(res, 200, namespaceObject('payments', { tier: 'prod' }));
    };
    const r = reader();
    const hurried = new AbortController();
    const first = r.labelsOf('payments', hurried.signal);
    const second = r.labelsOf('payments', never);
    await expect.poll(() => api.requests.length).toBe(1);
    hurried.abort(new VouchError('DEADLINE_EXCEEDED', 'deadline 8000ms passed'));
    expect((await failure(first)).code).toBe('DEADLINE_EXCEEDED');
    answer();
    expect((await second).get('tier')).toBe('prod');
    expect(api.requests).toHaveLength(1);
  });

  it.each([
    ['declared', true],
    ['chunked', false],
  ])('a huge body (%s length) is KUBERNETES_INVALID', async (_what, declared) => {
    const huge = JSON.stringify(
      namespaceObject('payments', { tier: 'prod', note: 'x'.repeat(63) }),
    ).replace('"spec"', `"padding":"${'x'.repeat(3 * 1024 * 1024)}","spec"`);
    api.handler = (_req, res) => {
      if (declared) json(res, 200, huge);
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(huge);
      }
    };
    const e = await failure(reader().labelsOf('payments', never));
    expect(e.code).toBe('KUBERNETES_INVALID');
    expect(e.message).toContain('limit');
  });

  const junk: [string, (ns: { metadata: Record<string, unknown> }) => void][] = [
    ['a label value that is not a string', (ns) => (ns.metadata.labels = { tier: 1 })],
    ['a label value over 63 characters', (ns) => (ns.metadata.labels = { tier: 'p'.repeat(64) })],
    ['a __proto__ label key', (ns) => (ns.metadata.labels = JSON.parse('{"__proto__":"prod"}'))],
    ['a label key with a space', (ns) => (ns.metadata.labels = { 'ti er': 'prod' })],
    ['a label value with a newline', (ns) => (ns.metadata.labels = { tier: 'prod\n' })],
    [
      'more than 1024 labels',
      (ns) =>
        (ns.metadata.labels = Object.fromEntries(
          Array.from({ length: 1025 }, (_, i) => [`l${i}`, 'v']),
        )),
    ],
    ['labels that are a list', (ns) => (ns.metadata.labels = ['tier=prod'])],
    ['another name', (ns) => (ns.metadata.name = 'kube-system')],
  ];
  it.each(junk)('%s is KUBERNETES_INVALID', async (_what, spoil) => {
    const ns = namespaceObject('payments', { tier: 'prod' }) as {
      metadata: Record<string, unknown>;
    };
    spoil(ns);
    api.handler = (_req, res) => json(res, 200, JSON.stringify(ns));
    expect((await failure(reader().labelsOf('payments', never))).code).toBe('KUBERNETES_INVALID');
  });

  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['a duplicated key', '{"apiVersion":"v1","kind":"Namespace","kind":"Namespace"}'],
    ['another kind', JSON.stringify({ ...namespaceObject('payments', {}), kind: 'Secret' })],
  ])('a body that is %s is KUBERNETES_INVALID', async (_what, body) => {
    api.handler = (_req, res) => json(res, 200, body);
    expect((await failure(reader().labelsOf('payments', never))).code).toBe('KUBERNETES_INVALID');
  });

  it('a name that is not a namespace is refused before any request', async () => {
    expect((await failure(reader().labelsOf('../../secrets', never))).code).toBe('MALFORMED');
    expect(api.requests).toHaveLength(0);
  });
});

describe('when labels are cached', () => {
  it('a namespace is read once per TTL; a label change is seen after it', async () => {
    let now = 1_000_000;
    const counted: string[] = [];
    const r = reader({ clock: () => now, count: (result) => counted.push(result) });
    api.namespaces.set('payments', { tier: 'prod' });
    expect((await r.labelsOf('payments', never)).get('tier')).toBe('prod');
    api.namespaces.set('payments', { tier: 'dev' });
    now += 29_999;
    expect((await r.labelsOf('payments', never)).get('tier')).toBe('prod');
    now += 1;
    expect((await r.labelsOf('payments', never)).get('tier')).toBe('dev');
    expect(api.requests).toHaveLength(2);
    expect(counted).toEqual(['miss', 'hit', 'miss']);
  });

  it('concurrent admissions in one namespace share one read', async () => {
    api.namespaces.set('payments', { tier: 'prod' });
    const r = reader();
    const all = await Promise.all(Array.from({ length: 10 }, () => r.labelsOf('payments', never)));
    expect(all.every((l) => l.get('tier') === 'prod')).toBe(true);
    expect(api.requests).toHaveLength(1);
  });

  it('a failed read is not kept: the next admission reads again', async () => {
    api.handler = (_req, res) => json(res, 500, statusObject(500, 'payments'));
    const r = reader();
    expect((await failure(r.labelsOf('payments', never))).code).toBe('KUBERNETES_UNAVAILABLE');
    api.handler = undefined;
    api.namespaces.set('payments', { tier: 'prod' });
    expect((await r.labelsOf('payments', never)).get('tier')).toBe('prod');
    expect(api.requests).toHaveLength(2);
  });
});

describe('when vouch serve is not in a cluster', () => {
  it.each([
    ['no KUBERNETES_SERVICE_HOST', {}, 'KUBERNETES_SERVICE_HOST'],
    ['no service account token', { token: true }, 'service account token'],
    ['no cluster CA', { ca: true }, 'cluster CA certificate'],
  ])('%s: no reader, and an error that says so', (_what, missing, says) => {
    const env = Object.keys(missing).length === 0 ? {} : api.env;
    if ('token' in missing) writeFileSync(join(api.serviceAccountDir, 'token'), '');
    const dir = 'ca' in missing ? api.dir : api.serviceAccountDir;
    if ('ca' in missing) writeFileSync(join(api.dir, 'token'), api.token);
    const made = inClusterNamespaceLabels({ env, serviceAccountDir: dir });
    expect(made).toBeInstanceOf(VouchError);
    expect((made as VouchError).code).toBe('KUBERNETES_UNAVAILABLE');
    expect((made as VouchError).message).toContain(says);
  });
});

describe('when the apiserver answers as an attacker would', () => {
  it('holds: a body dripped a byte at a time ends at the request timeout', async () => {
    api.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(drip));
    };
    const started = Date.now();
    const e = await failure(reader({ requestTimeoutMs: 400 }).labelsOf('payments', never));
    expect(e.code).toBe('KUBERNETES_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('holds: an endless chunked body is refused at the bound, not buffered', async () => {
    api.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      const pump = () => {
        while (res.write(chunk)) {}
      };
      res.on('drain', pump);
      pump();
    };
    const e = await failure(reader().labelsOf('payments', never));
    expect(e.code).toBe('KUBERNETES_INVALID');
  });

  it('holds: terminal escapes and bidi overrides in a Status message are escaped', async () => {
    api.handler = (_req, res) =>
      json(res, 403, {
        kind: 'Status',
        message: 'forbidden\u001b[2J\u001b]0;owned\u0007\u202e\n',
      });
    const e = await failure(reader().labelsOf('payments', never));
    expect([...e.message].some((c) => c < ' ' || c === '\u202e')).toBe(false);
    expect(e.message).toContain('\\u{1b}[2J');
  });
});
