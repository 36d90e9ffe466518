/**
 * The webhook bench's installation and requests: keys, a policy, signed provenance (in a
 * directory or pushed to a loopback registry), TLS, a ServerConfig, and AdmissionReview bodies
 * shaped as the apiserver sends them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeToJson, signEnvelope } from '../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../src/attestation/envelope.js';
import { buildStatement } from '../src/attestation/statement.js';
import { type GeneratedKeyPair, generateKeyPair, loadPrivateKey } from '../src/crypto/keys.js';
import { RegistryClient } from '../src/sources/oci/client.js';
import { Deadline } from '../src/sources/oci/deadline.js';
import { MEDIA_TYPE } from '../src/sources/oci/media-types.js';
import { OciRegistry } from '../src/sources/oci/registry.js';
import { writeSelfSigned } from '../test/support/self-signed.js';

export const IMAGES = 20;
/** Attestations in the store besides each image's own provenance: other images' noise. */
export const NOISE = 30;
/** The large admission of the mixed phase: images, and attestations of each to verify. */
export const LARGE_IMAGES = 16;
export const LARGE_DOCUMENTS = 64;
/**
 * The mixed phase's documents cache: room for the small pods' documents, not for the large
 * admission's, so each large admission verifies all of its documents again (and evicts the
 * small pods' few, which the next small admissions verify again: a small, honest cost).
 */
export const MIXED_CACHED_DOCUMENTS = 64;

/** A loopback registry holding the bench images (by tag) and their provenance (as referrers). */
export interface RegistryTarget {
  readonly host: string;
  readonly key: GeneratedKeyPair;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const digestOf = (i: number) => sha256(`bench image ${i}`);
const largeDigestOf = (i: number) => sha256(`bench large image ${i}`);

/**
 * How the installation caches: warm, cold (off), mixed (documents cache too small for the
 * large admission); attestations in the registry, cached or not.
 */
export type Caching = 'on' | 'off' | 'mixed' | 'registry' | 'registry-cold';

/** Signed SLSA provenance for one image digest, as the builder of the bench images signs it. */
function provenanceFor(pair: GeneratedKeyPair, subject: string): string {
  const finishedOn = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const statement = buildStatement(
    [{ name: 'ghcr.io/acme/app', digest: { sha256: subject } }],
    'https://slsa.dev/provenance/v1',
    {
      buildDefinition: {
        buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
        externalParameters: {
          workflow: {
            repository: 'https://github.com/acme/app',
            ref: 'refs/heads/main',
            path: 'release.yml',
          },
        },
      },
      runDetails: {
        builder: { id: 'https://github.com/actions/runner' },
        metadata: { finishedOn },
      },
    },
  );
  const key = loadPrivateKey(pair.privatePem);
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), [
    key,
  ]);
  return JSON.stringify(envelopeToJson(envelope));
}

/** Keys, a policy, attestations (local, or already in the registry), TLS and a ServerConfig. */
export function writeInstallation(dir: string, caching: Caching, target?: RegistryTarget): string {
  const pair = target?.key ?? generateKeyPair('ecdsa-p256');
  writeFileSync(join(dir, 'builder.pub'), pair.publicPem);
  writeFileSync(
    join(dir, 'policy.yaml'),
    `apiVersion: vouch/v1
kind: Policy
metadata: {name: bench}
spec:
  authorities: {builder: {keys: [{file: builder.pub}]}}
  requirements:
    - name: provenance
      predicateType: https://slsa.dev/provenance/v1
      signers: [builder]
      maxAge: 720h
      condition: predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"
`,
  );
  const att = join(dir, 'attestations');
  mkdirSync(att, { recursive: true });
  const subjects = target === undefined ? [...Array(IMAGES + NOISE).keys()].map(digestOf) : [];
  if (caching === 'mixed') {
    for (let i = 0; i < LARGE_IMAGES; i++) {
      for (let d = 0; d < LARGE_DOCUMENTS; d++) subjects.push(largeDigestOf(i));
    }
  }
  for (const [i, subject] of subjects.entries()) {
    writeFileSync(join(att, `${i}.dsse.json`), provenanceFor(pair, subject));
  }
  writeSelfSigned(join(dir, 'tls.key'), join(dir, 'tls.crt'), 'bench', ['IP:127.0.0.1']);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `apiVersion: vouch/v1
kind: ServerConfig
spec:
  listen: 127.0.0.1:0
  tls: {cert: tls.crt, key: tls.key}
${
  target === undefined
    ? '  attestations: {registry: false, dirs: [attestations]}'
    : '  registry: {plainHttp: true}\n  attestations: {registry: true, dirs: []}'
}
  cache: {documents: ${CACHED_DOCUMENTS[caching]}, discoveryTTL: ${caching.endsWith('off') || caching.endsWith('cold') ? '0s' : '30s'}}
  imagePolicies:
    - {name: acme, images: ["ghcr.io/acme/**", "127.0.0.1:*/acme/**"], policy: {file: policy.yaml}, mode: enforce}
`,
  );
  return config;
}

