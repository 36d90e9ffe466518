import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compileServerConfig,
  type ImagePolicy,
  loadServerConfig,
} from '../../src/server/config.js';
import { selectImagePolicy } from '../../src/server/image-policy.js';
import { parseImageReference } from '../../src/server/image-reference.js';
import { buildServer } from '../../src/server/server.js';
import { admissionReview } from './admission-fixtures.js';
import {
  BAD,
  capturedLogger,
  configYaml,
  EVALUATED_AT,
  GOOD,
  verifierFor,
  writeWebhookDir,
} from './webhook-dir.js';

const dir = writeWebhookDir();
afterAll(() => rmSync(dir.dir, { recursive: true, force: true }));
const { settings } = loadServerConfig(dir.config);
const [prod, staging] = settings.imagePolicies as [ImagePolicy, ImagePolicy, ImagePolicy];
const ns = (name: string, labels?: Record<string, string>) => ({
  name,
  labels: labels === undefined ? undefined : new Map(Object.entries(labels)),
});

describe('when an image reference is parsed', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx', undefined, undefined],
    ['nginx:1.27', 'docker.io/library/nginx', '1.27', undefined],
    ['index.docker.io/acme/tool:v1', 'docker.io/acme/tool', 'v1', undefined],
    [`ghcr.io/acme/app:1.2@${BAD}`, 'ghcr.io/acme/app', '1.2', BAD],
    [`localhost:5000/app@${BAD}`, 'localhost:5000/app', undefined, BAD],
    // The runtime pulls these from ghcr.io itself: globs written for ghcr.io must see them.
    ['ghcr.io:443/acme/app:1.2', 'ghcr.io/acme/app', '1.2', undefined],
    ['GHCR.IO:00443/acme/app', 'ghcr.io/acme/app', undefined, undefined],
    ['localhost:05000/app', 'localhost:5000/app', undefined, undefined],
  ])('%s names %s', (text, name, tag, digest) => {
    expect(parseImageReference(text)).toMatchObject({ name, tag, digest });
  });

  it.each([
    ['', 'empty'],
    ['ghcr.io/acme/App', 'uppercase repository'],
    ['ghcr.io/acme/app@sha256:abc', 'short digest'],
    ['ghcr.io/acme/app@md5:0123', 'other algorithm'],
    ['ghcr.io/acme/app:bad tag', 'space in tag'],
    ['a'.repeat(1025), 'too long'],
    ['ghcr.io:65536/acme/app', 'port out of range'],
  ])('rejects %j (%s) with IMAGE_REF_INVALID', (text) => {
    expect(() => parseImageReference(text)).toThrowWithCode('IMAGE_REF_INVALID');
  });
});

