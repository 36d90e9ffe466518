import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceFailure } from '../src/policy/decision.js';
import { evaluatePolicy, type VerifiedDocument } from '../src/policy/evaluate.js';
import { OciRegistry } from '../src/sources/oci/registry.js';
import type { AttestationSource, SourceDocument, SourceRequest } from '../src/sources/source.js';
import { verify } from '../src/verify.js';
import {
  authority,
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  policyOf,
  provenance,
  statementJson,
} from './support/signing.js';
import { tempDir } from './support/temp-dir.js';

const AT = new Date('2026-11-23T10:00:00Z');
const builder = makeKey();
const policy = policyOf({
  authorities: { builder: authority(builder) },
  requirements: [{ name: 'provenance', predicateType: PROVENANCE, signers: ['builder'] }],
});
const CONTENT = 'the app\n';
const digest = digestOf(CONTENT);

/** A source that holds these documents and reports these failures, and records what it was asked. */
function fixedSource(
  documents: readonly SourceDocument[],
  failures: readonly SourceFailure[] = [],
): AttestationSource & { asked: SourceRequest[] } {
  const asked: SourceRequest[] = [];
  return {
    asked,
    async documents(request) {
      asked.push(request);
      return { documents: [...documents], skipped: [], failures: [...failures] };
    },
  };
}

const signed = (subject: Record<string, string>, source: string): SourceDocument => ({
  bytes: Buffer.from(dsse(statementJson(subject, PROVENANCE, provenance()), [builder])),
  source,
});
const REGISTRY_DOWN: SourceFailure = {
  source: 'oci://registry.example/acme/app (referrers)',
  code: 'REGISTRY_UNAVAILABLE',
  message: 'no answer',
};