const CACHED_DOCUMENTS: Record<Caching, number> = {
  on: 10_000,
  off: 0,
  mixed: MIXED_CACHED_DOCUMENTS,
  registry: 10_000,
  'registry-cold': 0,
};

/** Three of the IMAGES images for pod i, named by `image(n)`. */
export const podImages =
  (image: (n: number) => string) =>
  (i: number): string[] =>
    [0, 1, 2].map((c) => image((i + c * 7) % IMAGES));

export const pinnedImages = podImages((n) => `ghcr.io/acme/app@sha256:${digestOf(n)}`);

/** A pod of three images, as the apiserver sends it. */
export function review(i: number, images: readonly string[]): string {
  const containers = images.map((image, c) => ({ name: `c${c}`, image }));
  return admissionReview(i, 'Pod', { containers });
}

/**
 * Pushes the IMAGES bench images (tags v0..v19, each its own config) into the registry with
 * Vouch's client, and each one's provenance as an OCI 1.1 referrer (with the tag-schema index
 * docker-registry 2.8 needs).
 */
export async function seedRegistry(target: RegistryTarget): Promise<void> {
  const client = new RegistryClient(target.host, { plainHttp: true });
  const oci = new OciRegistry({ plainHttp: true });
  const deadline = Deadline.after(60_000);
  try {
    for (let n = 0; n < IMAGES; n++) {
      const config = Buffer.from(JSON.stringify({ bench: n }));
      const configDigest = await client.pushBlob('acme/app', config, deadline);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPE.ociManifest,
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: configDigest,
            size: config.byteLength,
          },
          layers: [],
        }),
      );
      const { digest } = await client.pushManifest(
        'acme/app',
        `v${n}`,
        manifest,
        MEDIA_TYPE.ociManifest,
        deadline,
      );
      await oci.push(`oci://${target.host}/acme/app@${digest}`, {
        bytes: Buffer.from(provenanceFor(target.key, digest.slice('sha256:'.length))),
        format: 'dsse',
        created: new Date().toISOString(),
      });
    }
  } finally {
    client.close();
    oci.close();
  }
}

/** A Deployment of LARGE_IMAGES images, each with LARGE_DOCUMENTS attestations. */
export function largeReview(i: number): string {
  const containers = [...Array(LARGE_IMAGES).keys()].map((c) => ({
    name: `c${c}`,
    image: `ghcr.io/acme/app@sha256:${largeDigestOf(c)}`,
  }));
  return admissionReview(i, 'Deployment', {
    replicas: 1,
    selector: { matchLabels: { app: 'large' } },
    template: { metadata: { labels: { app: 'large' } }, spec: { containers } },
  });
}

function admissionReview(i: number, kind: 'Pod' | 'Deployment', spec: object): string {
  const group = kind === 'Pod' ? '' : 'apps';
  const version = kind === 'Pod' ? 'v1' : 'apps/v1';
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `bench-${i}`,
      kind: { group, version: 'v1', kind },
      resource: { group, version: 'v1', resource: `${kind.toLowerCase()}s` },
      namespace: 'bench',
      operation: 'CREATE',
      userInfo: { username: 'bench' },
      object: {
        apiVersion: version,
        kind,
        metadata: { name: `p${i}`, namespace: 'bench' },
        spec,
      },
      dryRun: false,
    },
  });
}
