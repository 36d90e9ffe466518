import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSignedDocument } from '../../../src/attestation/attestation.js';
import { parseStatement } from '../../../src/attestation/statement.js';
import { digestOf } from '../../../src/sources/oci/digest.js';
import { EMPTY_CONFIG, MEDIA_TYPE } from '../../../src/sources/oci/media-types.js';
import { OciRegistry } from '../../../src/sources/oci/registry.js';
import { startReferrersProxy } from '../../support/referrers-proxy.js';
import {
  type RunningRegistry,
  registryPeersPresent,
  startRegistry,
  TEST_LOGIN,
} from '../../support/registry.js';
import { type Blob, TestLayout } from '../../support/registry-images.js';
import { type FaultProxy, startFaultProxy } from '../../support/registry-proxy.js';
import {
  startTokenRegistry,
  startTokenServer,
  type TokenServer,
} from '../../support/registry-token.js';
import { type KeyFiles, makeKeyFiles, PROVENANCE, provenance } from '../../support/signing.js';
import { expectOneLineError, spawnVouchAsync } from '../../support/spawned-cli.js';
import { type TestPki, writeTestPki } from '../../support/test-ca.js';

const present = registryPeersPresent();

const VSA = 'https://slsa.dev/verification_summary/v1';
const PUSHED =
  /^pushed (sha256:[0-9a-f]{64}) to oci:\/\/(\S+)@(sha256:[0-9a-f]{64}), a referrer of (sha256:[0-9a-f]{64})/m;

interface DecisionJson {
  allowed: boolean;
  artifact: { name: string; digest: { sha256: string } };
  requirements: {
    satisfiedBy: { source: string }[];
    rejected: { code: string; source: string }[];
  }[];
  sourceFailures?: { source: string; code: string; message: string }[];
}

/** A scratch directory with keys, a predicate, policies and an empty Docker config. */
function workspace(dir: string) {
  const keys = {
    builder: makeKeyFiles(dir, 'builder'),
    mallory: makeKeyFiles(dir, 'mallory'),
    verifier: makeKeyFiles(dir, 'verifier'),
  };
  const predicate = join(dir, 'provenance.json');
  writeFileSync(predicate, JSON.stringify(provenance()));
  const policy = join(dir, 'images.yaml');
  writeFileSync(
    policy,
    `apiVersion: vouch/v1\nkind: Policy\nmetadata: {name: images}\nspec:\n  authorities:\n    builder: {keys: [{file: builder.pub}]}\n  requirements:\n    - name: provenance\n      predicateType: ${PROVENANCE}\n      signers: [builder]\n`,
  );
  const gate = join(dir, 'gate.yaml');
  writeFileSync(
    gate,
    `apiVersion: vouch/v1\nkind: Policy\nmetadata: {name: gate}\nspec:\n  authorities:\n    verifier: {keys: [{file: verifier.pub}]}\n  requirements:\n    - name: verified\n      predicateType: ${VSA}\n      signers: [verifier]\n      condition: predicate.verificationResult == "PASSED"\n`,
  );
  const docker = join(dir, 'docker');
  mkdirSync(docker, { recursive: true });
  return { keys, predicate, policy, gate, docker };
}

type Workspace = ReturnType<typeof workspace>;

/** `vouch attest` of the workspace's provenance, pushed to `image`. */
function attestArgs(ws: Workspace, key: KeyFiles, image: string, ...more: string[]): string[] {
  return [
    'attest',
    '--predicate-type',
    PROVENANCE,
    '--predicate',
    ws.predicate,
    '--key',
    key.key,
    '--push',
    image,
    ...more,
  ];
}

