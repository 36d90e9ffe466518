import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig, type ServerSettings } from '../../src/server/config.js';
import type { ImageVerifier } from '../../src/server/image-verifier.js';
import { buildServer, MAX_ADMISSION_BYTES, type WebhookServer } from '../../src/server/server.js';
import {
  admissionReview,
  type ContainerImages,
  ephemeralContainersReview,
  type ReviewOptions,
  WORKLOAD_KINDS,
} from './admission-fixtures.js';
import {
  BAD,
  breakglassFor,
  capturedLogger,
  EVALUATED_AT,
  FORK,
  GOOD,
  verifierFor as serverVerifierFor,
  type WebhookDir,
  writeWebhookDir,
} from './webhook-dir.js';

interface Answer {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patchType?: string;
  patch?: string;
}

let dir: WebhookDir;
let settings: ServerSettings;

beforeAll(() => {
  dir = writeWebhookDir();
  settings = loadServerConfig(dir.config).settings;
});
afterAll(() => rmSync(dir.dir, { recursive: true, force: true }));

function webhook(verifierFor: typeof serverVerifierFor = serverVerifierFor, at = EVALUATED_AT) {
  const log = capturedLogger();
  const server = buildServer({ logger: log.logger, verifierFor, clock: () => at });
  server.install(settings);
  return { server, lines: log.lines };
}

async function admit(
  server: WebhookServer,
  images: ContainerImages,
  options: ReviewOptions & { endpoint?: 'validate' | 'mutate' } = {},
): Promise<Answer> {
  const res = await server.app.inject({
    method: 'POST',
    url: `/${options.endpoint ?? 'validate'}`,
    payload: admissionReview(images, options),
  });
  expect(res.statusCode).toBe(200);
  const body = res.json() as { apiVersion: string; kind: string; response: Answer };
  expect(body.apiVersion).toBe('admission.k8s.io/v1');
  expect(body.kind).toBe('AdmissionReview');
  return body.response;
}

/** The images of the first decision log line. */
function loggedImages(
  lines: readonly Record<string, unknown>[],
): { result: string; mode?: string }[] {
  const line = lines.find((l) => l.msg === 'admission');
  return (line?.images ?? []) as { result: string; mode?: string }[];
}

const image = (digest: string, repo = 'ghcr.io/acme/app') => `${repo}@${digest}`;

describe('when an image policy in enforce mode judges a pod', () => {
  it('allows an image whose provenance satisfies the policy, echoing the uid', async () => {
    const { server } = webhook();
    const review = admissionReview({ containers: [image(GOOD)] });
    const res = await server.app.inject({ method: 'POST', url: '/validate', payload: review });
    const answer = res.json().response as Answer;
    expect(answer).toEqual({ uid: (review.request as { uid: string }).uid, allowed: true });
  });

  it('denies an image without attestations, naming image, policy and requirement', async () => {
    const { server } = webhook();
    const answer = await admit(server, { containers: [image(GOOD), image(BAD)] });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.code).toBe(403);
    expect(answer.status?.message).toContain(`ghcr.io/acme/app@${BAD} (image policy prod)`);
    expect(answer.status?.message).toContain(
      'requirement provenance: no attestation of type https://slsa.dev/provenance/v1 signed by builder',
    );
    expect(answer.status?.message).not.toContain(GOOD);
  });

  it("denies provenance from another repository with the condition's reason", async () => {
    const { server } = webhook();
    const answer = await admit(server, { containers: [image(FORK)] });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('CONDITION_FALSE');
  });

  it('denies once the provenance is older than maxAge (time is judged on every request)', async () => {
    const { server } = webhook(serverVerifierFor, new Date('2026-12-30T10:00:00Z'));
    const answer = await admit(server, { containers: [image(GOOD)] });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('EXPIRED');
  });

  it('checks init and ephemeral containers as well as containers', async () => {
    const { server } = webhook();
    for (const images of [
      { containers: [image(GOOD)], initContainers: [image(BAD)] },
      { containers: [image(GOOD)], ephemeralContainers: [image(BAD)] },
    ]) {
      const answer = await admit(server, images);
      expect(answer.allowed, JSON.stringify(images)).toBe(false);
    }
  });

  it.each(WORKLOAD_KINDS)('reads the pod template of a %s', async (kind) => {
    const { server } = webhook();
    expect((await admit(server, { containers: [image(GOOD)] }, { kind })).allowed).toBe(true);
    expect((await admit(server, { containers: [image(BAD)] }, { kind })).allowed).toBe(false);
  });

  it('judges the pods/ephemeralcontainers UPDATE that kubectl debug sends', async () => {
    const { server } = webhook();
    const res = await server.app.inject({
      method: 'POST',
      url: '/validate',
      payload: ephemeralContainersReview(image(GOOD), `ghcr.io/acme/debug@${BAD}`),
    });
    const answer = res.json().response as Answer;
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('ghcr.io/acme/debug');
  });

  it('allows DELETE without looking at images', async () => {
    const { server } = webhook();
    expect((await admit(server, { containers: [] }, { operation: 'DELETE' })).allowed).toBe(true);
  });

  it('exempts namespaces every matching policy excludes, and logs it', async () => {
    const { server, lines } = webhook();
    const answer = await admit(server, { containers: [image(BAD)] }, { namespace: 'kube-system' });
    expect(answer.allowed).toBe(true);
    expect(loggedImages(lines)[0]?.result).toBe('exempt');
  });
});

