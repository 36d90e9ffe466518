import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, VOUCH_BIN } from '../support/built-cli.js';
import { admissionReview } from './admission-fixtures.js';
import { httpsClient } from './https-client.js';
import { GOOD, type WebhookDir, writeWebhookDir } from './webhook-dir.js';

let dir: WebhookDir;
beforeAll(() => {
  assertBuilt();
  dir = writeWebhookDir();
});
afterAll(() => rmSync(dir.dir, { recursive: true, force: true }));

describe('when `vouch serve` runs as users run it', () => {
  it('serves until SIGTERM, then exits 0; decision lines go to standard output', async () => {
    const child = spawn(process.execPath, [VOUCH_BIN, 'serve', '--config', dir.config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const found = /"url":"(https:[^"]+)"/.exec(stdout)?.[1];
        if (found !== undefined) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const client = httpsClient(readFileSync(dir.tlsCert));
    expect((await client.get(`${url}/readyz`)).status).toBe(200);
    const res = await client.post(
      `${url}/validate`,
      admissionReview({ containers: [`ghcr.io/acme/app@${GOOD}`] }, { uid: 'cli-1' }),
    );
    expect(JSON.parse(res.body).response).toEqual({ uid: 'cli-1', allowed: true });
    client.close();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const admission = stdout.split('\n').find((l) => l.includes('"msg":"admission"'));
    expect(JSON.parse(admission ?? '{}')).toMatchObject({ uid: 'cli-1', allowed: true });
  });

  it('exits 2 with one coded line for a configuration that does not load', () => {
    const bad = `${dir.dir}/bad.yaml`;
    writeFileSync(
      bad,
      'apiVersion: vouch/v1\nkind: ServerConfig\nspec: {tls: {cert: a, key: b}, imagePolicies: []}\n',
    );
    const run = spawnSync(process.execPath, [VOUCH_BIN, 'serve', '--config', bad], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^vouch: error SERVER_CONFIG_INVALID at .*bad\.yaml/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('outside a cluster, a configuration selecting namespaces by label exits 2 saying why', () => {
    const labelled = `${dir.dir}/labelled.yaml`;
    writeFileSync(
      labelled,
      readFileSync(dir.config, 'utf8').replace(
        'namespaces: {exclude: [kube-system]}',
        'namespaces: {matchLabels: {tier: prod}}',
      ),
    );
    const env = { ...process.env };
    delete env.KUBERNETES_SERVICE_HOST;
    delete env.KUBERNETES_SERVICE_PORT;
    const run = spawnSync(process.execPath, [VOUCH_BIN, 'serve', '--config', labelled], {
      encoding: 'utf8',
      env,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^vouch: error SERVER_CONFIG_INVALID at .*labelled\.yaml: namespaces\.matchLabels needs namespace labels from the Kubernetes API, which vouch serve cannot read here: not running in a Kubernetes pod/,
    );
    expect(run.stderr).toContain('select namespaces with include and exclude');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
