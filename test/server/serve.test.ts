import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageVerifier } from '../../src/server/image-verifier.js';
import { type RunningServer, serve } from '../../src/server/serve.js';
import { admissionReview } from './admission-fixtures.js';
import { eventually, httpsClient } from './https-client.js';
import {
  BAD,
  capturedLogger,
  configYaml,
  EVALUATED_AT,
  GOOD,
  POLICY_YAML,
  type WebhookDir,
  writeTls,
  writeWebhookDir,
} from './webhook-dir.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(
  config?: string,
  verifierFor?: () => ImageVerifier,
): Promise<{
  dir: WebhookDir;
  running: RunningServer;
  lines: Record<string, unknown>[];
  client: ReturnType<typeof httpsClient>;
}> {
  const dir = writeWebhookDir(config);
  cleanups.push(() => rmSync(dir.dir, { recursive: true, force: true }));
  const { logger, lines } = capturedLogger();
  const running = await serve(dir.config, {
    logger,
    watchInterval: 50,
    clock: () => EVALUATED_AT,
    ...(verifierFor === undefined ? {} : { verifierFor }),
  });
  cleanups.push(() => running.close());
  const client = httpsClient(readFileSync(dir.tlsCert));
  cleanups.push(() => client.close());
  return { dir, running, lines, client };
}

const review = (image: string, namespace = 'payments') =>
  admissionReview({ containers: [image] }, { namespace });
const allowed = (body: string): boolean =>
  (JSON.parse(body) as { response: { allowed: boolean } }).response.allowed;

describe('when served over HTTPS on loopback', () => {
  it('answers AdmissionReviews, health, readiness and metrics on real sockets', async () => {
    const { running, client } = await start();
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const good = await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${GOOD}`));
    expect(good.status).toBe(200);
    expect(allowed(good.body)).toBe(true);
    const bad = await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${BAD}`));
    expect(allowed(bad.body)).toBe(false);
    expect((await client.get(`${running.url}/healthz`)).status).toBe(200);
    expect((await client.get(`${running.url}/readyz`)).status).toBe(200);
    expect((await client.get(`${running.url}/metrics`)).body).toContain(
      'vouch_admission_decisions_total',
    );
  });

  it('answers 400 to garbage and keeps serving', async () => {
    const { running, client } = await start();
    const res = await client.post(`${running.url}/validate`, { hello: 'world' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('ADMISSION_INVALID');
    expect(
      allowed(
        (await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${GOOD}`))).body,
      ),
    ).toBe(true);
  });
});

describe('when the policy or configuration changes', () => {
  it('a policy that fails to load is rejected, counted, and the last good one keeps serving', async () => {
    const { dir, running, lines, client } = await start();
    writeFileSync(dir.policy, `${POLICY_YAML}  unknownField: true\n`);
    await eventually(() =>
      lines.some((l) => l.msg?.toString().startsWith('configuration reload rejected')),
    );
    const metrics = (await client.get(`${running.url}/metrics`)).body;
    expect(metrics).toContain('vouch_reloads_total{what="config",result="failure"} 1');
    expect(lines.find((l) => l.code === 'SERVER_CONFIG_INVALID')?.error).toContain('unknownField');
    expect(
      allowed(
        (await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${GOOD}`))).body,
      ),
    ).toBe(true);
    expect(
      allowed(
        (await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${BAD}`))).body,
      ),
    ).toBe(false);

    // A good new version is applied: now only provenance from another repository counts.
    writeFileSync(dir.policy, POLICY_YAML.replace('github.com/acme/app', 'github.com/acme/other'));
    await eventually(
      async () =>
        !allowed(
          (await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${GOOD}`))).body,
        ),
    );
    expect((await client.get(`${running.url}/metrics`)).body).toContain(
      'vouch_reloads_total{what="config",result="success"} 1',
    );
  });

  it('a configuration change (mode enforce -> audit) applies to the next admission', async () => {
    const { dir, running, client } = await start();
    expect(
      allowed(
        (await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${BAD}`))).body,
      ),
    ).toBe(false);
    writeFileSync(dir.config, configYaml().replace('mode: enforce', 'mode: audit'));
    await eventually(async () =>
      allowed(
        (await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${BAD}`))).body,
      ),
    );
  });
});