describe('when no image policy matches', () => {
  it('denies by default (unmatchedImages: deny)', async () => {
    const { server } = webhook();
    const answer = await admit(server, { containers: [`docker.io/library/nginx@${GOOD}`] });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('IMAGE_UNMATCHED');
    expect(answer.status?.message).toContain('no image policy matches docker.io/library/nginx');
  });

  it('allows with unmatchedImages: allow', async () => {
    const { server } = webhook();
    server.install({ ...settings, unmatchedImages: 'allow' });
    expect((await admit(server, { containers: ['nginx:1.27'] })).allowed).toBe(true);
  });

  it('denies an image reference that does not parse, whatever unmatchedImages says', async () => {
    const { server } = webhook();
    server.install({ ...settings, unmatchedImages: 'allow' });
    const answer = await admit(server, { containers: ['Ghcr.io/ACME/App:\u001b[31mred'] });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('IMAGE_REF_INVALID');
    // The escape character never reaches kubectl output.
    expect(answer.status?.message).not.toContain('\u001b');
  });
});

describe('when the image policy is in warn or audit mode', () => {
  it('warn allows a failing image with a warning and an audit annotation', async () => {
    const { server } = webhook();
    const answer = await admit(server, { containers: [image(BAD, 'ghcr.io/acme/staging/app')] });
    expect(answer.allowed).toBe(true);
    expect(answer.warnings?.[0]).toMatch(
      /^vouch \(warn mode\): ghcr\.io\/acme\/staging\/app@sha256:[0-9a-f]+ would be denied by staging/,
    );
    expect(answer.auditAnnotations?.['policy-violations']).toContain('"mode":"warn"');
  });

  it('audit allows without a warning, and logs the violation', async () => {
    const { server, lines } = webhook();
    const answer = await admit(server, { containers: [image(BAD, 'registry.example.com/tool')] });
    expect(answer.allowed).toBe(true);
    expect(answer.warnings).toBeUndefined();
    const logged = loggedImages(lines)[0];
    expect(logged).toMatchObject({ result: 'audit', mode: 'audit' });
  });

  it('the most specific glob wins: staging/** (warn) over acme/** (enforce)', async () => {
    const { server } = webhook();
    expect(
      (await admit(server, { containers: [image(BAD, 'ghcr.io/acme/staging/app')] })).allowed,
    ).toBe(true);
    expect((await admit(server, { containers: [image(BAD, 'ghcr.io/acme/app')] })).allowed).toBe(
      false,
    );
  });
});

