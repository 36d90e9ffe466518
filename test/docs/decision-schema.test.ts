import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DECISION_SCHEMA_VERSION, REJECTION_CODES } from '../../src/policy/decision.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { OciRegistry } from '../../src/sources/oci/registry.js';
import { verify } from '../../src/verify.js';
import { runCli } from '../support/cli.js';
import { REPO } from '../support/paths.js';
import { EVALUATED_AT, type PolicyDir, writePolicyDir } from '../support/policy-dir.js';
import {
  authority,
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  policyOf,
  provenance,
  statementJson,
} from '../support/signing.js';

// docs/decision.schema.json is the published contract of `vouch verify --output json`. zod
// compiles the schema file itself (z.fromJSONSchema), so what is checked is what is published.
const schemaText = readFileSync(join(REPO, 'docs', 'decision.schema.json'), 'utf8');
const schema = JSON.parse(schemaText) as {
  $schema: string;
  properties: { schemaVersion: { const: string } };
  $defs: { rejection: { properties: { code: { enum: string[] } } } };
};
const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);

function problems(value: unknown): string[] {
  const result = validator.safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((i) => `${i.code} at ${i.path.join('.')}: ${i.message}`);
}

let p: PolicyDir;
beforeAll(() => {
  p = writePolicyDir();
});
afterAll(() => rmSync(p.dir, { recursive: true, force: true }));

async function decisionJson(...args: string[]): Promise<unknown> {
  const result = await runCli(
    'verify',
    '--policy',
    p.policy,
    '--at',
    EVALUATED_AT,
    '--output',
    'json',
    ...args,
  );
  expect(result.code, result.stderr).toBeLessThan(2);
  return JSON.parse(result.stdout);
}

