import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistry } from '../../../src/sources/oci/registry.js';
import { commandLine, runCliWith } from '../../support/cli.js';
import {
  type RunningRegistry,
  registryPeersPresent,
  startRegistry,
} from '../../support/registry.js';
import { type Blob, TestLayout } from '../../support/registry-images.js';
import {
  bundle,
  makeKey,
  makeKeyFiles,
  PROVENANCE,
  provenance,
  statementJson,
} from '../../support/signing.js';

const present = registryPeersPresent();

describe.skipIf(!present)('when vouch verify and vouch pull use a registry', () => {
  let registry: RunningRegistry;
  let scratch: string;
  let image: Blob;
  let other: Blob;
  let policy: string;
  const builder = makeKey();
  const run = (...args: string[]) =>
    runCliWith({ env: { DOCKER_CONFIG: join(scratch, 'docker') } }, ...args);
  const verify = (options: { artifact: string; output?: string }) =>
    run(...commandLine('verify', { policy, ...options, plainHttp: true }));

  beforeAll(async () => {
    registry = await startRegistry('anonymous');
    scratch = mkdtempSync(join(tmpdir(), 'vouch-oci-cli-'));
    ({ image, other } = await new TestLayout(join(scratch, 'images')).pushedImageAndOther(
      registry.host,
    ));
    writeFileSync(join(scratch, 'builder.pub'), builder.pem);
    policy = join(scratch, 'policy.yaml');
    writeFileSync(
      policy,
      `apiVersion: vouch/v1\nkind: Policy\nmetadata: {name: images}\nspec:\n  authorities:\n    builder: {keys: [{file: builder.pub}]}\n  requirements:\n    - name: provenance\n      predicateType: ${PROVENANCE}\n      signers: [builder]\n`,
    );
    const oci = new OciRegistry({ plainHttp: true });
    const signed = bundle(
      statementJson({ sha256: image.digest.slice(7) }, PROVENANCE, provenance()),
      builder,
    );
    await oci.push(`oci://${registry.host}/acme/app:v1`, {
      bytes: Buffer.from(signed),
      format: 'bundle',
      predicateType: PROVENANCE,
      created: '2026-11-30T00:00:00Z',
    });
    oci.close();
  });

  afterAll(async () => {
    await registry?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('allows a tagged image whose provenance is a referrer in the registry', async () => {
    const result = await verify({ artifact: `oci://${registry.host}/acme/app:v1`, output: 'json' });
    expect(result.stderr).toBe('');
    const decision = JSON.parse(result.stdout) as {
      allowed: boolean;
      artifact: { digest: { sha256: string } };
      requirements: { satisfiedBy: { source: string }[] }[];
    };
    expect(result.code).toBe(0);
    expect(decision.allowed).toBe(true);
    expect(decision.artifact.digest.sha256).toBe(image.digest.slice(7));
    // The decision JSON has no source field yet; the text explanation names where each came from.
    const text = await verify({ artifact: `oci://${registry.host}/acme/app:v1` });
    expect(text.stdout).toMatch(new RegExp(`oci://${registry.host}/acme/app@sha256:[0-9a-f]{64}`));
  });

  it('denies another image in the same repository: its attestations are not this one', async () => {
    const result = await verify({ artifact: `oci://${registry.host}/acme/app:other` });
    expect(result.code).toBe(1);
  });

  it('denies, naming the registry error, when the registry is unreachable', async () => {
    const artifact = 'oci://127.0.0.1:1/acme/app:v1';
    const result = await verify({ artifact });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^DENIED: oci:\/\/127\.0\.0\.1:1\/acme\/app:v1/);
    expect(result.stdout).toMatch(/missing: not evaluated: REGISTRY_UNAVAILABLE/);
    const json = await verify({ artifact, output: 'json' });
    expect(json.code).toBe(1);
    const decision = JSON.parse(json.stdout) as {
      allowed: boolean;
      artifact: { name: string; digest: Record<string, string> };
      sourceFailures: { source: string; code: string }[];
    };
    expect(decision.allowed).toBe(false);
    expect(decision.artifact).toEqual({ name: 'oci://127.0.0.1:1/acme/app:v1', digest: {} });
    expect(decision.sourceFailures).toEqual([
      expect.objectContaining({
        source: 'oci://127.0.0.1:1/acme/app:v1',
        code: 'REGISTRY_UNAVAILABLE',
      }),
    ]);
  });

  it('signs no verification summary for an image that could not be resolved', async () => {
    const verifier = makeKeyFiles(scratch, 'verifier');
    const vsa = join(scratch, 'unresolved.vsa.json');
    const result = await run(
      ...commandLine('verify', {
        policy,
        artifact: 'oci://127.0.0.1:1/acme/app:v1',
        plainHttp: true,
        emitVsa: true,
        key: verifier.key,
        vsaOut: vsa,
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^DENIED: oci:\/\/127\.0\.0\.1:1\/acme\/app:v1/);
    expect(result.stderr).toBe(
      'vouch: no verification summary: the artifact could not be resolved\n',
    );
    expect(existsSync(vsa)).toBe(false);
  });

  it('refuses --plain-http to a registry that is not loopback', async () => {
    const result = await verify({ artifact: 'oci://registry.example/acme/app:v1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/USAGE/);
  });

  it('pulls the attestations to a layout that verify reads offline', async () => {
    const out = join(scratch, 'pulled');
    const pulled = await run(
      'pull',
      `oci://${registry.host}/acme/app:v1`,
      '--out',
      out,
      '--plain-http',
    );
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain(
      `pulled 1 attestation(s) of oci://${registry.host}/acme/app@${image.digest}`,
    );
    const offline = await run(
      'verify',
      '--policy',
      policy,
      '--artifact',
      `app@${image.digest}`,
      '--attestations',
      out,
    );
    expect(offline.code).toBe(0);
    const wrong = await run(
      'verify',
      '--policy',
      policy,
      '--artifact',
      `app@${other.digest}`,
      '--attestations',
      out,
    );
    expect(wrong.code).toBe(1);
  });
});
