import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { serverVerifiers } from '../../src/server/verifier.js';
import { ANONYMOUS } from '../../src/sources/oci/credentials.js';
import { tempDir } from '../support/cli.js';
import { writeSelfSigned } from '../support/self-signed.js';
import {
  digestOf,
  dsse,
  makeKey,
  PROVENANCE,
  provenance,
  statementJson,
  type TestKey,
} from '../support/signing.js';

export const EVALUATED_AT = new Date('2026-11-23T10:00:00Z');
export const BREAKGLASS = 'https://vouch.dev/attestation/breakglass/v1';

/** Image digests: GOOD has provenance from acme/app, BAD has none, FORK has a fork's. */
export const GOOD = `sha256:${digestOf('app image manifest v1').sha256}`;
export const BAD = `sha256:${digestOf('app image manifest v2').sha256}`;
export const FORK = `sha256:${digestOf('app image manifest fork').sha256}`;

export interface WebhookDir {
  readonly dir: string;
  readonly config: string;
  readonly policy: string;
  readonly attestations: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly builder: TestKey;
  readonly oncall: TestKey;
}

export const POLICY_YAML = `apiVersion: vouch/v1
kind: Policy
metadata: {name: production}
spec:
  authorities:
    builder: {keys: [{file: keys/builder.pub}]}
    oncall: {keys: [{file: keys/oncall.pub}]}
  requirements:
    - name: provenance
      predicateType: ${PROVENANCE}
      signers: [builder]
      maxAge: 720h
      condition: predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"
`;

export function configYaml(
  overrides: { deadline?: string; unmatchedImages?: string; extraPolicies?: string } = {},
): string {
  return `apiVersion: vouch/v1
kind: ServerConfig
spec:
  listen: 127.0.0.1:0
  tls: {cert: tls/tls.crt, key: tls/tls.key}
  deadline: ${overrides.deadline ?? '8s'}
  unmatchedImages: ${overrides.unmatchedImages ?? 'deny'}
  attestations: {registry: false, dirs: [attestations]}
  imagePolicies:
    - name: prod
      images: ["ghcr.io/acme/**"]
      namespaces: {exclude: [kube-system]}
      policy: {file: policy.yaml}
      mode: enforce
      breakglass: {signers: [oncall], maxDuration: 4h}
    - name: staging
      images: ["ghcr.io/acme/staging/**"]
      policy: {file: policy.yaml}
      mode: warn
    - name: vendor
      images: ["registry.example.com/*"]
      policy: {file: policy.yaml}
      mode: audit
${overrides.extraPolicies ?? ''}`;
}

/** A self-signed certificate for 127.0.0.1 (openssl), as cert-manager would mount it. */
export function writeTls(dir: string, cn = 'vouch-webhook'): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  writeSelfSigned(key, cert, cn, ['IP:127.0.0.1', 'DNS:vouch-webhook.vouch-system.svc']);
  return { cert, key };
}

/** A signed provenance attestation for an image digest, as the builder would push it. */
export function provenanceFor(
  key: TestKey,
  digest: string,
  repository = 'https://github.com/acme/app',
): string {
  const subject = { sha256: digest.slice('sha256:'.length) };
  return dsse(
    statementJson(
      subject,
      PROVENANCE,
      provenance(repository, '2026-11-20T09:00:00Z'),
      'ghcr.io/acme/app',
    ),
    [key],
  );
}

export function breakglassFor(
  key: TestKey,
  digest: string,
  predicate: { namespace: string; issuedAt: string; notAfter: string; reason?: string },
): string {
  const subject = { sha256: digest.slice('sha256:'.length) };
  return dsse(
    statementJson(
      subject,
      BREAKGLASS,
      {
        scope: { namespace: predicate.namespace },
        reason: predicate.reason ?? 'INC-4711: payment outage hotfix',
        issuedAt: predicate.issuedAt,
        notAfter: predicate.notAfter,
      },
      'ghcr.io/acme/app',
    ),
    [key],
  );
}

/** A webhook installation on disk: config, policy, keys, attestations and a TLS pair. */
export function writeWebhookDir(config = configYaml()): WebhookDir {
  const dir = tempDir('vouch-webhook-');
  const builder = makeKey();
  const oncall = makeKey('ed25519');
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'builder.pub'), builder.pem);
  writeFileSync(join(dir, 'keys', 'oncall.pub'), oncall.pem);
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, POLICY_YAML);
  const attestations = join(dir, 'attestations');
  mkdirSync(attestations);
  writeFileSync(join(attestations, 'good.dsse.json'), provenanceFor(builder, GOOD));
  writeFileSync(
    join(attestations, 'fork.dsse.json'),
    provenanceFor(builder, FORK, 'https://github.com/evil/app'),
  );
  const tls = writeTls(join(dir, 'tls'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, config);
  return {
    dir,
    config: configPath,
    policy,
    attestations,
    tlsCert: tls.cert,
    tlsKey: tls.key,
    builder,
    oncall,
  };
}

/**
 * The verifier `vouch serve` builds, with no registry login. The configurations of these tests
 * pin images by digest and search no registry, so it never opens a connection.
 */
export const verifierFor = serverVerifiers({ credentials: ANONYMOUS }).verifierFor;

/** A pino logger whose JSON lines the test reads back. */
export function capturedLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}
