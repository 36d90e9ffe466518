/**
 * Policy evaluation benchmark: decisions per second for a 3-requirement policy over 10
 * attestations (4 valid, 6 invalid), next to the raw node:crypto bound for the very same
 * signature checks measured in the same run, and a scale curve from 1 to 10,000 attestations.
 */
import { createHash, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseSignedDocument } from '../src/attestation/attestation.js';
import { envelopeToJson, signEnvelope } from '../src/attestation/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../src/attestation/envelope.js';
import { pae } from '../src/attestation/pae.js';
import {
  generateKeyPair,
  loadPrivateKey,
  type PrivateKey,
  type PublicKey,
} from '../src/crypto/keys.js';
import { type CompiledPolicy, compilePolicy } from '../src/policy/compile.js';
import type { Artifact } from '../src/policy/decision.js';
import { evaluatePolicy } from '../src/policy/evaluate.js';
import {
  atLeast,
  type BenchOptions,
  compare,
  type Measurement,
  median,
  pairedRatio,
  type Suite,
  type SuiteResult,
} from './harness.js';

const PROVENANCE = 'https://slsa.dev/provenance/v1';
const VULNS = 'https://in-toto.io/attestation/vulns/v0.2';
const REVIEW = 'https://vouch.dev/attestation/vuln-review/v1';
const AT = new Date('2026-11-23T10:00:00Z');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const APP = { sha256: sha256('app'), sha512: createHash('sha512').update('app').digest('hex') };
const OTHER = { sha256: sha256('other') };
const artifact: Artifact = { name: 'app.tar.gz', digest: APP };

interface Signer {
  readonly key: PrivateKey;
  readonly pem: string;
}

function signer(): Signer {
  const pair = generateKeyPair('ecdsa-p256');
  return { key: loadPrivateKey(pair.privatePem), pem: pair.publicPem };
}

const builder = signer();
const scanner = signer();
const alice = signer();
const bob = signer();
const mallory = signer();

const policy: CompiledPolicy = compilePolicy(
  {
    name: 'bench.json',
    format: 'json',
    text: JSON.stringify({
      apiVersion: 'vouch/v1',
      kind: 'Policy',
      metadata: { name: 'bench' },
      spec: {
        authorities: {
          builder: { keys: [{ pem: builder.pem }] },
          scanner: { keys: [{ pem: scanner.pem }] },
          security: { keys: [{ pem: alice.pem }, { pem: bob.pem }] },
        },
        requirements: [
          {
            name: 'provenance',
            predicateType: PROVENANCE,
            signers: ['builder'],
            condition:
              'predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"',
          },
          {
            name: 'scan',
            predicateType: VULNS,
            signers: ['scanner'],
            maxAge: '24h',
            condition: 'predicate.scanner.uri == "pkg:github/anchore/grype"',
          },
          {
            name: 'vuln-review',
            predicateType: REVIEW,
            signers: ['security'],
            threshold: 2,
            maxAge: '168h',
            condition: 'predicate.decision == "approved" && predicate.summary.critical == 0',
          },
        ],
      },
    }),
  },
  { readKeyFile: () => '' },
);

type Kind =
  | 'provenance'
  | 'scan'
  | 'review-alice'
  | 'review-bob'
  | 'malformed'
  | 'tampered'
  | 'untrusted'
  | 'expired'
  | 'replay'
  | 'rejected';

/** The 10-attestation mix: 4 that count, 6 that do not, each for a different reason. */
const MIX: readonly Kind[] = [
  'provenance',
  'scan',
  'review-alice',
  'review-bob',
  'malformed',
  'tampered',
  'untrusted',
  'expired',
  'replay',
  'rejected',
];

function statement(subject: Record<string, string>, type: string, predicate: object): string {
  return JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app.tar.gz', digest: subject }],
    predicateType: type,
    predicate,
  });
}