describe('docs/decision.schema.json', () => {
  it('is JSON Schema draft 2020-12 and names the version and reason codes the code writes', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.schemaVersion.const).toBe(DECISION_SCHEMA_VERSION);
    expect(schema.$defs.rejection.properties.code.enum).toEqual([...REJECTION_CODES]);
  });

  describe('when vouch verify prints real decisions', () => {
    it('an allow, with counted files, a bundle and .jsonl lines, conforms', async () => {
      const decision = await decisionJson(
        '--artifact',
        p.artifact,
        '--attestations',
        p.provenance,
        p.reviews,
        p.jsonl,
      );
      expect(decision).toMatchObject({ allowed: true });
      expect(problems(decision)).toEqual([]);
      expect(JSON.stringify(decision)).toContain(`"source":"${p.jsonl}#L2"`);
    });

    it('a deny with every kind of rejection the fixture makes conforms', async () => {
      const decision = await decisionJson(
        '--artifact',
        p.artifact,
        '--attestations',
        p.provenance,
        p.expired,
        p.jsonl,
        join(p.reviews, 'alice.dsse.json'),
      );
      expect(decision).toMatchObject({ allowed: false });
      const codes = JSON.stringify(decision).match(/"code":"[A-Z_]+"/g) ?? [];
      expect(new Set(codes)).toEqual(
        new Set(
          ['UNTRUSTED_SIGNER', 'EXPIRED', 'MALFORMED', 'BELOW_THRESHOLD'].map(
            (c) => `"code":"${c}"`,
          ),
        ),
      );
      expect(problems(decision)).toEqual([]);
    });

    it('a deny for another artifact (SUBJECT_MISMATCH, no name) conforms', async () => {
      const decision = await decisionJson(
        '--artifact',
        `sha256:${'0'.repeat(64)}`,
        '--attestations',
        p.provenance,
        p.reviews,
      );
      expect(JSON.stringify(decision)).toContain('"code":"SUBJECT_MISMATCH"');
      expect(problems(decision)).toEqual([]);
    });
  });

  it('a library decision over bytes alone (source null) conforms', () => {
    const builder = makeKey();
    const digest = digestOf('lib');
    const decision = evaluatePolicy(
      policyOf({
        authorities: { builder: authority(builder) },
        requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
      }),
      {
        artifact: { digest },
        documents: [{ bytes: dsse(statementJson(digest, PROVENANCE, provenance()), [builder]) }],
        at: new Date(EVALUATED_AT),
      },
    );
    expect(decision.requirements[0]?.satisfiedBy[0]?.source).toBeNull();
    expect(problems(JSON.parse(JSON.stringify(decision)))).toEqual([]);
  });

  it('a decision with skipped entries and a failed source conforms', async () => {
    const builder = makeKey();
    const digest = digestOf('lib');
    const { decision } = await verify({
      policy: policyOf({
        authorities: { builder: authority(builder) },
        requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
      }),
      artifact: `sha256:${digest.sha256}`,
      sources: [
        {
          documents: async () => ({
            documents: [
              {
                bytes: Buffer.from(
                  dsse(statementJson(digest, PROVENANCE, provenance()), [builder]),
                ),
                source: 'a.json',
              },
            ],
            skipped: [{ source: 'fifo', reason: 'not a regular file (FIFO)' }],
            failures: [
              {
                source: 'oci://r.example/app (referrers)',
                code: 'REGISTRY_UNAVAILABLE',
                message: 'no answer',
              },
            ],
          }),
        },
      ],
      at: new Date(EVALUATED_AT),
    });
    expect(decision).toMatchObject({ allowed: true, skipped: [{}], sourceFailures: [{}] });
    expect(problems(JSON.parse(JSON.stringify(decision)))).toEqual([]);
    const broken = JSON.parse(JSON.stringify(decision)) as { sourceFailures: { code?: string }[] };
    delete broken.sourceFailures[0]?.code;
    expect(problems(broken)).not.toEqual([]);
  });

  it('a deny for an image the registry could not resolve (no digest) conforms', async () => {
    const registry = new OciRegistry({
      plainHttp: true,
      timeouts: { requestTimeoutMs: 500, deadlineMs: 1500 },
      backoffMs: 10,
      maxBackoffMs: 20,
    });
    try {
      const { decision } = await verify({
        policy: policyOf({
          authorities: { builder: authority(makeKey()) },
          requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
        }),
        artifact: 'oci://127.0.0.1:1/acme/app:v1',
        sources: [],
        at: new Date(EVALUATED_AT),
        registry,
      });
      expect(decision).toMatchObject({ allowed: false, artifact: { digest: {} } });
      expect(decision.sourceFailures?.[0]?.code).toBe('REGISTRY_UNAVAILABLE');
      expect(problems(JSON.parse(JSON.stringify(decision)))).toEqual([]);
    } finally {
      registry.close();
    }
  });

  describe('when a decision strays from the contract, the schema says so', () => {
    let allowed: Record<string, unknown>;
    beforeAll(async () => {
      allowed = (await decisionJson(
        '--artifact',
        p.artifact,
        '--attestations',
        p.provenance,
        p.reviews,
      )) as Record<string, unknown>;
    });
    const entry = (d: Record<string, unknown>) =>
      (d.requirements as { satisfiedBy: Record<string, unknown>[] }[])[0]?.satisfiedBy[0] ?? {};

    it.each<[string, (d: Record<string, unknown>) => void]>([
      [
        'the old bare keyid signer',
        (d) => {
          const e = entry(d);
          e.keyid = (e.signer as { id: string }).id;
          delete e.signer;
        },
      ],
      [
        'a signer of unknown kind',
        (d) => {
          (entry(d).signer as { kind: string }).kind = 'certificate';
        },
      ],
      [
        'an entry without source',
        (d) => {
          delete entry(d).source;
        },
      ],
      [
        'another schema version',
        (d) => {
          d.schemaVersion = 'vouch.dev/decision/v2';
        },
      ],
      [
        'a field the schema does not name',
        (d) => {
          d.verdict = 'allow';
        },
      ],
      [
        'an upper-case digest',
        (d) => {
          d.policyDigest = { sha256: 'AB' };
        },
      ],
      [
        'a time that is not RFC 3339',
        (d) => {
          d.evaluatedAt = 'yesterday';
        },
      ],
      [
        'allowed as a string',
        (d) => {
          d.allowed = 'true';
        },
      ],
    ])('%s is rejected', (_what, mutate) => {
      expect(problems(allowed)).toEqual([]);
      const copy = structuredClone(allowed);
      mutate(copy);
      expect(problems(copy)).not.toEqual([]);
    });
  });
});
