import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { sigstoreBundleFromJson } from '../src/attestation/bundle.js';
import { parseStrictJson } from '../src/encoding/strict-json.js';
import { verifyBundleEvidence } from '../src/trust/bundle-evidence.js';
import { compileIdentity } from '../src/trust/identity.js';
import { parseTrustedRoot } from '../src/trust/trusted-root.js';
import {
  type Contender,
  compare,
  type Measurement,
  pairedRatio,
  type Ratio,
  type Suite,
} from './harness.js';

export const VOUCH = 'vouch';
export const SIGSTORE = '@sigstore/verify';
export const TARGET = 0.9;

const GITHUB = 'https://token.actions.githubusercontent.com';

/** Real keyless DSSE bundles from the shared corpus, each with the identity that signed it. */
const BUNDLES = [
  {
    group: 'github-attestation',
    path: ['slsa-verifier', 'cli', 'slsa-verifier', 'testdata', 'bcr', 'MODULE.bazel.intoto.jsonl'],
    subject:
      'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1',
  },
  {
    group: 'conformance-dsse',
    path: [
      'sigstore-conformance',
      'assets',
      'bundle-verify',
      'happy-path-intoto-in-dsse-v3',
      'bundle.sigstore.json',
    ],
    subject:
      'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  },
] as const;

// `npm run bench` runs in the repository; the corpus sits beside it (DESIGN.md section 10).
const VECTORS = process.env.VOUCH_VECTORS ?? resolve('..', 'shared', 'vectors');
const ROOT = join(VECTORS, 'sigstore-trust-roots', 'production', 'trusted_root.json');

function contenders(bytes: Buffer, subject: string, rootBytes: Buffer): Contender[] {
  const root = parseTrustedRoot(rootBytes, 'production');
  const identity = compileIdentity({ issuer: GITHUB, subject });
  // @sigstore/verify as its users run it: the default thresholds (one tlog entry, one SCT,
  // one timestamp) and a certificate identity policy (its SAN is a pattern: anchored here).
  const verifier = new Verifier(
    toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(rootBytes.toString('utf8')))),
  );
  const policy = {
    subjectAlternativeName: `^${subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
    extensions: { issuer: GITHUB },
  };
  return [
    {
      name: VOUCH,
      op: () => {
        const bundle = sigstoreBundleFromJson(parseStrictJson(bytes));
        const { signer } = verifyBundleEvidence(bundle, { root });
        return (
          signer.kind === 'certificate' &&
          signer.identity !== undefined &&
          identity.mismatch(signer.identity) === undefined
        );
      },
    },
    {
      name: SIGSTORE,
      op: () => {
        verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(bytes.toString('utf8')))), policy);
        return true;
      },
    },
  ];
}

function find(measurements: readonly Measurement[], contender: string): Measurement {
  const m = measurements.find((x) => x.contender === contender);
  if (m === undefined) throw new Error(`no measurement for ${contender}`);
  return m;
}

export const keylessSuite: Suite = {
  name: 'keyless',
  description:
    'keyless Sigstore bundle verifications per second (chain, SCT, tlog, identity) on real bundles',
  run(options, log) {
    const measurements: Measurement[] = [];
    const ratios: Ratio[] = [];
    if (!existsSync(ROOT)) {
      log(`keyless: skipped, no corpus at ${VECTORS} (set VOUCH_VECTORS)`);
      return { suite: this.name, description: this.description, measurements, ratios };
    }
    const rootBytes = readFileSync(ROOT);
    for (const b of BUNDLES) {
      const bytes = readFileSync(join(VECTORS, ...b.path));
      log(`keyless ${b.group}: bundle ${bytes.byteLength} B`);
      const results = compare(b.group, contenders(bytes, b.subject, rootBytes), options);
      measurements.push(...results);
      ratios.push({
        name: `${b.group} ${VOUCH}/${SIGSTORE}`,
        value: pairedRatio(find(results, VOUCH), find(results, SIGSTORE)),
        target: { op: '>=', value: TARGET },
      });
    }
    return { suite: this.name, description: this.description, measurements, ratios };
  },
};