describe('when the same image appears more than once', () => {
  function countingVerifier(): { verifierFor: typeof serverVerifierFor; calls: () => number } {
    let calls = 0;
    return {
      calls: () => calls,
      verifierFor: (s, m) => {
        const inner = serverVerifierFor(s, m);
        return {
          verifyImage: (r) => {
            calls++;
            return inner.verifyImage(r);
          },
        } satisfies ImageVerifier;
      },
    };
  }

  it('verifies identical images in one request once', async () => {
    const counting = countingVerifier();
    const { server } = webhook(counting.verifierFor);
    const same = Array.from({ length: 8 }, () => image(GOOD));
    expect((await admit(server, { containers: same, initContainers: [image(GOOD)] })).allowed).toBe(
      true,
    );
    expect(counting.calls()).toBe(1);
  });

  it('concurrent requests share the verification in flight: one discovery', async () => {
    let discoveries = 0;
    let resolved = false;
    const verifierFor = (): ImageVerifier => ({
      // A registry-like verifier: the first look-up is slow, later ones hit its cache.
      async verifyImage() {
        if (!resolved) {
          discoveries++;
          await new Promise((r) => setTimeout(r, 100));
          resolved = true;
        }
        return { kind: 'failed', code: 'REGISTRY_UNAVAILABLE', message: 'test' };
      },
    });
    const { server } = webhook(verifierFor);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => admit(server, { containers: [image(GOOD)] })),
    );
    expect(answers.every((a) => !a.allowed)).toBe(true);
    expect(discoveries).toBe(1);
  });
});

describe('when mutating', () => {
  const resolving: typeof serverVerifierFor = (s, m) => {
    const inner = serverVerifierFor(s, m);
    return {
      // Stands in for the registry source: the tag 1.2.3 resolves to GOOD.
      verifyImage: (r) =>
        inner.verifyImage(
          r.image.tag === '1.2.3' && r.image.digest === undefined
            ? { ...r, image: { ...r.image, digest: GOOD } }
            : r,
        ),
    };
  };

  it('pins a tag to the digest that was verified (JSONPatch)', async () => {
    const { server } = webhook(resolving);
    const answer = await admit(
      server,
      {
        containers: ['ghcr.io/acme/app:1.2.3', image(GOOD)],
        initContainers: ['ghcr.io/acme/app:1.2.3'],
      },
      { kind: 'Deployment', endpoint: 'mutate' },
    );
    expect(answer.allowed).toBe(true);
    expect(answer.patchType).toBe('JSONPatch');
    const patch = JSON.parse(Buffer.from(answer.patch ?? '', 'base64').toString('utf8'));
    expect(patch).toEqual([
      {
        op: 'replace',
        path: '/spec/template/spec/initContainers/0/image',
        value: `ghcr.io/acme/app:1.2.3@${GOOD}`,
      },
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/image',
        value: `ghcr.io/acme/app:1.2.3@${GOOD}`,
      },
    ]);
  });

  it('never patches what it denies, and validate never patches', async () => {
    const { server } = webhook(resolving);
    const denied = await admit(
      server,
      { containers: ['ghcr.io/acme/app:1.2.3', image(BAD)] },
      { endpoint: 'mutate' },
    );
    expect(denied.allowed).toBe(false);
    expect(denied.patch).toBeUndefined();
    const validated = await admit(server, { containers: ['ghcr.io/acme/app:1.2.3'] });
    expect(validated.allowed).toBe(true);
    expect(validated.patch).toBeUndefined();
  });
});

