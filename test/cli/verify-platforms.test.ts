import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type AttestedImages, pushAttestedImages } from '../support/attested-images.js';
import { REPO } from '../support/paths.js';
import { type RunningRegistry, registryPeersPresent, startRegistry } from '../support/registry.js';
import { dsse, makeKey, PROVENANCE, provenance, statementJson } from '../support/signing.js';
import { expectOneLineError, spawnVouch } from '../support/spawned-cli.js';
import { tempDir } from '../support/temp-dir.js';

const present = registryPeersPresent();
// The published decision schema (docs/decision.schema.json), compiled as decision-schema.test.ts does.
const schema = z.fromJSONSchema(
  JSON.parse(readFileSync(join(REPO, 'docs', 'decision.schema.json'), 'utf8')) as Parameters<
    typeof z.fromJSONSchema
  >[0],
);

interface PlatformJson {
  platform: string;
  allowed: boolean;
  artifact: { digest: Record<string, string> };
  requirements: { name: string; satisfied: boolean }[];
  sourceFailures?: { code: string; message: string }[];
}
interface DecisionJson {
  allowed: boolean;
  artifact: { name: string; digest: { sha256: string } };
  requirements: { satisfied: boolean }[];
  platforms?: PlatformJson[];
}

describe.skipIf(!present)('when vouch verify --platform judges an image index', () => {
  let registry: RunningRegistry;
  let images: AttestedImages;
  let policy: string;
  const builder = makeKey();
  const verify = (...args: string[]) =>
    spawnVouch([
      'verify',
      '--policy',
      policy,
      '--artifact',
      `oci://${registry.host}/acme/app:multi`,
      '--plain-http',
      ...args,
    ]);
  const json = (...args: string[]) => {
    const result = verify('--output', 'json', ...args);
    expect(result.code, result.stderr).toBeLessThan(2);
    expect(schema.safeParse(JSON.parse(result.stdout)).error?.issues ?? []).toEqual([]);
    return { code: result.code, decision: JSON.parse(result.stdout) as DecisionJson };
  };

  beforeAll(async () => {
    registry = await startRegistry('anonymous');
    images = await pushAttestedImages(registry.host, 'acme/app', (digest) =>
      dsse(statementJson({ sha256: digest.slice(7) }, PROVENANCE, provenance()), [builder]),
    );
    const dir = tempDir('vouch-platforms-');
    writeFileSync(join(dir, 'builder.pub'), builder.pem);
    policy = join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      `apiVersion: vouch/v1\nkind: Policy\nmetadata: {name: images}\nspec:\n  authorities:\n    builder: {keys: [{file: builder.pub}]}\n  requirements:\n    - name: provenance\n      predicateType: ${PROVENANCE}\n      signers: [builder]\n`,
    );
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it('without --platform judges the index alone, as referenced', () => {
    const { code, decision } = json();
    expect(code).toBe(0);
    expect(decision.allowed).toBe(true);
    expect(decision.artifact.digest.sha256).toBe(images.multi.digest.slice(7));
    expect(decision).not.toHaveProperty('platforms');
  });

  it('allows a named platform whose own manifest is attested, listing it', () => {
    const { code, decision } = json('--platform', 'linux/amd64');
    expect(code).toBe(0);
    expect(decision.platforms).toEqual([
      expect.objectContaining({
        platform: 'linux/amd64',
        allowed: true,
        artifact: { digest: { sha256: images.amd64.digest.slice(7) } },
      }),
    ]);
  });

  it('denies --platform all, naming the platform whose manifest has no provenance', () => {
    const { code, decision } = json('--platform', 'all');
    expect(code).toBe(1);
    expect(decision.allowed).toBe(false);
    // The index itself is attested: only the platform entry says why it is denied.
    expect(decision.requirements.every((r) => r.satisfied)).toBe(true);
    expect(decision.platforms?.map((p) => [p.platform, p.allowed])).toEqual([
      ['linux/amd64', true],
      ['linux/arm64', false],
    ]);
    const text = verify('--platform', 'all');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^DENIED: /);
    expect(text.stdout).toContain(
      `platform linux/arm64 sha256:${images.arm64.digest.slice(7)}: DENIED`,
    );
    expect(text.stdout).toMatch(/platform linux\/arm64 .*\n\s+\[NOT satisfied\] provenance/);
  });

  it('repeated --platform judges each; a platform the index lacks is a deny that names it', () => {
    const { code, decision } = json('--platform', 'linux/amd64', '--platform', 'linux/s390x');
    expect(code).toBe(1);
    expect(decision.platforms?.[1]).toMatchObject({
      platform: 'linux/s390x',
      allowed: false,
      artifact: { digest: {} },
      sourceFailures: [
        expect.objectContaining({
          code: 'REGISTRY_NOT_FOUND',
          message: expect.stringContaining('has no linux/s390x manifest'),
        }),
      ],
    });
    expect(verify('--platform', 'linux/s390x').stdout).toContain('platform linux/s390x: DENIED');
  });

  it('refuses malformed platforms, all beside others, and platforms of a non-image, as usage errors', () => {
    expect(expectOneLineError(verify('--platform', 'linux'))).toContain('at --platform');
    expectOneLineError(verify('--platform', 'all', '--platform', 'linux/amd64'));
    const file = spawnVouch([
      'verify',
      '--policy',
      policy,
      '--artifact',
      `sha256:${'0'.repeat(64)}`,
      '--attestations',
      policy,
      '--platform',
      'linux/amd64',
    ]);
    expect(expectOneLineError(file)).toContain('only for an image');
  });
});