describe('when an image policy is selected', () => {
  it('the most specific glob wins, * stays within one path component', () => {
    expect(
      selectImagePolicy(settings.imagePolicies, 'ghcr.io/acme/staging/app', ns('a')),
    ).toMatchObject({ kind: 'policy', policy: { name: 'staging' } });
    expect(selectImagePolicy(settings.imagePolicies, 'ghcr.io/acme/app', ns('a'))).toMatchObject({
      kind: 'policy',
      policy: { name: 'prod' },
    });
    expect(
      selectImagePolicy(settings.imagePolicies, 'registry.example.com/tool', ns('a')),
    ).toMatchObject({ policy: { name: 'vendor' } });
    expect(
      selectImagePolicy(settings.imagePolicies, 'registry.example.com/team/tool', ns('a')),
    ).toEqual({ kind: 'unmatched' });
    expect(selectImagePolicy(settings.imagePolicies, 'ghcr.io/acmecorp/app', ns('a'))).toEqual({
      kind: 'unmatched',
    });
  });

  it('falls through to a less specific policy when the more specific one excludes the namespace', () => {
    const narrow = {
      ...staging,
      namespaces: { include: new Set(['web']), exclude: new Set<string>(), matchLabels: new Map() },
    };
    expect(
      selectImagePolicy([prod, narrow], 'ghcr.io/acme/staging/app', ns('payments')),
    ).toMatchObject({ policy: { name: 'prod' } });
    expect(
      selectImagePolicy([prod, narrow], 'ghcr.io/acme/staging/app', ns('kube-system')),
    ).toEqual({ kind: 'exempt', policies: ['staging', 'prod'] });
  });

  it('selects by labels when known, and fails closed when they are not', () => {
    const labelled = {
      ...prod,
      namespaces: {
        include: undefined,
        exclude: new Set<string>(),
        matchLabels: new Map([['tier', 'prod']]),
      },
    };
    expect(
      selectImagePolicy([labelled], 'ghcr.io/acme/app', ns('a', { tier: 'prod' })),
    ).toMatchObject({ kind: 'policy' });
    expect(
      selectImagePolicy([labelled], 'ghcr.io/acme/app', ns('a', { tier: 'dev' })),
    ).toMatchObject({ kind: 'exempt' });
    expect(selectImagePolicy([labelled], 'ghcr.io/acme/app', ns('a'))).toMatchObject({
      kind: 'labels-unknown',
    });
  });

  it('a label reader that fails denies in enforce mode (NAMESPACE_LABELS_UNAVAILABLE)', async () => {
    const labelled = {
      ...prod,
      namespaces: {
        include: undefined,
        exclude: new Set<string>(),
        matchLabels: new Map([['tier', 'prod']]),
      },
    };
    const server = buildServer({
      logger: capturedLogger().logger,
      verifierFor,
      clock: () => EVALUATED_AT,
      namespaceLabels: { labelsOf: async () => Promise.reject(new Error('403 forbidden')) },
    });
    server.install({ ...settings, imagePolicies: [labelled] });
    const res = await server.app.inject({
      method: 'POST',
      url: '/validate',
      payload: admissionReview({ containers: [`ghcr.io/acme/app@${BAD}`] }),
    });
    expect(res.json().response.allowed).toBe(false);
    expect(res.json().response.status.message).toContain('NAMESPACE_LABELS_UNAVAILABLE');
  });
});

describe('when the server configuration is loaded', () => {
  const load = (text: string) => () =>
    compileServerConfig({ name: join(dir.dir, 'c.yaml'), text, format: 'yaml' }, dir.dir);

  it('resolves paths against the file and applies defaults', () => {
    expect(settings).toMatchObject({
      deadline: 8000,
      unmatchedImages: 'deny',
      tls: { cert: join(dir.dir, 'tls', 'tls.crt') },
      attestations: { dirs: [join(dir.dir, 'attestations')] },
      cache: { documents: 10_000, discoveryTtl: 30_000 },
    });
    expect(prod.breakglass).toEqual({ signers: ['oncall'], maxDuration: 4 * 3_600_000 });
  });

  it.each([
    [
      'an unknown field',
      configYaml().replace('deadline: 8s', 'deadlne: 8s'),
      'unknown field "deadlne"',
    ],
    ['a deadline past the apiserver maximum', configYaml({ deadline: '45s' }), 'at most 29s'],
    [
      'an unknown mode',
      configYaml().replace('mode: warn', 'mode: block'),
      'spec.imagePolicies[1].mode',
    ],
    ['a glob with uppercase', configYaml().replace('ghcr.io/acme/**', 'GHCR.io/**'), 'image glob'],
    [
      'a breakglass signer the policy lacks',
      configYaml().replace('signers: [oncall]', 'signers: [sre]'),
      '"sre" is not an authority',
    ],
    [
      'a policy file that does not load',
      configYaml().replace(
        '{file: policy.yaml}\n      mode: audit',
        '{file: missing.yaml}\n      mode: audit',
      ),
      'cannot read policy',
    ],
  ])('rejects %s with SERVER_CONFIG_INVALID naming it', (_what, text, message) => {
    expect(load(text)).toThrowWithCode('SERVER_CONFIG_INVALID');
    expect(load(text)).toThrow(expect.objectContaining({ path: expect.any(String) }));
    const described = (() => {
      try {
        load(text)();
        return '';
      } catch (err) {
        return (err as Error & { describe(): string }).describe();
      }
    })();
    expect(described).toContain(message);
  });

  it('vouch serve refuses matchLabels where it cannot read namespace labels (no cluster)', async () => {
    const { serve } = await import('../../src/server/serve.js');
    const path = join(dir.dir, 'labels.yaml');
    writeFileSync(
      path,
      configYaml().replace(
        'namespaces: {exclude: [kube-system]}',
        'namespaces: {matchLabels: {tier: prod}}',
      ),
    );
    await expect(
      serve(path, { logger: capturedLogger().logger, cluster: { env: {} } }),
    ).rejects.toMatchObject({
      code: 'SERVER_CONFIG_INVALID',
      message: expect.stringContaining('matchLabels'),
    });
  });
});

