import { spawnSync } from 'node:child_process';
import { documentSigners, parseSignedDocument } from '../src/attestation/attestation.js';
import { signStatement } from '../src/attestation/produce.js';
import { STATEMENT_V1, type Statement } from '../src/attestation/statement.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../src/crypto/keys.js';
import { RegistryClient } from '../src/sources/oci/client.js';
import { Deadline } from '../src/sources/oci/deadline.js';
import { MEDIA_TYPE } from '../src/sources/oci/media-types.js';
import { OciRegistry } from '../src/sources/oci/registry.js';
import { REGISTRY_BIN, startRegistry } from '../test/support/registry.js';
import { atMost, type BenchOptions, type Ratio, type Suite, skippedSuite } from './harness.js';

// Discovery + signature verification of an image with 10 attestations on a loopback
// docker-registry 2.8 (no referrers API: the tag-schema path), cold (a new client: new
// connections) and warm (one client reused: keep-alive), counting requests per decision.

const ATTESTATIONS = 10;

/**
 * The fewest requests a decision can take on a registry without the referrers API (DESIGN.md
 * section 9): the tag resolved to its manifest (1), the referrers API asked (1, a 404 here),
 * the referrers tag-schema index (1), cosign's `.att` tag (1, a 404 here), then per
 * attestation its manifest and its one layer (2 each). No request may be spent twice.
 */
const MIN_REQUESTS = 4 + 2 * ATTESTATIONS;

interface RegistryBenchCase {
  readonly name: string;
  readonly medianMs: number;
  readonly requests: number;
  readonly connections: number;
}

/** True when Debian's docker-registry can be started here. */
function registryInstalled(): boolean {
  return spawnSync(REGISTRY_BIN, ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Runs the registry benchmark; `rounds` decisions per case. */
async function runRegistryBench(
  rounds: number,
  log: (line: string) => void,
): Promise<RegistryBenchCase[]> {
  const registry = await startRegistry('anonymous');
  const { host } = registry;
  try {
    const pair = generateKeyPair('ecdsa-p256');
    const key = loadPrivateKey(pair.privatePem);
    const trusted = [loadPublicKey(pair.publicPem)];
    // The image: an empty config and no layers, pushed with Vouch's own client.
    const setup = new RegistryClient(host, { plainHttp: true });
    const deadline = Deadline.after(30_000);
    const config = await setup.pushBlob('bench/app', Buffer.from('{}'), deadline);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
        layers: [],
      }),
    );
    const { digest } = await setup.pushManifest(
      'bench/app',
      'v1',
      manifest,
      MEDIA_TYPE.ociManifest,
      deadline,
    );
    setup.close();
    const oci = new OciRegistry({ plainHttp: true });
    for (let i = 0; i < ATTESTATIONS; i++) {
      const statement: Statement = {
        _type: STATEMENT_V1,
        subject: [{ name: 'app', digest: { sha256: digest.slice(7) } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: { i },
      };
      await oci.push(`oci://${host}/bench/app@${digest}`, {
        bytes: Buffer.from(signStatement(statement, key, 'bundle')),
        format: 'bundle',
        predicateType: statement.predicateType,
        created: new Date().toISOString(),
      });
    }
    oci.close();
    const ref = `oci://${host}/bench/app:v1`;
    const decide = async (client: OciRegistry): Promise<void> => {
      const found = await client.discover(ref);
      if (found.documents.length !== ATTESTATIONS || found.failures.length > 0)
        throw new Error('bench: discovery incomplete');
      for (const doc of found.documents) {
        if (documentSigners(parseSignedDocument(doc.bytes), trusted).length !== 1)
          throw new Error('bench: signature did not verify');
      }
    };
    const measure = async (name: string, fresh: boolean): Promise<RegistryBenchCase> => {
      const times: number[] = [];
      let shared = new OciRegistry({ plainHttp: true });
      await decide(shared); // warm-up, and the warm case's open connections
      let requests = 0;
      let connections = 0;
      for (let r = 0; r < rounds; r++) {
        if (fresh) {
          shared.close();
          shared = new OciRegistry({ plainHttp: true });
        }
        const start = shared.stats();
        const t = performance.now();
        await decide(shared);
        times.push(performance.now() - t);
        const end = shared.stats();
        requests += end.requests - start.requests;
        connections += end.connections - start.connections;
      }
      shared.close();
      times.sort((a, b) => a - b);
      const result = {
        name,
        medianMs: times[Math.floor(times.length / 2)] ?? 0,
        requests: requests / rounds,
        connections: connections / rounds,
      };
      log(
        `registry ${name}: ${result.medianMs.toFixed(1)} ms median, ${result.requests} requests and ${result.connections} new connections per decision`,
      );
      return result;
    };
    return [await measure('cold connection', true), await measure('warm connection', false)];
  } finally {
    await registry.stop();
  }
}

export const registrySuite: Suite = {
  name: 'registry',
  description: `discovery + signature verification of an image with ${ATTESTATIONS} attestations on a loopback docker-registry (tag-schema path), per decision`,
  async run(options: BenchOptions, log: (line: string) => void) {
    if (!registryInstalled()) {
      return skippedSuite(this, 'docker-registry not found (apt-get install docker-registry)');
    }
    const cases = await runRegistryBench(options.rounds, log);
    const ratios: Ratio[] = cases.flatMap((c) => [
      {
        name: `${c.name}: requests per decision`,
        value: c.requests,
        unit: 'requests',
        target: atMost(MIN_REQUESTS),
      },
      ...(c.name.startsWith('warm')
        ? [{ name: `${c.name}: new connections per decision`, value: c.connections }]
        : []),
    ]);
    const table = [
      'case             median ms  requests  new connections',
      ...cases.map(
        (c) =>
          `${c.name.padEnd(16)} ${c.medianMs.toFixed(1).padStart(9)} ${c.requests.toFixed(1).padStart(9)} ${c.connections.toFixed(1).padStart(16)}`,
      ),
      `(${options.rounds} decisions per case; the minimum is ${MIN_REQUESTS} requests: 4 discovery requests, then a manifest and a layer per attestation)`,
    ];
    return { suite: this.name, description: this.description, measurements: [], ratios, table };
  },
};
