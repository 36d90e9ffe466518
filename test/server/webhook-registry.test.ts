import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/server/serve.js';
import { type AttestedImages, pushAttestedImages } from '../support/attested-images.js';
import { type RunningRegistry, registryPeersPresent, startRegistry } from '../support/registry.js';
import { type FaultProxy, startFaultProxy } from '../support/registry-proxy.js';
import { admissionReview } from './admission-fixtures.js';
import { httpsClient } from './https-client.js';
import {
  capturedLogger,
  EVALUATED_AT,
  provenanceFor,
  type WebhookDir,
  writeWebhookDir,
} from './webhook-dir.js';

const present = registryPeersPresent();
const DEADLINE_MS = 3000;
const MODES = ['enforce', 'warn', 'audit'] as const;
type Mode = (typeof MODES)[number];

/** Image policies by repository: one per mode, and two that ask for platform manifests. */
const CONFIG = `apiVersion: vouch/v1
kind: ServerConfig
spec:
  listen: 127.0.0.1:0
  tls: {cert: tls/tls.crt, key: tls/tls.key}
  deadline: ${DEADLINE_MS / 1000}s
  registry: {plainHttp: true}
  attestations: {registry: true, dirs: []}
  cache: {discoveryTTL: 0s}
  imagePolicies:
${MODES.map(
  (mode) => `    - name: ${mode}
      images: ["127.0.0.1:*/${mode}/**"]
      policy: {file: policy.yaml}
      mode: ${mode}
`,
).join('')}    - name: each
      images: ["127.0.0.1:*/each/**"]
      policy: {file: policy.yaml}
      platforms: each
    - name: amd64
      images: ["127.0.0.1:*/amd64/**"]
      policy: {file: policy.yaml}
      platforms: [linux/amd64]
`;