describe.skipIf(!present)('when the built CLI pushes attestations to docker-registry 2.8', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let scratch: string;
  let ws: Workspace;
  let images: Record<'app' | 'other' | 'target' | 'gated' | 'listed', Blob>;
  const vouch = (...args: string[]) => spawnVouchAsync(args, { env: { DOCKER_CONFIG: ws.docker } });
  const ref = (tag: string, host = registry.host) => `oci://${host}/acme/app:${tag}`;
  const decide = async (policy: string, artifact: string, ...more: string[]) => {
    const result = await vouch(
      'verify',
      '--policy',
      policy,
      '--artifact',
      artifact,
      '--plain-http',
      '--output',
      'json',
      ...more,
    );
    return { ...result, decision: JSON.parse(result.stdout) as DecisionJson };
  };
  const registryGet = async (path: string, accept: string = MEDIA_TYPE.ociManifest) => {
    const res = await fetch(`http://${registry.host}/v2/acme/app/${path}`, { headers: { accept } });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const registryPut = async (reference: string, body: unknown, mediaType: string) => {
    const res = await fetch(`http://${registry.host}/v2/acme/app/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
  };
  const tagSchema = (image: Blob) => image.digest.replace(':', '-');

  beforeAll(async () => {
    registry = await startRegistry('anonymous');
    proxy = await startFaultProxy(registry.host);
    scratch = mkdtempSync(join(tmpdir(), 'vouch-cli-push-'));
    ws = workspace(scratch);
    const layout = new TestLayout(join(scratch, 'images'));
    images = {
      app: layout.image('linux', 'amd64', 'app'),
      other: layout.image('linux', 'arm64', 'other'),
      target: layout.image('linux', 'amd64', 'target'),
      gated: layout.image('linux', 'amd64', 'gated'),
      listed: layout.image('linux', 'amd64', 'listed'),
    };
    for (const [tag, blob] of Object.entries(images)) {
      layout.tag(tag, blob);
      await layout.push(tag, registry.host, 'acme/app');
    }
  });

  beforeEach(() => {
    if (proxy !== undefined) proxy.rules = [];
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('attest --push stores a bundle about the image the tag names; verify --artifact then allows it', async () => {
    const pushed = await vouch(
      ...attestArgs(ws, ws.keys.builder, ref('app'), '--format', 'bundle', '--plain-http'),
    );
    expect(pushed.code, pushed.stderr).toBe(0);
    // The document lives in the registry: nothing on standard output.
    expect(pushed.stdout).toBe('');
    const [, document, where, manifest, subject] = PUSHED.exec(pushed.stderr) ?? [];
    expect(where).toBe(`${registry.host}/acme/app`);
    expect(subject).toBe(images.app.digest);
    expect(pushed.stderr).toContain('(and in its referrers tag: no referrers API)');

    // The Statement's subject is the manifest digest the tag resolved to, named by the repository.
    const oci = new OciRegistry({ plainHttp: true });
    try {
      const found = await oci.discover(`oci://${registry.host}/acme/app@${images.app.digest}`);
      expect(found.documents.map((d) => d.digest)).toEqual([document]);
      const doc = parseSignedDocument(found.documents[0]?.bytes ?? Buffer.alloc(0));
      expect(doc.format).toBe('bundle');
      expect(parseStatement(doc.envelope.payload).subject).toEqual([
        { name: `${registry.host}/acme/app`, digest: { sha256: images.app.digest.slice(7) } },
      ]);
    } finally {
      oci.close();
    }

    // Registry 2.8 has no referrers API (404): the artifact is listed in the tag-schema index,
    // with the artifactType gh filters on and the annotations cosign's BUNDLE_SPEC names.
    expect((await registryGet(`referrers/${images.app.digest}`, MEDIA_TYPE.ociIndex)).status).toBe(
      404,
    );
    const index = JSON.parse(
      (
        await registryGet(`manifests/${tagSchema(images.app)}`, MEDIA_TYPE.ociIndex)
      ).bytes.toString(),
    ) as {
      manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[];
    };
    expect(index.manifests).toEqual([
      expect.objectContaining({
        digest: manifest,
        artifactType: MEDIA_TYPE.bundle,
        annotations: expect.objectContaining({
          'dev.sigstore.bundle.content': 'dsse-envelope',
          'dev.sigstore.bundle.predicateType': PROVENANCE,
        }),
      }),
    ]);

    const verified = await decide(ws.policy, ref('app'));
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.decision.allowed).toBe(true);
    expect(verified.decision.requirements[0]?.satisfiedBy[0]?.source).toBe(
      `oci://${registry.host}/acme/app@${manifest}`,
    );
  });

  it('with the referrers API: the bundle is listed as a referrer, no tag-schema index is written, and verify allows', async () => {
    const api = await startReferrersProxy(registry.host);
    try {
      const pushed = await vouch(
        ...attestArgs(
          ws,
          ws.keys.builder,
          ref('listed', api.host),
          '--format',
          'bundle',
          '--plain-http',
        ),
      );
      expect(pushed.code, pushed.stderr).toBe(0);
      const [, , , manifest] = PUSHED.exec(pushed.stderr) ?? [];
      // The registry answered OCI-Subject: the tag schema is for registries without the API.
      expect(pushed.stderr).not.toContain('referrers tag');
      expect(
        (await registryGet(`manifests/${tagSchema(images.listed)}`, MEDIA_TYPE.ociIndex)).status,
      ).toBe(404);
      // What cosign and gh read: the listing entry's artifactType and annotations.
      const res = await fetch(`http://${api.host}/v2/acme/app/referrers/${images.listed.digest}`);
      const listing = (await res.json()) as { manifests: unknown[] };
      expect(listing.manifests).toEqual([
        expect.objectContaining({
          digest: manifest,
          artifactType: MEDIA_TYPE.bundle,
          annotations: expect.objectContaining({
            'dev.sigstore.bundle.content': 'dsse-envelope',
            'dev.sigstore.bundle.predicateType': PROVENANCE,
          }),
        }),
      ]);
      const before = api.listings.length;
      const verified = await decide(ws.policy, ref('listed', api.host));
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.decision.requirements[0]?.satisfiedBy[0]?.source).toBe(
        `oci://${api.host}/acme/app@${manifest}`,
      );
      expect(api.listings.slice(before)).toEqual([
        `/v2/acme/app/referrers/${images.listed.digest}`,
      ]);
    } finally {
      await api.close();
    }
  });

  it('attest --push --format dsse --out writes the file and pushes the same bytes', async () => {
    const out = join(scratch, 'other.dsse.json');
    const pushed = await vouch(
      ...attestArgs(ws, ws.keys.builder, ref('other'), '--out', out, '--plain-http'),
    );
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toBe('');
    const written = readFileSync(out);
    const [, document, , manifest] = PUSHED.exec(pushed.stderr) ?? [];
    expect(document).toBe(digestOf(written));
    const artifact = JSON.parse((await registryGet(`manifests/${manifest}`)).bytes.toString()) as {
      artifactType: string;
      config: { digest: string };
      layers: { mediaType: string; digest: string }[];
    };
    expect(artifact.artifactType).toBe(MEDIA_TYPE.dsse);
    expect(artifact.config.digest).toBe(EMPTY_CONFIG.digest);
    expect(artifact.layers.map((l) => [l.mediaType, l.digest])).toEqual([
      [MEDIA_TYPE.dsse, digestOf(written)],
    ]);
    expect((await decide(ws.policy, ref('other'))).code).toBe(0);
  });

  it('refuses an explicit --subject that is not the image, and pushes nothing', async () => {
    const result = await vouch(
      ...attestArgs(ws, ws.keys.builder, ref('gated'), '--plain-http'),
      '--subject',
      images.other.digest,
    );
    const line = expectOneLineError(result, 'USAGE');
    expect(line).toContain('at --subject');
    expect(line).toContain(images.gated.digest);
    expect(result.stdout).toBe('');
    expect(
      (await registryGet(`manifests/${tagSchema(images.gated)}`, MEDIA_TYPE.ociIndex)).status,
    ).toBe(404);
  });

  it('refuses --plain-http without --push or to a remote registry, and a --push reference that does not parse', async () => {
    const plain = await vouch(
      'attest',
      '--subject',
      images.app.digest,
      '--predicate-type',
      PROVENANCE,
      '--predicate',
      ws.predicate,
      '--key',
      ws.keys.builder.key,
      '--plain-http',
    );
    expect(expectOneLineError(plain, 'USAGE')).toContain('--plain-http is only used with --push');
    const bad = await vouch(...attestArgs(ws, ws.keys.builder, 'oci://Registry/UPPER:v1'));
    expectOneLineError(bad, 'USAGE');
    const remote = await vouch(
      ...attestArgs(ws, ws.keys.builder, 'oci://registry.example/acme/app:v1', '--plain-http'),
    );
    expect(expectOneLineError(remote, 'USAGE')).toContain('only allowed to loopback registries');
  });

  describe('when an attacker with write access to the registry tampers with what was pushed', () => {
    let genuine: { manifest: string; document: string };

    beforeAll(async () => {
      // `target` carries provenance signed by a key the policy does not trust: a deny.
      const denied = await vouch(
        ...attestArgs(ws, ws.keys.mallory, ref('target'), '--format', 'bundle', '--plain-http'),
      );
      expect(denied.code, denied.stderr).toBe(0);
      // `other` carries genuine builder provenance (pushed above): what the attacker would reuse.
      const genuinePush = await vouch(
        ...attestArgs(ws, ws.keys.builder, ref('other'), '--format', 'bundle', '--plain-http'),
      );
      const [, document = '', , manifest = ''] = PUSHED.exec(genuinePush.stderr) ?? [];
      genuine = { document, manifest };
      const before = await decide(ws.policy, ref('target'));
      expect(before.decision.allowed).toBe(false);
      expect(before.decision.requirements[0]?.rejected.map((r) => r.code)).toEqual([
        'UNTRUSTED_SIGNER',
      ]);
    });

    it('a blob swapped in storage for a genuine attestation is caught by the digest check: deny', async () => {
      const index = JSON.parse(
        (
          await registryGet(`manifests/${tagSchema(images.target)}`, MEDIA_TYPE.ociIndex)
        ).bytes.toString(),
      ) as { manifests: { digest: string }[] };
      const artifact = JSON.parse(
        (await registryGet(`manifests/${index.manifests[0]?.digest}`)).bytes.toString(),
      ) as { layers: { digest: string }[] };
      const hex = (artifact.layers[0]?.digest ?? '').slice(7);
      const data = join(
        registry.storage,
        'docker/registry/v2/blobs/sha256',
        hex.slice(0, 2),
        hex,
        'data',
      );
      const genuineHex = genuine.document.slice(7);
      const genuineBytes = readFileSync(
        join(
          registry.storage,
          'docker/registry/v2/blobs/sha256',
          genuineHex.slice(0, 2),
          genuineHex,
          'data',
        ),
      );
      const original = readFileSync(data);
      writeFileSync(data, genuineBytes);
      try {
        const after = await decide(ws.policy, ref('target'));
        expect(after.code).toBe(1);
        expect(after.decision.allowed).toBe(false);
        expect(after.decision.sourceFailures).toEqual([
          expect.objectContaining({
            code: 'REGISTRY_INVALID',
            message: expect.stringContaining(hex),
          }),
        ]);
      } finally {
        writeFileSync(data, original);
      }
    });

    it("a tag-schema index swapped to list another image's referrer is caught by the subject check: deny", async () => {
      const listing = (await registryGet(`manifests/${genuine.manifest}`)).bytes;
      await registryPut(
        tagSchema(images.target),
        {
          schemaVersion: 2,
          mediaType: MEDIA_TYPE.ociIndex,
          manifests: [
            {
              mediaType: MEDIA_TYPE.ociManifest,
              digest: genuine.manifest,
              size: listing.byteLength,
              artifactType: MEDIA_TYPE.bundle,
            },
          ],
        },
        MEDIA_TYPE.ociIndex,
      );
      const after = await decide(ws.policy, ref('target'));
      expect(after.code).toBe(1);
      expect(after.decision.sourceFailures).toEqual([
        expect.objectContaining({
          code: 'REGISTRY_INVALID',
          message: expect.stringContaining(`names subject ${images.other.digest}`),
        }),
      ]);
    });

    it("a new referrer of the image holding another image's genuine attestation is SUBJECT_MISMATCH: deny", async () => {
      const size = (await registryGet(`blobs/${genuine.document}`, '*/*')).bytes.byteLength;
      const forged = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPE.ociManifest,
        artifactType: MEDIA_TYPE.bundle,
        config: { mediaType: MEDIA_TYPE.empty, digest: EMPTY_CONFIG.digest, size: 2 },
        layers: [{ mediaType: MEDIA_TYPE.bundle, digest: genuine.document, size }],
        subject: {
          mediaType: images.target.mediaType,
          digest: images.target.digest,
          size: images.target.size,
        },
      };
      const bytes = Buffer.from(JSON.stringify(forged));
      await registryPut(digestOf(bytes), forged, MEDIA_TYPE.ociManifest);
      await registryPut(
        tagSchema(images.target),
        {
          schemaVersion: 2,
          mediaType: MEDIA_TYPE.ociIndex,
          manifests: [
            {
              mediaType: MEDIA_TYPE.ociManifest,
              digest: digestOf(bytes),
              size: bytes.byteLength,
              artifactType: MEDIA_TYPE.bundle,
            },
          ],
        },
        MEDIA_TYPE.ociIndex,
      );
      const after = await decide(ws.policy, ref('target'));
      expect(after.code).toBe(1);
      expect(after.decision.sourceFailures ?? []).toEqual([]);
      expect(after.decision.requirements[0]?.rejected.map((r) => r.code)).toEqual([
        'SUBJECT_MISMATCH',
      ]);
    });
  });

  describe('when the registry refuses or fails the push', () => {
    for (const status of [401, 403]) {
      it(`a ${status} on the manifest is REGISTRY_DENIED, exit 2`, async () => {
        proxy.rules = [
          {
            match: (m, p) => m === 'PUT' && p.includes('/manifests/'),
            fault: { kind: 'status', status },
          },
        ];
        const result = await vouch(
          ...attestArgs(ws, ws.keys.builder, ref('gated', proxy.host), '--plain-http'),
        );
        const line = expectOneLineError(result, 'REGISTRY_DENIED');
        expect(line).toContain(`registry ${proxy.host}`);
        expect(line).toMatch(
          status === 401
            ? /answered 401 without a Basic or Bearer challenge/
            : /PUT \/v2\/acme\/app\/manifests\/sha256:[0-9a-f]{64} answered 403/,
        );
        expect(result.stdout).toBe('');
      });
    }

    it('a 500 on every blob upload is REGISTRY_UNAVAILABLE after the retries, exit 2', async () => {
      proxy.rules = [
        {
          match: (m, p) => m === 'POST' && p.includes('/blobs/uploads/'),
          fault: { kind: 'status', status: 500 },
        },
      ];
      const result = await vouch(
        ...attestArgs(ws, ws.keys.builder, ref('gated', proxy.host), '--plain-http'),
      );
      expect(expectOneLineError(result, 'REGISTRY_UNAVAILABLE')).toMatch(
        /answered 500.*gave up after 4 attempts/,
      );
      expect(proxy.seen.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(4);
    });
  });

  describe('when verify signs the decision and pushes it (--emit-vsa --push)', () => {
    const emit = (host: string, ...more: string[]) =>
      decide(
        ws.policy,
        ref('app', host),
        '--emit-vsa',
        '--key',
        ws.keys.verifier.key,
        '--push',
        ...more,
      );

    it('stores the VSA as a referrer of the verified image, which a gate policy then finds there', async () => {
      const result = await emit(registry.host);
      expect(result.code, result.stderr).toBe(0);
      // The decision keeps standard output: the VSA went to the registry.
      expect(result.decision.allowed).toBe(true);
      expect(result.stderr).toContain('verification summary: PASSED\n');
      expect(PUSHED.exec(result.stderr)?.[4]).toBe(images.app.digest);
      const gated = await decide(ws.gate, ref('app'));
      expect(gated.code, gated.stdout).toBe(0);
      // No VSA was pushed for `gated`: the gate denies it.
      expect((await decide(ws.gate, ref('gated'))).code).toBe(1);
    });

    it('a failed push comes after the decision: printed, then REGISTRY_UNAVAILABLE, exit 2', async () => {
      proxy.rules = [
        {
          match: (m, p) => m === 'PUT' && p.includes('/manifests/'),
          fault: { kind: 'status', status: 503 },
        },
      ];
      const result = await vouch(
        'verify',
        '--policy',
        ws.policy,
        '--artifact',
        ref('app', proxy.host),
        '--plain-http',
        '--emit-vsa',
        '--key',
        ws.keys.verifier.key,
        '--push',
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/^ALLOWED: /);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines.at(-1)).toMatch(
        /^vouch: error REGISTRY_UNAVAILABLE: registry 127\.0\.0\.1:\d+: PUT /,
      );
      expect(lines).toContain('verification summary: PASSED');
    });

    it('refuses --push without --emit-vsa, and for an artifact that is not an image', async () => {
      const alone = await vouch(
        'verify',
        '--policy',
        ws.policy,
        '--artifact',
        ref('app'),
        '--plain-http',
        '--push',
      );
      expect(expectOneLineError(alone, 'USAGE')).toContain('--push is only used with --emit-vsa');
      const local = await vouch(
        'verify',
        '--policy',
        ws.policy,
        '--artifact',
        images.app.digest,
        '--attestations',
        scratch,
        '--emit-vsa',
        '--key',
        ws.keys.verifier.key,
        '--push',
      );
      expect(expectOneLineError(local, 'USAGE')).toContain(
        '--push is only used with an oci:// artifact',
      );
    });
  });
});

