import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeToBundle } from '../../src/attestation/bundle.js';
import type { DigestSet } from '../../src/attestation/digest-set.js';
import { envelopeToJson, signEnvelope } from '../../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/attestation/envelope.js';
import { STATEMENT_V1 } from '../../src/attestation/statement.js';
import {
  generateKeyPair,
  type KeygenAlgorithm,
  loadPrivateKey,
  type PrivateKey,
} from '../../src/crypto/keys.js';
import { type CompiledPolicy, compilePolicy } from '../../src/policy/compile.js';

export const PROVENANCE = 'https://slsa.dev/provenance/v1';
export const VULN_REVIEW = 'https://vouch.dev/attestation/vuln-review/v1';
export const VULNS = 'https://in-toto.io/attestation/vulns/v0.2';
export const TEST_RESULT = 'https://in-toto.io/attestation/test-result/v0.1';

export interface TestKey {
  /** The private key; `key.publicKey` is its public half. */
  readonly key: PrivateKey;
  readonly keyid: string;
  /** The public key as SPKI PEM. */
  readonly pem: string;
}

/** A fresh key pair, in memory: the one way tests make keys. */
export function makeKey(alg: KeygenAlgorithm = 'ecdsa-p256'): TestKey {
  const pair = generateKeyPair(alg);
  return {
    key: loadPrivateKey(pair.privatePem),
    keyid: pair.keyid,
    pem: pair.publicPem,
  };
}

/** Paths of a key pair on disk, as `vouch keygen --out PREFIX` writes it. */
export interface KeyFiles {
  readonly prefix: string;
  /** PREFIX.key: PKCS#8 PEM, mode 0600. */
  readonly key: string;
  /** PREFIX.pub: SPKI PEM. */
  readonly pub: string;
  readonly keyid: string;
}

/** A fresh key pair written to DIR/NAME.key and DIR/NAME.pub (the private key encrypted with `passphrase`). */
export function makeKeyFiles(
  dir: string,
  name: string,
  options: { readonly alg?: KeygenAlgorithm; readonly passphrase?: string } = {},
): KeyFiles {
  const pair = generateKeyPair(options.alg ?? 'ecdsa-p256', options.passphrase);
  const prefix = join(dir, name);
  writeFileSync(`${prefix}.key`, pair.privatePem, { mode: 0o600 });
  writeFileSync(`${prefix}.pub`, pair.publicPem);
  return { prefix, key: `${prefix}.key`, pub: `${prefix}.pub`, keyid: pair.keyid };
}

/** sha256 (and sha512) of some bytes, as an artifact digest set. */
export function digestOf(content: string): { sha256: string; sha512: string } {
  return {
    sha256: createHash('sha256').update(content).digest('hex'),
    sha512: createHash('sha512').update(content).digest('hex'),
  };
}

export function statementJson(
  subject: DigestSet,
  predicateType: string,
  predicate: Record<string, unknown>,
  name = 'app.tar.gz',
): string {
  return JSON.stringify({
    _type: STATEMENT_V1,
    subject: [{ name, digest: subject }],
    predicateType,
    predicate,
  });
}

/** A DSSE envelope over exactly these payload bytes, one signature per key. */
export function dsse(
  payload: string,
  keys: readonly TestKey[],
  payloadType = IN_TOTO_PAYLOAD_TYPE,
): string {
  const envelope = signEnvelope(
    payloadType,
    Buffer.from(payload),
    keys.map((k) => k.key),
  );
  return JSON.stringify(envelopeToJson(envelope));
}

/** A keyed Sigstore bundle v0.3 over these payload bytes. */
export function bundle(payload: string, key: TestKey): string {
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(payload), [key.key]);
  return JSON.stringify(envelopeToBundle(envelope, key.keyid));
}

export function provenance(repository = 'https://github.com/acme/app', finishedOn?: string) {
  return {
    buildDefinition: {
      buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
      externalParameters: { workflow: { ref: 'refs/heads/main', repository, path: 'release.yml' } },
    },
    runDetails: {
      builder: { id: 'https://github.com/actions/runner' },
      metadata: finishedOn === undefined ? {} : { finishedOn },
    },
  };
}

export function review(reviewedAt: string, decision = 'approved', critical = 0) {
  return {
    reviewer: { id: 'alice@example.com' },
    reviewedAt,
    decision,
    summary: { critical, high: 0, medium: 1, low: 2, unknown: 0, total: 3 },
  };
}

/** Compiles a policy given as an object; keys are inlined PEM. */
export function policyOf(spec: Record<string, unknown>, name = 'test'): CompiledPolicy {
  return compilePolicy(
    {
      name: 'policy.json',
      text: JSON.stringify({ apiVersion: 'vouch/v1', kind: 'Policy', metadata: { name }, spec }),
      format: 'json',
    },
    {
      readKeyFile: () => {
        throw new Error('tests inline their keys');
      },
    },
  );
}

export function authority(...keys: TestKey[]): { keys: { pem: string }[] } {
  return { keys: keys.map((k) => ({ pem: k.pem })) };
}