interface Answer {
  allowed: boolean;
  status?: { message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patch?: string;
}

describe.skipIf(!present)('when the webhook verifies images in a real registry', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let dir: WebhookDir;
  let running: RunningServer;
  let client: ReturnType<typeof httpsClient>;
  const images = new Map<string, AttestedImages>();
  const image = (repository: string) => {
    const found = images.get(repository);
    if (found === undefined) throw new Error(`no images in ${repository}`);
    return found;
  };

  const admit = async (
    images: readonly string[],
    endpoint: 'validate' | 'mutate' = 'validate',
  ): Promise<{ answer: Answer; ms: number }> => {
    const started = performance.now();
    const res = await client.post(
      `${running.url}/${endpoint}`,
      admissionReview({ containers: images }),
    );
    expect(res.status).toBe(200);
    return {
      answer: (JSON.parse(res.body) as { response: Answer }).response,
      ms: performance.now() - started,
    };
  };

  beforeAll(async () => {
    registry = await startRegistry('anonymous');
    proxy = await startFaultProxy(registry.host);
    dir = writeWebhookDir(CONFIG);
    for (const repository of [...MODES, 'each', 'amd64']) {
      images.set(
        repository,
        await pushAttestedImages(registry.host, `${repository}/app`, (digest) =>
          provenanceFor(dir.builder, digest),
        ),
      );
    }
    running = await serve(dir.config, {
      logger: capturedLogger().logger,
      clock: () => EVALUATED_AT,
    });
    client = httpsClient(readFileSync(dir.tlsCert));
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await running?.close();
    await proxy?.close();
    await registry?.stop();
  });

  it('resolves a tag to the digest of its manifest, and mutate pins it to that digest', async () => {
    const tagged = `${proxy.host}/enforce/app:v1`;
    const { answer } = await admit([tagged], 'mutate');
    expect(answer.allowed).toBe(true);
    const patch = JSON.parse(Buffer.from(answer.patch ?? '', 'base64').toString('utf8'));
    expect(patch).toEqual([
      {
        op: 'replace',
        path: '/spec/containers/0/image',
        value: `${tagged}@${image('enforce').v1.digest}`,
      },
    ]);
    const bare = await admit([`${proxy.host}/enforce/app:bare`]);
    expect(bare.answer.allowed).toBe(false);
    expect(bare.answer.status?.message).toContain('requirement provenance: no attestation');
  });

  it('platforms each: denies an index whose arm64 manifest has no provenance, naming the platform', async () => {
    const { answer } = await admit([`${proxy.host}/each/app:multi`]);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain(
      'platform linux/arm64: requirement provenance: no attestation',
    );
    expect(answer.status?.message).not.toContain('platform linux/amd64');
  });

  it('platforms [linux/amd64]: allows the index when that platform is attested, and pins the index digest', async () => {
    const tagged = `${proxy.host}/amd64/app:multi`;
    const { answer } = await admit([tagged], 'mutate');
    expect(answer.allowed).toBe(true);
    const patch = JSON.parse(Buffer.from(answer.patch ?? '', 'base64').toString('utf8'));
    expect(patch[0]?.value).toBe(`${tagged}@${image('amd64').multi.digest}`);
  });

  /** The answer each mode must give to an image it could not verify. */
  function expectModeAnswer(mode: Mode, answer: Answer, code: RegExp): void {
    switch (mode) {
      case 'enforce':
        expect(answer.allowed).toBe(false);
        expect(answer.status?.message).toMatch(code);
        return;
      case 'warn':
        expect(answer.allowed).toBe(true);
        expect(answer.warnings?.[0]).toMatch(/^vouch \(warn mode\): .* would be denied by warn/);
        expect(answer.warnings?.[0]).toMatch(code);
        return;
      case 'audit':
        expect(answer.allowed).toBe(true);
        expect(answer).not.toHaveProperty('warnings');
        expect(answer.auditAnnotations?.['policy-violations']).toContain('"mode":"audit"');
        return;
      default: {
        const never: never = mode;
        throw new Error(`unknown mode ${String(never)}`);
      }
    }
  }

  const FAULTS: {
    name: string;
    host: () => string;
    rules: (mode: Mode) => FaultProxy['rules'];
    code: RegExp;
  }[] = [
    {
      name: 'the registry is down',
      // Nothing listens on port 1: every connection is refused.
      host: () => '127.0.0.1:1',
      rules: () => [],
      code: /REGISTRY_UNAVAILABLE/,
    },
    {
      name: 'the registry answers after the deadline',
      host: () => proxy.host,
      rules: () => [{ match: () => true, fault: { kind: 'delay', ms: DEADLINE_MS + 2000 } }],
      code: /DEADLINE_EXCEEDED|REGISTRY_UNAVAILABLE/,
    },
    {
      name: 'the registry serves a swapped attestation blob',
      host: () => proxy.host,
      // A genuine, freshly signed provenance for the same image, under another document's digest.
      rules: (mode) => [
        {
          match: (method, path) => method === 'GET' && path.startsWith(`/v2/${mode}/app/blobs/`),
          fault: {
            kind: 'swap-body',
            body: Buffer.from(provenanceFor(dir.builder, image(mode).v1.digest)),
          },
        },
      ],
      code: /REGISTRY_INVALID/,
    },
  ];

  describe.each(FAULTS)('when $name', (fault) => {
    it('answers deny (enforce), allow with a warning (warn), allow (audit), within the deadline, and stays up', async () => {
      proxy.rules = MODES.flatMap((mode) => fault.rules(mode));
      try {
        const answers = await Promise.all(
          MODES.map((mode) => admit([`${fault.host()}/${mode}/app:v1`])),
        );
        for (const [i, mode] of MODES.entries()) {
          const answer = answers[i];
          if (answer === undefined) throw new Error('no answer');
          expectModeAnswer(mode, answer.answer, fault.code);
          expect(answer.ms).toBeLessThan(DEADLINE_MS + 1500);
        }
      } finally {
        proxy.rules = [];
      }
      expect((await client.get(`${running.url}/healthz`)).status).toBe(200);
      // The fault passed: the same image is allowed again (no failure was kept).
      if (fault.host() === proxy.host) {
        expect((await admit([`${proxy.host}/enforce/app:v1`])).answer.allowed).toBe(true);
      }
    }, 20_000);
  });

  it('counts registry errors in the metrics', async () => {
    const metrics = (await client.get(`${running.url}/metrics`)).body;
    expect(metrics).toMatch(/vouch_registry_errors_total\{code="REGISTRY_UNAVAILABLE"\} [1-9]/);
    expect(metrics).toMatch(/vouch_registry_errors_total\{code="REGISTRY_INVALID"\} [1-9]/);
  });
});