describe.skipIf(!present)('when the built CLI pushes to a registry that asks for a login', () => {
  let scratch: string;
  let ws: Workspace;
  let tokens: TokenServer;
  let basic: RunningRegistry;
  let token: RunningRegistry;
  let image: Blob;
  const auth = Buffer.from(`${TEST_LOGIN.username}:${TEST_LOGIN.password}`).toString('base64');

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'vouch-cli-push-auth-'));
    ws = workspace(scratch);
    tokens = await startTokenServer(scratch);
    basic = await startRegistry('htpasswd');
    token = await startTokenRegistry(tokens);
    image = await new TestLayout(join(scratch, 'images')).pushedImage([basic.host, token.host], {
      login: true,
    });
    writeFileSync(
      join(ws.docker, 'config.json'),
      JSON.stringify({ auths: { [basic.host]: { auth }, [token.host]: { auth } } }),
    );
  });

  afterAll(async () => {
    await basic?.stop();
    await token?.stop();
    await tokens?.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  for (const access of ['htpasswd (Basic)', 'token (Bearer)'] as const) {
    it(`pushes and verifies with the Docker config login, ${access}, and never prints it`, async () => {
      const host = access.startsWith('htpasswd') ? basic.host : token.host;
      const env = { DOCKER_CONFIG: ws.docker };
      const pushed = await spawnVouchAsync(
        attestArgs(
          ws,
          ws.keys.builder,
          `oci://${host}/acme/app:v1`,
          '--plain-http',
          '--format',
          'bundle',
        ),
        { env },
      );
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(PUSHED.exec(pushed.stderr)?.[4]).toBe(image.digest);
      const verified = await spawnVouchAsync(
        [
          'verify',
          '--policy',
          ws.policy,
          '--artifact',
          `oci://${host}/acme/app:v1`,
          '--plain-http',
          '--debug',
        ],
        { env },
      );
      expect(verified.code, verified.stdout).toBe(0);
      for (const output of [pushed.stdout, pushed.stderr, verified.stdout, verified.stderr]) {
        expect(output).not.toContain(TEST_LOGIN.password);
        expect(output).not.toContain(auth);
        expect(output).not.toMatch(/Bearer|Basic |eyJ/);
      }
    });
  }

  it('a wrong login is REGISTRY_DENIED, exit 2, and the password is not printed', async () => {
    const wrong = join(scratch, 'wrong');
    mkdirSync(wrong);
    const bad = Buffer.from(`${TEST_LOGIN.username}:not-the-password`).toString('base64');
    writeFileSync(
      join(wrong, 'config.json'),
      JSON.stringify({ auths: { [basic.host]: { auth: bad } } }),
    );
    const result = await spawnVouchAsync(
      attestArgs(ws, ws.keys.builder, `oci://${basic.host}/acme/app:v1`, '--plain-http'),
      { env: { DOCKER_CONFIG: wrong } },
    );
    expectOneLineError(result, 'REGISTRY_DENIED');
    expect(result.stderr).not.toContain('not-the-password');
    expect(result.stderr).not.toContain(bad);
  });
});