const provenance = (nonce: number) => ({
  buildDefinition: {
    buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
    externalParameters: {
      workflow: {
        ref: 'refs/heads/main',
        repository: 'https://github.com/acme/app',
        path: 'release.yml',
      },
    },
    internalParameters: { github: { event_name: 'push', repository_id: '1', run: nonce } },
    resolvedDependencies: Array.from({ length: 6 }, (_, i) => ({
      uri: `git+https://github.com/acme/dep${i}@refs/heads/main`,
      digest: { gitCommit: sha256(`${i}`).slice(0, 40) },
    })),
  },
  runDetails: {
    builder: { id: 'https://github.com/actions/runner/github-hosted' },
    metadata: { invocationId: `run-${nonce}`, finishedOn: '2026-11-23T09:00:00Z' },
  },
});
const scan = (nonce: number) => ({
  scanner: {
    uri: 'pkg:github/anchore/grype',
    version: '0.80.0',
    db: { uri: 'grype-db', version: `${nonce}` },
    result: [],
  },
  metadata: { scanStartedOn: '2026-11-23T08:00:00Z', scanFinishedOn: '2026-11-23T08:01:00Z' },
});
const review = (nonce: number, reviewedAt: string, decision = 'approved') => ({
  reviewer: { id: 'alice@example.com' },
  reviewedAt,
  decision,
  scan: {
    attestation: `sha256:${sha256(`${nonce}`)}`,
    scanner: { name: 'grype', version: '0.80.0' },
  },
  summary: { critical: 0, high: 1, medium: 3, low: 7, unknown: 0, total: 11 },
  note: `review ${nonce}`,
});

function sign(payload: string, by: Signer): string {
  return JSON.stringify(
    envelopeToJson(signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(payload), [by.key])),
  );
}

/** One distinct document of a kind (the nonce makes every digest different). */
function make(kind: Kind, nonce: number): string {
  switch (kind) {
    case 'provenance':
      return sign(statement(APP, PROVENANCE, provenance(nonce)), builder);
    case 'scan':
      return sign(statement(APP, VULNS, scan(nonce)), scanner);
    case 'review-alice':
      return sign(statement(APP, REVIEW, review(nonce, '2026-11-22T10:00:00Z')), alice);
    case 'review-bob':
      return sign(statement(APP, REVIEW, review(nonce, '2026-11-21T10:00:00Z')), bob);
    case 'malformed':
      return `{"payloadType":"application/vnd.in-toto+json","payload":"${nonce}"`;
    case 'tampered': {
      const env = JSON.parse(
        sign(statement(APP, REVIEW, review(nonce, '2026-11-22T10:00:00Z', 'rejected')), alice),
      );
      env.payload = Buffer.from(
        statement(APP, REVIEW, review(nonce, '2026-11-22T10:00:00Z')),
      ).toString('base64');
      return JSON.stringify(env);
    }
    case 'untrusted':
      return sign(statement(APP, REVIEW, review(nonce, '2026-11-22T10:00:00Z')), mallory);
    case 'expired':
      return sign(statement(APP, REVIEW, review(nonce, '2026-11-01T10:00:00Z')), alice);
    case 'replay':
      return sign(statement(OTHER, PROVENANCE, provenance(nonce)), builder);
    case 'rejected':
      return sign(statement(APP, REVIEW, review(nonce, '2026-11-22T10:00:00Z', 'rejected')), bob);
    default: {
      const never: never = kind;
      throw new Error(`unknown kind ${String(never)}`);
    }
  }
}

interface Check {
  readonly key: PublicKey;
  readonly message: Buffer;
  readonly sig: Buffer;
}

/**
 * The signature checks evaluation performs for these documents, in its order (DSSE: the key
 * the hint names first, then every other policy key until one verifies), so the bound is the
 * same work done with bare node:crypto.
 */