describe('when the TLS files are swapped', () => {
  it('serves the new certificate on new connections; a mismatched pair is rejected and the old one kept', async () => {
    const { dir, running, lines } = await start();
    const fingerprint = (path: string) => new X509Certificate(readFileSync(path)).fingerprint256;
    const fresh = () => httpsClient(readFileSync(dir.tlsCert), false);
    const before = fingerprint(dir.tlsCert);
    copyFileSync(dir.tlsCert, join(dir.dir, 'tls-before.crt'));
    const first = fresh();
    expect((await first.get(`${running.url}/healthz`)).certificate).toBe(before);
    first.close();

    // Renewed by cert-manager: a new pair, the certificate landing before the key.
    const next = writeTls(join(dir.dir, 'next'), 'vouch-webhook-renewed');
    copyFileSync(next.cert, dir.tlsCert);
    await eventually(() => lines.some((l) => l.msg?.toString().startsWith('TLS reload rejected')));
    const old = httpsClient(
      readFileSync(join(dir.dir, 'next', 'tls.crt')).toString().length > 0
        ? readFileSync(dir.tlsCert)
        : '',
      false,
    );
    old.close();
    copyFileSync(next.key, dir.tlsKey);
    const after = fingerprint(next.cert);
    expect(after).not.toBe(before);
    await eventually(async () => {
      const client = fresh();
      try {
        return (await client.get(`${running.url}/healthz`)).certificate === after;
      } catch {
        return false; // still the old certificate, which this client does not trust
      } finally {
        client.close();
      }
    });
    const client = fresh();
    const res = await client.post(`${running.url}/validate`, review(`ghcr.io/acme/app@${GOOD}`));
    client.close();
    expect(allowed(res.body)).toBe(true);
    expect(lines.filter((l) => l.msg === 'TLS certificate reloaded').length).toBeGreaterThanOrEqual(
      1,
    );
  });
});

describe('when verification is slower than the deadline', () => {
  const stuck = (): ImageVerifier => ({
    // A registry that never answers: only the deadline ends the wait.
    verifyImage: ({ signal }) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      ),
  });

  it.each([
    ['enforce', 'ghcr.io/acme/app', false],
    ['warn', 'ghcr.io/acme/staging/app', true],
    ['audit', 'registry.example.com/tool', true],
  ])('answers by mode (%s) within the deadline, and stays up', async (mode, repo, expected) => {
    const { running, client } = await start(configYaml({ deadline: '1s' }), stuck);
    const started = Date.now();
    const res = await client.post(`${running.url}/validate`, review(`${repo}@${GOOD}`));
    const took = Date.now() - started;
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body).response as {
      allowed: boolean;
      status?: { message: string };
      warnings?: string[];
    };
    expect(answer.allowed).toBe(expected);
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(3000);
    if (mode === 'enforce')
      expect(answer.status?.message).toContain(
        'DEADLINE_EXCEEDED: verification did not finish within the 1s deadline',
      );
    if (mode === 'warn') expect(answer.warnings?.[0]).toContain('DEADLINE_EXCEEDED');
    if (mode === 'audit') expect(answer.warnings).toBeUndefined();
    expect((await client.get(`${running.url}/metrics`)).body).toContain(
      `vouch_deadline_exceeded_total{policy="${mode === 'enforce' ? 'prod' : mode === 'warn' ? 'staging' : 'vendor'}",mode="${mode}"} 1`,
    );
    expect((await client.get(`${running.url}/healthz`)).status).toBe(200);
  });
});