describe('when the labels are unknown and a less specific policy in another mode could govern', () => {
  // Attack: the apiserver is down, slow or refusing (or made so). A warn-mode policy selecting
  // by label is the most specific match; with the labels known it would not select this
  // namespace, and the enforce policy behind it would deny. Unknown labels must not turn that
  // deny into a warning.
  const devOnly = {
    ...staging,
    namespaces: {
      include: undefined,
      exclude: new Set<string>(),
      matchLabels: new Map([['tier', 'dev']]),
    },
  };

  it('selection names the strictest mode any policy it could not rule out has', () => {
    expect(
      selectImagePolicy(
        [prod, devOnly],
        'ghcr.io/acme/staging/app',
        ns('payments', { tier: 'prod' }),
      ),
    ).toMatchObject({ kind: 'policy', policy: { name: 'prod' } });
    expect(
      selectImagePolicy([prod, devOnly], 'ghcr.io/acme/staging/app', ns('payments')),
    ).toMatchObject({ kind: 'labels-unknown', policy: { name: 'staging' }, mode: 'enforce' });
    // Only policies that could still select the namespace count: prod excludes kube-system.
    expect(
      selectImagePolicy([prod, devOnly], 'ghcr.io/acme/staging/app', ns('kube-system')),
    ).toMatchObject({ kind: 'labels-unknown', policy: { name: 'staging' }, mode: 'warn' });
    // An enforce policy asking the same labels (or more) selects only where staging does.
    const prodToo = {
      ...prod,
      namespaces: {
        ...devOnly.namespaces,
        matchLabels: new Map([
          ['tier', 'dev'],
          ['team', 'a'],
        ]),
      },
    };
    expect(
      selectImagePolicy([prodToo, devOnly], 'ghcr.io/acme/staging/app', ns('payments')),
    ).toMatchObject({ kind: 'labels-unknown', policy: { name: 'staging' }, mode: 'warn' });
  });

  it('an unreadable namespace is denied, not warned about, when enforce would otherwise apply', async () => {
    const server = buildServer({
      logger: capturedLogger().logger,
      verifierFor,
      clock: () => EVALUATED_AT,
      namespaceLabels: { labelsOf: async () => Promise.reject(new Error('apiserver down')) },
    });
    server.install({ ...settings, imagePolicies: [prod, devOnly] });
    const res = await server.app.inject({
      method: 'POST',
      url: '/validate',
      payload: admissionReview({ containers: [`ghcr.io/acme/staging/app@${BAD}`] }),
    });
    const { response } = res.json();
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain('NAMESPACE_LABELS_UNAVAILABLE');
    await server.app.close();
  });
});

describe('when the labels are slow to read and the image needs none', () => {
  // Attack: an apiserver that hangs (or is made to) held every admission for the label read,
  // even of images no label-selecting policy matches, until their deadline: all denied.
  it('an image whose policies select no namespace by label is judged without waiting for them', async () => {
    const labelled = {
      ...staging,
      namespaces: {
        include: undefined,
        exclude: new Set<string>(),
        matchLabels: new Map([['tier', 'dev']]),
      },
    };
    let reads = 0;
    const server = buildServer({
      logger: capturedLogger().logger,
      verifierFor,
      clock: () => EVALUATED_AT,
      namespaceLabels: {
        labelsOf: (_name, signal) => {
          reads++;
          return new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason)),
          );
        },
      },
    });
    server.install({ ...settings, deadline: 1000, imagePolicies: [prod, labelled] });
    const res = await server.app.inject({
      method: 'POST',
      url: '/validate',
      payload: admissionReview({ containers: [`ghcr.io/acme/app@${GOOD}`] }),
    });
    expect(res.json().response.allowed).toBe(true);
    expect(reads).toBe(0);
    // An image the label-selecting policy matches still waits for them, and fails closed.
    const staged = await server.app.inject({
      method: 'POST',
      url: '/validate',
      payload: admissionReview({ containers: [`ghcr.io/acme/staging/app@${GOOD}`] }),
    });
    expect(staged.json().response.allowed).toBe(false);
    expect(reads).toBe(1);
    await server.app.close();
  });
});