describe('verify', () => {
  describe('when the artifact is a digest', () => {
    it('decides over the union of every source, and reports the failures of each', async () => {
      const good = fixedSource([signed(digest, 'a.dsse.json')]);
      const down = fixedSource([], [REGISTRY_DOWN]);
      const { decision, examined } = await verify({
        policy,
        artifact: `app@sha256:${digest.sha256}`,
        sources: [down, good],
        at: AT,
      });
      expect(decision.allowed).toBe(true);
      expect(decision.artifact).toEqual({ name: 'app', digest: { sha256: digest.sha256 } });
      expect(decision.sourceFailures).toEqual([REGISTRY_DOWN]);
      expect(examined).toEqual([
        { attestation: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), source: 'a.dsse.json' },
      ]);
      // Local sources are asked before the artifact is known: they hold what they hold.
      expect(good.asked[0]?.artifact).toBeUndefined();
    });

    it('a source that failed is a deny, never an allow, and says so', async () => {
      const { decision } = await verify({
        policy,
        artifact: `sha256:${digest.sha256}`,
        sources: [fixedSource([], [REGISTRY_DOWN])],
        at: AT,
      });
      expect(decision.allowed).toBe(false);
      expect(decision.sourceFailures).toEqual([REGISTRY_DOWN]);
    });

    it('leaves out skipped and sourceFailures when there are none', async () => {
      const { decision } = await verify({
        policy,
        artifact: `sha256:${digest.sha256}`,
        sources: [fixedSource([signed(digest, 'a.dsse.json')])],
        at: AT,
      });
      expect(Object.keys(decision)).not.toContain('skipped');
      expect(Object.keys(decision)).not.toContain('sourceFailures');
    });
  });

  describe('when the artifact is a file', () => {
    it('hashes it with the algorithms the candidate subjects name (sha512 alone, as npm)', async () => {
      const file = join(tempDir(), 'app.tgz');
      writeFileSync(file, CONTENT);
      const { decision } = await verify({
        policy,
        artifact: file,
        sources: [fixedSource([signed({ sha512: digest.sha512 }, 'npm.json#attestations[0]')])],
        at: AT,
      });
      expect(decision.artifact.digest).toEqual(digest);
      expect(decision.allowed).toBe(true);
    });
  });

  describe('when the artifact names an image', () => {
    it('needs a registry to resolve it in', async () => {
      await expect(
        verify({ policy, artifact: 'oci://registry.example/acme/app:v1', sources: [], at: AT }),
      ).rejects.toThrowWithCode('USAGE');
    });

    it("finds an image digest's attestations through the discovery it is given, with the memo", async () => {
      const asked: { digest: string; artifact: unknown }[] = [];
      const memo = new Map<string, VerifiedDocument>();
      const verification = await verify({
        policy,
        artifact: `oci://registry.example/acme/app@sha256:${digest.sha256}`,
        sources: [fixedSource([signed({ sha256: '1'.repeat(64) }, 'local.dsse.json')])],
        at: AT,
        // A digest is used as given: nothing is fetched from the registry.
        registry: new OciRegistry(),
        discover: async (image, request) => {
          asked.push({ digest: image.digest, artifact: request.artifact });
          return {
            documents: [signed(digest, 'oci://registry.example/acme/app@sha256:att')],
            skipped: [],
            failures: [],
          };
        },
        verifiedDocuments: { get: (d) => memo.get(d), set: (d, v) => memo.set(d, v) },
      });
      expect(asked).toEqual([
        {
          digest: `sha256:${digest.sha256}`,
          artifact: {
            name: 'oci://registry.example/acme/app',
            digest: { sha256: digest.sha256 },
          },
        },
      ]);
      expect(verification.decision.allowed).toBe(true);
      expect(memo.size).toBe(2);
      // The candidates of the image, for a second policy over the same evidence.
      expect(verification.documents.map((d) => d.source)).toEqual([
        'oci://registry.example/acme/app@sha256:att',
        'local.dsse.json',
      ]);
    });

    it('refuses platforms for an artifact that is not an image', async () => {
      await expect(
        verify({
          policy,
          artifact: `sha256:${digest.sha256}`,
          sources: [],
          at: AT,
          platforms: ['linux/amd64'],
        }),
      ).rejects.toThrowWithCode('USAGE');
    });

    it('a malformed reference is an input error, not a deny', async () => {
      await expect(
        verify({ policy, artifact: 'oci://Not A Reference', sources: [], at: AT }),
      ).rejects.toThrowWithCode('USAGE');
    });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      verify({
        policy,
        artifact: `sha256:${digest.sha256}`,
        sources: [fixedSource([signed(digest, 'a.dsse.json')])],
        at: AT,
        signal: controller.signal,
      }),
    ).rejects.toThrow();
  });

  it('property: however documents are spread over sources, and whatever fails, the decision is the evaluation of their union', async () => {
    const other = makeKey();
    const pool = [
      signed(digest, 'good'),
      signed({ sha256: '0'.repeat(64) }, 'other-artifact'),
      { bytes: Buffer.from(dsse(statementJson(digest, PROVENANCE, {}), [other])), source: 'x' },
      { bytes: Buffer.from('not json'), source: 'junk' },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ take: fc.subarray(pool), fails: fc.boolean() }), { maxLength: 4 }),
        async (spread) => {
          const sources = spread.map((s) => fixedSource(s.take, s.fails ? [REGISTRY_DOWN] : []));
          const { decision } = await verify({
            policy,
            artifact: `app@sha256:${digest.sha256}`,
            sources,
            at: AT,
          });
          const union = spread.flatMap((s) => s.take);
          const direct = evaluatePolicy(policy, {
            artifact: { name: 'app', digest: { sha256: digest.sha256 } },
            documents: union,
            at: AT,
          });
          expect(decision.allowed).toBe(direct.allowed);
          expect(decision.requirements).toEqual(direct.requirements);
          expect(decision.allowed).toBe(union.some((d) => d.source === 'good'));
        },
      ),
      { numRuns: 50 },
    );
  });
});
