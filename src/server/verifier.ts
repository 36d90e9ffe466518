import { attestationDigest } from '../attestation/envelope.js';
import { asVouchError } from '../errors.js';
import type { CompiledPolicy } from '../policy/compile.js';
import type { Artifact } from '../policy/decision.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import { type CredentialStore, dockerConfigCredentials } from '../sources/oci/credentials.js';
import { OCI_SCHEME } from '../sources/oci/reference.js';
import { OciRegistry } from '../sources/oci/registry.js';
import type { PlatformSelection } from '../sources/oci/resolve.js';
import type { SourceDocument, SourceResult } from '../sources/source.js';
import { type ImageDiscovery, type Verification, verify } from '../verify.js';
import { breakglassGrant } from './breakglass.js';
import type { Platforms, ServerSettings } from './config.js';
import { DiscoveryCache } from './discovery-cache.js';
import { DocumentCache } from './document-cache.js';
import { type LocalIndex, serverDiscovery } from './image-discovery.js';
import type { ImageReference } from './image-reference.js';
import type {
  BreakglassGrant,
  ImageVerdict,
  ImageVerifier,
  VerifyImageRequest,
} from './image-verifier.js';
import type { ServerMetrics } from './metrics.js';
import { examineInTurns, VerificationTurns, verificationMemo } from './verification-turns.js';

export interface PolicyVerifierOptions {
  /** Where tags and image indexes are resolved. */
  readonly registry: OciRegistry;
  readonly discover: ImageDiscovery;
  readonly documents: DocumentCache;
  /** Shares the event loop between verifications; default: this verifier's own. */
  readonly turns?: VerificationTurns;
}

/**
 * The webhook's verifier: each image through `verify`, the one service the CLI calls too
 * (DESIGN.md section 3). A tag is resolved to the digest of the manifest bytes (what mutate
 * pins); the image policy's platforms must be allowed too; all registry work stops at the
 * admission's deadline. No decision (a registry that could not resolve the image) is a
 * failed verdict, which enforce denies.
 */
export function policyVerifier(options: PolicyVerifierOptions): ImageVerifier {
  const turns = options.turns ?? new VerificationTurns();
  return {
    async verifyImage(request: VerifyImageRequest): Promise<ImageVerdict> {
      const { image, policy, now, signal } = request;
      const platforms = platformSelection(request.platforms);
      const memo = verificationMemo(options.documents.forPolicy(policy));
      let verification: Verification;
      try {
        verification = await verify({
          policy,
          artifact: ociReference(image),
          sources: [],
          at: now,
          signal,
          registry: options.registry,
          // The signatures are checked in turns as soon as the documents are found; the
          // evaluation then finds them all in the memo and takes one short turn.
          discover: async (pinned, ask) => {
            const found = await options.discover(pinned, ask);
            await examineInTurns(found.documents, policy, memo, turns, signal);
            return found;
          },
          verifiedDocuments: memo,
          ...(platforms === undefined ? {} : { platforms }),
        });
      } catch (err) {
        const e = asVouchError(err);
        return { kind: 'failed', code: e.code, message: e.describe() };
      }
      const { decision, documents } = verification;
      const digest = decision.artifact.digest.sha256;
      if (digest === undefined) {
        const [failure] = decision.sourceFailures ?? [];
        return {
          kind: 'failed',
          code: failure?.code ?? 'REGISTRY_INVALID',
          message: failure?.message ?? `${image.original} did not resolve to a sha256 digest`,
        };
      }
      // Breakglass is judged over the same documents, for the digest the image names.
      const breakglass =
        decision.allowed || request.breakglass === undefined
          ? undefined
          : await breakglassOver(request.breakglass, decision.artifact, documents, now);
      return { kind: 'evaluated', digest: `sha256:${digest}`, decision, breakglass };
    },
  };

  async function breakglassOver(
    policy: CompiledPolicy,
    artifact: Artifact,
    documents: readonly SourceDocument[],
    at: Date,
  ): Promise<BreakglassGrant | undefined> {
    const memo = verificationMemo(options.documents.forPolicy(policy));
    await examineInTurns(documents, policy, memo, turns);
    return breakglassGrant(
      evaluatePolicy(policy, { artifact, documents, at, verifiedDocuments: memo }),
      documents,
      attestationDigest,
    );
  }
}