describe.skipIf(!present)(
  'when the built CLI talks to a registry serving HTTPS with a private CA',
  () => {
    let scratch: string;
    let ws: Workspace;
    let pki: TestPki;
    let registry: RunningRegistry;
    let image: Blob;

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'vouch-cli-tls-'));
      ws = workspace(scratch);
      pki = writeTestPki(scratch, ['IP:127.0.0.1']);
      registry = await startRegistry('anonymous', {}, { tls: pki });
      image = await new TestLayout(join(scratch, 'images')).pushedImage([registry.host]);
    });

    afterAll(async () => {
      await registry?.stop();
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    });

    it('pushes and verifies when NODE_EXTRA_CA_CERTS names the CA', async () => {
      const env = { DOCKER_CONFIG: ws.docker, NODE_EXTRA_CA_CERTS: pki.ca };
      const image_ = `oci://${registry.host}/acme/app:v1`;
      const pushed = await spawnVouchAsync(attestArgs(ws, ws.keys.builder, image_), { env });
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(PUSHED.exec(pushed.stderr)?.[4]).toBe(image.digest);
      const verified = await spawnVouchAsync(
        ['verify', '--policy', ws.policy, '--artifact', image_],
        { env },
      );
      expect(verified.code, verified.stdout).toBe(0);
    });

    it('without the CA: verify denies with REGISTRY_TLS, attest --push fails with it (exit 2)', async () => {
      const env = { DOCKER_CONFIG: ws.docker };
      const image_ = `oci://${registry.host}/acme/app:v1`;
      const verified = await spawnVouchAsync(
        ['verify', '--policy', ws.policy, '--artifact', image_],
        { env },
      );
      expect(verified.code).toBe(1);
      expect(verified.stdout).toMatch(
        /not evaluated: REGISTRY_TLS: registry 127\.0\.0\.1:\d+: GET \/v2\/acme\/app\/manifests\/v1: the TLS certificate of 127\.0\.0\.1:\d+ is not trusted/,
      );
      const pushed = await spawnVouchAsync(attestArgs(ws, ws.keys.builder, image_), { env });
      expect(expectOneLineError(pushed, 'REGISTRY_TLS')).toContain('NODE_EXTRA_CA_CERTS');
    });
  },
);
