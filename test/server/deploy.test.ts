import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import * as z from 'zod';
import { compileServerConfig } from '../../src/server/config.js';
import { tempDir } from '../support/cli.js';
import { REPO } from '../support/paths.js';
import { makeKey } from '../support/signing.js';

// The offline half of the manifest checks (.ci/kubernetes-manifests runs `kubectl kustomize`
// too): the manifests narrowed to the fields this webhook depends on, then checked.
const str = z.string();
const labels = z.record(str, str);
const webhook = z.object({
  name: str,
  clientConfig: z.object({
    service: z.object({ name: str, namespace: str, path: str, port: z.number() }),
  }),
  rules: z.array(
    z.object({
      apiGroups: z.array(str),
      apiVersions: z.array(str),
      operations: z.array(str),
      resources: z.array(str),
    }),
  ),
  failurePolicy: str,
  sideEffects: str,
  timeoutSeconds: z.number(),
  admissionReviewVersions: z.array(str),
  namespaceSelector: z.object({
    matchExpressions: z.array(z.object({ key: str, operator: str, values: z.array(str) })),
  }),
});
const manifest = z.object({
  apiVersion: str,
  kind: str,
  metadata: z.object({ name: str, labels: labels.optional() }),
});
const deploymentSchema = z.object({
  spec: z.object({
    replicas: z.number(),
    selector: z.object({ matchLabels: labels }),
    template: z.object({
      metadata: z.object({ labels }),
      spec: z.object({
        serviceAccountName: str,
        containers: z.array(
          z.object({
            args: z.array(str),
            ports: z.array(z.object({ name: str, containerPort: z.number() })),
            readinessProbe: z.object({ httpGet: z.object({ path: str, scheme: str }) }),
          }),
        ),
      }),
    }),
  }),
});
const serviceSchema = z.object({
  spec: z.object({
    selector: labels,
    ports: z.array(z.object({ port: z.number(), targetPort: str })),
  }),
});
const pdbSchema = z.object({
  spec: z.object({ minAvailable: z.number(), selector: z.object({ matchLabels: labels }) }),
});