describe('when a breakglass attestation is present', () => {
  function withBreakglass(doc: string): () => void {
    const file = join(dir.attestations, 'breakglass.dsse.json');
    writeFileSync(file, doc);
    return () => rmSync(file);
  }
  const grant = {
    namespace: 'payments',
    issuedAt: '2026-11-23T09:00:00Z',
    notAfter: '2026-11-23T12:00:00Z',
  };

  it('admits a failing image in its namespace, with a warning, an audit annotation and a metric', async () => {
    const remove = withBreakglass(breakglassFor(dir.oncall, BAD, grant));
    try {
      const { server, lines } = webhook();
      const answer = await admit(server, { containers: [image(BAD)] });
      expect(answer.allowed).toBe(true);
      expect(answer.warnings?.[0]).toContain('admitted by BREAKGLASS');
      expect(answer.warnings?.[0]).toContain('INC-4711');
      expect(JSON.parse(answer.auditAnnotations?.breakglass ?? '[]')[0]).toMatchObject({
        digest: BAD,
        reason: 'INC-4711: payment outage hotfix',
      });
      expect(
        await server.metrics.registry.getSingleMetricAsString('vouch_breakglass_admissions_total'),
      ).toContain('policy="prod",namespace="payments"} 1');
      expect(loggedImages(lines)[0]?.result).toBe('breakglass');
    } finally {
      remove();
    }
  });

  it.each([
    ['another namespace', { ...grant, namespace: 'web' }, dir_oncall],
    ['a notAfter in the past', { ...grant, notAfter: '2026-11-23T09:30:00Z' }, dir_oncall],
    [
      'issued longer ago than maxDuration (4h)',
      { ...grant, issuedAt: '2026-11-23T05:00:00Z', notAfter: '2026-11-24T00:00:00Z' },
      dir_oncall,
    ],
    ['issued in the future', { ...grant, issuedAt: '2026-11-23T11:00:00Z' }, dir_oncall],
    ['an empty reason', { ...grant, reason: '' }, dir_oncall],
    ['a signer who is not a breakglass signer', grant, dir_builder],
  ])('does not admit with %s', async (_what, predicate, signer) => {
    const remove = withBreakglass(breakglassFor(signer(), BAD, predicate));
    try {
      const { server } = webhook();
      const answer = await admit(server, { containers: [image(BAD)] });
      expect(answer.allowed).toBe(false);
      expect(answer.warnings).toBeUndefined();
    } finally {
      remove();
    }
  });

  it('covers only the image digest it names', async () => {
    const remove = withBreakglass(breakglassFor(dir.oncall, FORK, grant));
    try {
      const { server } = webhook();
      expect((await admit(server, { containers: [image(BAD)] })).allowed).toBe(false);
    } finally {
      remove();
    }
  });
});

function dir_oncall() {
  return dir.oncall;
}
function dir_builder() {
  return dir.builder;
}

describe('when the request is not an AdmissionReview the webhook can judge', () => {
  const post = (
    server: WebhookServer,
    payload: string | object,
    contentType = 'application/json',
  ) =>
    server.app.inject({
      method: 'POST',
      url: '/validate',
      headers: { 'content-type': contentType },
      payload,
    });

  it.each([
    ['malformed JSON', '{"apiVersion": "admission.k8s.io/v1", "kind": ', 'JSON_SYNTAX'],
    [
      'a repeated key',
      '{"kind": "AdmissionReview", "kind": "AdmissionReview"}',
      'JSON_DUPLICATE_KEY',
    ],
    [
      'another API version',
      { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} },
      'ADMISSION_INVALID',
    ],
  ])('answers 400 for %s', async (_what, payload, code) => {
    const { server } = webhook();
    const res = await post(server, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it('answers 400 when request.uid is missing, naming the field', async () => {
    const { server } = webhook();
    const review = admissionReview({ containers: [image(GOOD)] });
    delete (review.request as { uid?: string }).uid;
    const res = await post(server, review);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'ADMISSION_INVALID' });
    expect(res.json().error.message).toContain('$.request.uid');
  });

  it('answers 400 for a kind that runs no images, listing the kinds it admits', async () => {
    const { server } = webhook();
    const review = admissionReview({ containers: [image(GOOD)] });
    (review.request as Record<string, unknown>).kind = {
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
    };
    const res = await post(server, review);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('kind ConfigMap does not run images');
    expect(res.json().error.message).toContain('CronJob');
  });

  it('answers 400 for a body over the size limit, a wrong content type, and stays up', async () => {
    const { server } = webhook();
    const huge = JSON.stringify({ pad: 'x'.repeat(MAX_ADMISSION_BYTES) });
    const tooLarge = await post(server, huge);
    expect(tooLarge.statusCode).toBe(400);
    expect(tooLarge.json().error.code).toBe('TOO_LARGE');
    const text = await post(server, 'hello', 'text/plain');
    expect(text.statusCode).toBe(400);
    expect(text.json().error.code).toBe('ADMISSION_INVALID');
    expect((await admit(server, { containers: [image(GOOD)] })).allowed).toBe(true);
    expect(
      await server.metrics.registry.getSingleMetricAsString('vouch_admission_bad_requests_total'),
    ).toContain('vouch_admission_bad_requests_total 2');
  });
});

