import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VouchError } from '../../src/errors.js';
import { KubernetesApi } from '../../src/server/kubernetes-api.js';
import { ClusterNamespaceLabels } from '../../src/server/namespace-labels.js';
import { FakeApiserver, json, namespaceObject } from './fake-apiserver.js';

// Whatever the apiserver answers, the reader returns exactly the labels of a well-formed
// Namespace of the name asked for, or a coded error (which the admission turns into a fail).

let api: FakeApiserver;
let reader: ClusterNamespaceLabels;
let answer: { status: number; body: string } = { status: 500, body: '' };
beforeAll(async () => {
  api = await FakeApiserver.start();
  api.handler = (_req, res) => json(res, answer.status, answer.body);
  reader = new ClusterNamespaceLabels(KubernetesApi.inCluster(api.cluster), { ttlMs: 0 });
});
afterAll(async () => {
  reader.close();
  await api.close();
});

const validKey = fc.oneof(
  fc.constantFrom('tier', 'app.kubernetes.io/name', 'constructor', 'toString', 'hasOwnProperty'),
  fc.stringMatching(
    /^([a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?$/,
  ),
);
// "__proto__" most of all: a zod record drops it unchecked, a JSON body keeps it as a key.
const invalidKey = fc.oneof(
  { arbitrary: fc.constant('__proto__'), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      '',
      ' tier',
      '-x',
      'x/',
      '/x',
      'a/b/c',
      'ti\ner',
      'x'.repeat(64),
      'Acme.io/x',
    ),
    weight: 3,
  },
);
const validValue = fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?)?$/);
const invalidValue = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom('-x', 'x_', 'a b', 'x'.repeat(64), 'prod\n'),
);

const ERROR_CODES = new Set([
  'KUBERNETES_UNAVAILABLE',
  'KUBERNETES_FORBIDDEN',
  'NAMESPACE_NOT_FOUND',
  'KUBERNETES_INVALID',
]);

describe('when the apiserver answers anything at all', () => {
  it('labels come only from a well-formed Namespace, exactly; anything else is a coded error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: fc.constant(200), weight: 3 },
          { arbitrary: fc.constantFrom(401, 403, 404, 429, 500, 503), weight: 1 },
        ),
        fc.array(fc.tuple(validKey, validValue), { maxLength: 6 }),
        // Each of these makes the labels junk: a bad key, or a good key with a bad value.
        fc.array(
          fc.oneof(
            fc.tuple(invalidKey, fc.oneof(validValue, invalidValue)),
            fc.tuple(validKey, invalidValue),
          ),
          { maxLength: 2 },
        ),
        fc.constantFrom('payments', 'payments', 'kube-system'),
        fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 4 },
          { arbitrary: fc.json(), weight: 1 },
        ),
        async (status, good, spoilt, name, junk) => {
          const labels = Object.fromEntries(good);
          // defineProperty: a "__proto__" key must be an own key of the body, as in JSON.
          for (const [k, v] of spoilt)
            Object.defineProperty(labels, k, {
              value: v,
              enumerable: true,
              configurable: true,
              writable: true,
            });
          const ns = namespaceObject(name, {}) as { metadata: { labels: object } };
          ns.metadata.labels = labels;
          answer = { status, body: junk ?? JSON.stringify(ns) };
          let got: ReadonlyMap<string, string> | VouchError;
          try {
            got = await reader.labelsOf('payments', new AbortController().signal);
          } catch (err) {
            expect(err).toBeInstanceOf(VouchError);
            got = err as VouchError;
          }
          const wellFormed =
            status === 200 && junk === undefined && name === 'payments' && spoilt.length === 0;
          if (wellFormed) {
            expect(got).toEqual(new Map(Object.entries(labels)));
          } else {
            expect(got).toBeInstanceOf(VouchError);
            const code = (got as VouchError).code;
            expect(ERROR_CODES.has(code), code).toBe(true);
            if (status === 404) expect(code).toBe('NAMESPACE_NOT_FOUND');
            if (status === 401 || status === 403) expect(code).toBe('KUBERNETES_FORBIDDEN');
            if (status === 200) expect(code).toBe('KUBERNETES_INVALID');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