const DEPLOY = join(REPO, 'deploy');
const MANIFESTS = readdirSync(DEPLOY).filter(
  (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
);
const objects: unknown[] = MANIFESTS.flatMap((f) =>
  parseAllDocuments(readFileSync(join(DEPLOY, f), 'utf8')).map((d) => d.toJS()),
);
function find<S extends z.ZodType>(kind: string, schema: S): z.output<S> {
  const found = objects.find((o) => manifest.safeParse(o).data?.kind === kind);
  if (found === undefined) throw new Error(`deploy/ has no ${kind}`);
  return schema.parse(found);
}
const webhooks = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].map(
  (k) => find(k, z.object({ webhooks: z.tuple([webhook]) })).webhooks[0],
);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('when the manifests in deploy/ are applied', () => {
  it('lists every manifest in the kustomization', () => {
    const kustomization = z
      .object({ resources: z.array(str) })
      .parse(
        parseAllDocuments(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8'))[0]?.toJS(),
      );
    expect([...kustomization.resources].sort()).toEqual([...MANIFESTS].sort());
    for (const o of objects)
      expect(manifest.safeParse(o).success, JSON.stringify(o).slice(0, 80)).toBe(true);
  });

  it.each(webhooks.map((w) => [w.name, w]))(
    '%s fails closed: failurePolicy Fail, sideEffects None, timeout 10s, v1',
    (_name, hook) => {
      expect(hook).toMatchObject({
        failurePolicy: 'Fail',
        sideEffects: 'None',
        timeoutSeconds: 10,
        admissionReviewVersions: ['v1'],
      });
    },
  );

  it.each(webhooks.map((w) => [w.name, w]))(
    '%s covers every kind that runs images, and kubectl debug',
    (_name, hook) => {
      const covered = hook.rules.flatMap((r) =>
        r.resources.flatMap((res) => r.operations.map((op) => `${r.apiGroups[0]}/${res}:${op}`)),
      );
      for (const res of [
        '/pods',
        '/replicationcontrollers',
        'apps/deployments',
        'apps/replicasets',
        'apps/statefulsets',
        'apps/daemonsets',
        'batch/jobs',
        'batch/cronjobs',
      ]) {
        expect(covered).toContain(`${res}:CREATE`);
        expect(covered).toContain(`${res}:UPDATE`);
      }
      expect(covered).toContain('/pods/ephemeralcontainers:UPDATE');
    },
  );

  it.each(webhooks.map((w) => [w.name, w]))(
    '%s skips its own namespace and kube-system, and honours the opt-out label',
    (_name, hook) => {
      const expressions = hook.namespaceSelector.matchExpressions;
      expect(expressions).toContainEqual({
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['kube-system', 'vouch-system'],
      });
      const optOut = expressions.find((e) => e.key === 'admission.vouch.dev/ignore');
      expect(optOut).toMatchObject({ operator: 'NotIn', values: ['true'] });
      expect(find('Namespace', manifest).metadata.labels?.['admission.vouch.dev/ignore']).toBe(
        'true',
      );
    },
  );

  it('routes validate and mutate to the Service, whose selector and port reach the pods', () => {
    const service = find('Service', serviceSchema);
    const deployment = find('Deployment', deploymentSchema);
    expect(webhooks.map((w) => w.clientConfig.service.path).sort()).toEqual([
      '/mutate',
      '/validate',
    ]);
    for (const w of webhooks)
      expect(w.clientConfig.service).toMatchObject({
        name: 'vouch-webhook',
        namespace: 'vouch-system',
        port: 443,
      });
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.ports.map((p) => p.name)).toContain(service.spec.ports[0]?.targetPort);
    expect(container?.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
  });

  it('runs 2+ replicas under a PodDisruptionBudget that selects them', () => {
    const deployment = find('Deployment', deploymentSchema);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const pdb = find('PodDisruptionBudget', pdbSchema);
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(deployment.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(deployment.spec.template.spec.serviceAccountName).toBe(
      find('ServiceAccount', manifest).metadata.name,
    );
  });

  it('lets the service account get namespaces (for matchLabels), and nothing else', () => {
    const account = find(
      'ServiceAccount',
      z.object({ metadata: z.object({ name: str, namespace: str }) }),
    );
    const rule = z.object({
      apiGroups: z.array(str),
      resources: z.array(str),
      verbs: z.array(str),
      resourceNames: z.array(str).optional(),
    });
    const role = manifest.extend({ rules: z.array(rule) });
    const binding = manifest.extend({
      roleRef: z.object({ kind: str, name: str }),
      subjects: z.array(z.object({ kind: str, name: str, namespace: str.optional() })),
    });
    const of = (kinds: string[]) =>
      objects.filter((o) => kinds.includes(manifest.safeParse(o).data?.kind ?? ''));
    const roles = of(['ClusterRole', 'Role']).map((o) => role.parse(o));
    const granted = of(['ClusterRoleBinding', 'RoleBinding'])
      .map((o) => binding.parse(o))
      .filter((b) =>
        b.subjects.some(
          (s) =>
            s.kind === 'ServiceAccount' &&
            s.name === account.metadata.name &&
            s.namespace === account.metadata.namespace,
        ),
      )
      .flatMap((b) => {
        const bound = roles.find(
          (r) => r.kind === b.roleRef.kind && r.metadata.name === b.roleRef.name,
        );
        if (bound === undefined) throw new Error(`${b.metadata.name} binds a role deploy/ lacks`);
        return bound.rules;
      });
    expect(granted).toEqual([{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }]);
    // The namespace label reader authenticates with the mounted service account token.
    const pod = find(
      'Deployment',
      z.object({
        spec: z.object({
          template: z.object({
            spec: z.object({ automountServiceAccountToken: z.boolean().optional() }),
          }),
        }),
      }),
    );
    expect(pod.spec.template.spec.automountServiceAccountToken).not.toBe(false);
  });

  it("ships a ServerConfig and policy that load (with the operator's keys in place)", () => {
    const { data } = find('ConfigMap', z.object({ data: labels }));
    const root = tempDir('vouch-deploy-');
    dirs.push(root);
    mkdirSync(join(root, 'config'));
    mkdirSync(join(root, 'keys'));
    for (const [name, text] of Object.entries(data))
      writeFileSync(join(root, 'config', name), text);
    writeFileSync(join(root, 'keys', 'builder.pub'), makeKey().pem);
    writeFileSync(join(root, 'keys', 'oncall.pub'), makeKey('ed25519').pem);
    const source = {
      name: join(root, 'config', 'config.yaml'),
      text: data['config.yaml'] ?? '',
      format: 'yaml' as const,
    };
    const { settings } = compileServerConfig(source, join(root, 'config'));
    expect(settings.imagePolicies.map((p) => [p.name, p.mode])).toEqual([['acme', 'audit']]);
    expect(settings.deadline).toBe(8000);
    const args = find('Deployment', deploymentSchema).spec.template.spec.containers[0]?.args;
    expect(args).toEqual(['serve', '--config', '/etc/vouch/config/config.yaml']);
  });
});