describe('when observed', () => {
  it('is healthy at once, ready only once a configuration is installed', async () => {
    const log = capturedLogger();
    const server = buildServer({ logger: log.logger, verifierFor: serverVerifierFor });
    expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/readyz' })).statusCode).toBe(503);
    const early = await server.app.inject({
      method: 'POST',
      url: '/validate',
      payload: admissionReview({ containers: [image(GOOD)] }),
    });
    expect(early.statusCode).toBe(503);
    server.install(settings);
    expect((await server.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('writes one decision log line per admission, with digests, policy, mode, reasons and durations', async () => {
    const { server, lines } = webhook();
    await admit(
      server,
      { containers: [image(GOOD), image(BAD)] },
      { uid: 'uid-1', kind: 'Deployment' },
    );
    const admissions = lines.filter((l) => l.msg === 'admission');
    expect(admissions).toHaveLength(1);
    expect(admissions[0]).toMatchObject({
      uid: 'uid-1',
      namespace: 'payments',
      kind: 'apps/Deployment',
      name: 'web',
      allowed: false,
      images: [
        {
          image: image(GOOD),
          digest: GOOD,
          policy: 'prod',
          mode: 'enforce',
          result: 'allow',
          reasons: [],
        },
        {
          image: image(BAD),
          digest: BAD,
          policy: 'prod',
          mode: 'enforce',
          result: 'deny',
          reasons: [{ code: 'REQUIREMENT_UNMET', requirement: 'provenance' }],
        },
      ],
    });
    expect(typeof admissions[0]?.ms).toBe('number');
    // Never whole attestations: no envelope payloads or signatures in the log.
    expect(JSON.stringify(lines)).not.toMatch(/"payload"|"signatures"/);
  });

  it('exports decisions, latency and cache metrics', async () => {
    const { server } = webhook();
    await admit(server, { containers: [image(GOOD)] });
    await admit(server, { containers: [image(GOOD)] });
    const res = await server.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      'vouch_admission_decisions_total{policy="prod",mode="enforce",result="allow"} 2',
    );
    expect(res.body).toContain(
      'vouch_admission_duration_seconds_count{endpoint="validate",allowed="true"} 2',
    );
    expect(res.body).toMatch(/vouch_cache_requests_total\{cache="documents",result="hit"\} [1-9]/);
    expect(res.body).toContain('vouch_cache_requests_total{cache="discovery",result="hit"} 1');
  });
});

describe('when an attestation directory holds an entry it cannot read', () => {
  it('names it in the decision log line, whatever the decision', async () => {
    const own = writeWebhookDir();
    try {
      execFileSync('mkfifo', [join(own.attestations, 'stuck.dsse.json')]);
      const log = capturedLogger();
      const server = buildServer({
        logger: log.logger,
        verifierFor: serverVerifierFor,
        clock: () => EVALUATED_AT,
      });
      server.install(loadServerConfig(own.config).settings);
      const answer = await admit(server, { containers: [image(GOOD), image(BAD)] });
      expect(answer.allowed).toBe(false);
      const logged = loggedImages(log.lines) as unknown as {
        skipped?: number;
        skippedEntries?: { source: string; reason: string }[];
      }[];
      expect(logged).toHaveLength(2);
      for (const entry of logged) {
        expect(entry.skipped).toBe(1);
        expect(entry.skippedEntries?.[0]?.source).toContain('stuck.dsse.json');
      }
    } finally {
      rmSync(own.dir, { recursive: true, force: true });
    }
  });
});