/** DESIGN.md section 11: `index` is the digest referenced; `each` every platform manifest. */
function platformSelection(platforms: Platforms): PlatformSelection | undefined {
  if (platforms === 'index') return undefined;
  return platforms === 'each' ? 'all' : platforms;
}

/** The image as the runtime pulls it: the digest when there is one, else the tag (or latest). */
function ociReference(image: ImageReference): string {
  const tag = image.tag === undefined ? '' : `:${image.tag}`;
  const digest = image.digest === undefined ? '' : `@${image.digest}`;
  return `${OCI_SCHEME}${image.name}${tag}${digest}`;
}

/** Image digests whose discovered documents are kept for the TTL at once. */
const MAX_DISCOVERIES = 10_000;
/**
 * Bytes of discovered documents kept at once: a registry holds up to 256 documents of 16 MiB
 * per image, and without this bound a few images' worth, kept for the TTL, exhaust the heap.
 */
const MAX_DISCOVERED_BYTES = 256 * 1024 * 1024;

export interface ServerVerifiersOptions {
  /** Registry logins; default: the Docker config (`DOCKER_CONFIG`), read again whenever needed. */
  readonly credentials?: CredentialStore;
  /** The clock of the discovery TTL (milliseconds). */
  readonly clock?: () => number;
}

export interface ServerVerifiers {
  /** The verifier for a configuration, with fresh caches counted in the metrics. */
  verifierFor(settings: ServerSettings, metrics: ServerMetrics): ImageVerifier;
  /** Closes registry connections. */
  close(): void;
}

/**
 * The verifiers of `vouch serve`, one per installed configuration. Registry connections (and
 * tokens) outlive reloads: a reload swaps policies and caches, not the connections admissions
 * in flight are using.
 */
export function serverVerifiers(options: ServerVerifiersOptions = {}): ServerVerifiers {
  // A mounted Secret is updated in place: read it when credentials are needed, not once.
  const credentials: CredentialStore = options.credentials ?? {
    get: (registry) => dockerConfigCredentials().get(registry),
  };
  const clock = options.clock ?? Date.now;
  // One event loop: every configuration's verifiers share its turns.
  const turns = new VerificationTurns();
  const registries = new Map<boolean, OciRegistry>();
  const registryFor = (plainHttp: boolean): OciRegistry => {
    let registry = registries.get(plainHttp);
    if (registry === undefined) {
      registry = new OciRegistry({ plainHttp, credentials });
      registries.set(plainHttp, registry);
    }
    return registry;
  };
  return {
    verifierFor(settings, metrics) {
      const counter = (cache: string) => (result: 'hit' | 'miss') =>
        metrics.cache.inc({ cache, result });
      const ttl = settings.cache.discoveryTtl;
      const registry = registryFor(settings.registry.plainHttp);
      return policyVerifier({
        registry,
        discover: serverDiscovery({
          registry: settings.attestations.registry ? registry : undefined,
          dirs: settings.attestations.dirs,
          local: new DiscoveryCache<LocalIndex>(ttl, clock, counter('discovery')),
          found: new DiscoveryCache<SourceResult>(
            ttl,
            clock,
            counter('discovery'),
            MAX_DISCOVERIES,
            MAX_DISCOVERED_BYTES,
            (found) => found.documents.reduce((n, d) => n + d.bytes.byteLength, 0),
          ),
          loadDeadline: settings.deadline,
        }),
        documents: new DocumentCache(settings.cache.documents, counter('documents')),
        turns,
      });
    },
    close() {
      for (const registry of registries.values()) registry.close();
      registries.clear();
    },
  };
}