function signatureChecks(documents: readonly string[]): Check[] {
  const checks: Check[] = [];
  for (const bytes of documents) {
    let envelope: ReturnType<typeof parseSignedDocument>['envelope'];
    try {
      envelope = parseSignedDocument(bytes).envelope;
    } catch {
      continue;
    }
    const message = pae(envelope.payloadType, envelope.payload);
    for (const { keyid, sig } of envelope.signatures) {
      const hinted = policy.keys.filter((k) => k.keyid === keyid);
      for (const key of [...hinted, ...policy.keys.filter((k) => k.keyid !== keyid)]) {
        checks.push({ key, message, sig });
        if (verify('sha256', message, key.keyObject, sig)) break;
      }
    }
  }
  return checks;
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** Runs the same signature checks with bare node:crypto (the bound for the engine). */
function rawChecks(checks: readonly Check[]): boolean {
  let ok = false;
  for (const c of checks) ok = verify('sha256', c.message, c.key.keyObject, c.sig) || ok;
  return ok;
}

interface ScalePoint {
  readonly engine: Measurement;
  readonly bound: Measurement;
  readonly ratio: number;
}

/**
 * Attestations per second for one decision over `size` attestations, next to the raw bound for
 * the signature checks of the very same documents, each run of one followed by a run of the
 * other (a decision over 10,000 takes too long for the timed rounds of compare()).
 */
function scalePoint(size: number, log: (line: string) => void): ScalePoint {
  const documents = Array.from({ length: size }, (_, i) => ({
    bytes: make(MIX[i % MIX.length] ?? 'provenance', 1000 + i),
  }));
  const checks = signatureChecks(documents.map((d) => d.bytes));
  const runs = Math.max(3, Math.floor(3000 / size));
  const engine: number[] = [];
  const bound: number[] = [];
  const engineCpu: number[] = [];
  const boundCpu: number[] = [];
  const timed = (op: () => unknown, wall: number[], cpu: number[]): void => {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    op();
    const used = process.cpuUsage(cpuStart);
    wall.push((size * 1000) / (performance.now() - start));
    cpu.push((size * 1e6) / (used.user + used.system || 1));
  };
  for (let r = 0; r < runs; r++) {
    timed(() => evaluatePolicy(policy, { artifact, documents, at: AT }), engine, engineCpu);
    timed(() => rawChecks(checks), bound, boundCpu);
  }
  const input = documents.reduce((n, d) => n + d.bytes.length, 0);
  log(`scale ${size}: input ${mib(input)} MiB, ${checks.length} signature checks per decision`);
  const measurement = (contender: string, rounds: number[], cpu: number[]): Measurement => ({
    group: `scale ${size}`,
    contender,
    opsPerSec: median(rounds),
    rounds,
    opsPerCpuSec: median(cpu),
  });
  const ratio = median(engine.map((rate, i) => rate / (bound[i] ?? Number.NaN)));
  return {
    engine: measurement('vouch attestations/s', engine, engineCpu),
    bound: measurement('raw node:crypto attestations/s', bound, boundCpu),
    ratio,
  };
}

const SCALE_SIZES = [1, 10, 100, 1000, 10000];

export const policySuite: Suite = {
  name: 'policy',
  description:
    'decisions/s, 3 requirements over 10 attestations (4 count, 6 rejected) vs the raw node:crypto bound for the same signature checks; scale curve in attestations/s, each size against its own raw bound',
  run(options: BenchOptions, log: (line: string) => void): SuiteResult {
    const documents = MIX.map((kind, i) => ({ bytes: make(kind, i) }));
    const checks = signatureChecks(documents.map((d) => d.bytes));
    log(`policy: ${checks.length} ECDSA P-256 signature checks per decision`);
    const [engine, bound] = compare(
      '10 attestations',
      [
        {
          name: 'vouch decision',
          op: () => evaluatePolicy(policy, { artifact, documents, at: AT }).allowed,
        },
        {
          name: `raw node:crypto (${checks.length} verifies)`,
          op: () => rawChecks(checks),
        },
      ],
      options,
    );
    if (engine === undefined || bound === undefined) throw new Error('policy: no measurements');
    const sizes = SCALE_SIZES.filter((n) => n <= options.scaleMax);
    const scale = sizes.map((size) => scalePoint(size, log));
    const first = scale[1];
    const last = scale.at(-1);
    return {
      suite: 'policy',
      description: this.description,
      measurements: [engine, bound, ...scale.flatMap((p) => [p.engine, p.bound])],
      ratios: [
        {
          name: 'vouch decision/raw node:crypto',
          value: pairedRatio(engine, bound),
          target: atLeast(0.8),
        },
        ...scale.map((p, i) => ({
          name: `scale ${sizes[i]}: vouch/raw node:crypto`,
          value: p.ratio,
        })),
        {
          name: `scale: attestations/s at ${sizes.at(-1)} vs at ${sizes[1]} (1.0 = linear)`,
          value: (last?.engine.opsPerSec ?? 0) / (first?.engine.opsPerSec ?? 1),
        },
      ],
    };
  },
};
