import { attestationDigest } from './attestation/envelope.js';
import { rfc3339Millis, toUtcTimestamp } from './encoding/rfc3339.js';
import { VouchError } from './errors.js';
import type { CompiledPolicy } from './policy/compile.js';
import {
  type Artifact,
  type Decision,
  type PlatformDecision,
  type SourceFailure,
  undecided,
} from './policy/decision.js';
import { evaluatePolicy, type VerifiedDocumentMemo } from './policy/evaluate.js';
import { subjectAlgorithms } from './sources/artifact-algorithms.js';
import type { OciDigest } from './sources/oci/digest.js';
import {
  formatReference,
  type ImageReference,
  OCI_SCHEME,
  parseReference,
} from './sources/oci/reference.js';
import type { OciRegistry } from './sources/oci/registry.js';
import { registrySource } from './sources/oci/registry-source.js';
import {
  PLATFORM_PATTERN,
  type PlatformSelection,
  type ResolvedImage,
  selectPlatforms,
} from './sources/oci/resolve.js';
import {
  type AttestationSource,
  DEFAULT_SOURCE_LIMITS,
  gatherDocuments,
  type SourceDocument,
  type SourceLimits,
  type SourceRequest,
  type SourceResult,
} from './sources/source.js';
import { resolveArtifactArg } from './sources/subject-arg.js';

/** An image manifest named by its digest. */
export type PinnedImage = ImageReference & { readonly digest: OciDigest };

/**
 * Finds the attestations of one image manifest (an index, or one of its platform manifests).
 * As an AttestationSource, it reports what it could not read in `failures`.
 */
export type ImageDiscovery = (image: PinnedImage, request: SourceRequest) => Promise<SourceResult>;

export interface VerifyRequest {
  readonly policy: CompiledPolicy;
  /**
   * The artifact: a file path (hashed with the algorithms its candidate subjects name),
   * `[NAME@]sha256:<hex>`, a custom digest `[NAME@]ALG:VALUE`, `oci://HOST/REPO(:TAG|@DIGEST)`
   * (resolved in the registry, which is then searched for its attestations too), or an
   * artifact already resolved.
   */
  readonly artifact: string | Artifact;
  /** Where candidate attestations are read; their union is examined. */
  readonly sources: readonly AttestationSource[];
  /** The evaluation time T: the service never reads the clock. */
  readonly at: Date;
  readonly signal?: AbortSignal;
  /** The registry an `oci://` artifact lives in (its deadline bounds resolving and discovery). */
  readonly registry?: OciRegistry;
  readonly limits?: SourceLimits;
  /**
   * For an image index: the platform manifests that must ALSO be allowed (`all`, or
   * `os/arch[/variant]` names), each judged over its own attestations (DESIGN.md section 9).
   * Default: only the digest referenced.
   */
  readonly platforms?: PlatformSelection;
  /** Remembers what verifying each document found (a server's verified-document cache). */
  readonly verifiedDocuments?: VerifiedDocumentMemo;
  /**
   * How an image manifest's attestations are found in the registry. Default: every discovery
   * path of `registry`. A caller may wrap it (to cache discovery, or add documents it holds).
   */
  readonly discover?: ImageDiscovery;
}

/** A document the decision examined: `sha256:<hex>` of its bytes and where it was read. */
export interface ExaminedDocument {
  readonly attestation: string;
  readonly source: string;
}

export interface Verification {
  /** The decision, with the entries not read (`skipped`) and the sources that failed. */
  readonly decision: Decision;
  /** Every document examined, counted or rejected (what a verification summary lists). */
  readonly examined: readonly ExaminedDocument[];
  /**
   * The candidate documents of the decision's artifact (of the index, for an image index):
   * another policy can be judged over the same evidence (the webhook's breakglass rule).
   */
  readonly documents: readonly SourceDocument[];
}

/**
 * Decides whether the policy allows the artifact, given the attestations the sources hold
 * (DESIGN.md section 3: the one service the CLI and the server call). Fail closed: a source
 * path that failed is recorded in the decision and can only deny; a registry that cannot
 * resolve the artifact is a deny whose requirements name the registry error. Input errors (a
 * named file that does not exist, a malformed reference) are thrown.
 */
export async function verify(request: VerifyRequest): Promise<Verification> {
  const ask = {
    limits: request.limits ?? DEFAULT_SOURCE_LIMITS,
    ...(request.signal === undefined ? {} : { signal: request.signal }),
  };
  const { artifact } = request;
  const image = typeof artifact === 'string' && artifact.startsWith(OCI_SCHEME);
  if (request.platforms !== undefined) checkPlatforms(request.platforms, image);
  // The caller's sources first: a path that cannot be read is an input error, whatever a
  // registry would have answered.
  const local = await gatherDocuments(request.sources, ask);
  if (typeof artifact !== 'string') return decide(request, artifact, local);
  if (!image) {
    const algorithms = subjectAlgorithms(local.documents);
    return decide(request, await resolveArtifactArg(artifact, { algorithms }), local);
  }
  return verifyImage(request, parseReference(artifact), local);
}

async function verifyImage(
  request: VerifyRequest,
  ref: ImageReference,
  local: SourceResult,
): Promise<Verification> {
  const { registry } = request;
  if (registry === undefined) {
    throw new VouchError(
      'USAGE',
      `${formatReference(ref)} names an image, and no registry was given`,
      {
        field: 'registry',
      },
    );
  }
  const deadline = registry.deadline(
    request.signal === undefined ? {} : { signal: request.signal },
  );
  const discover =
    request.discover ??
    ((image: PinnedImage, ask: SourceRequest) =>
      registrySource(registry, image, { deadline }).documents(ask));
  let index: ResolvedImage | undefined;
  try {
    // A tag names the digest of the manifest bytes received; a digest names itself, and is
    // fetched only when its platform manifests are wanted.
    if (ref.digest === undefined || request.platforms !== undefined) {
      index = await registry.resolve(ref, { deadline });
    }
  } catch (err) {
    // DESIGN.md section 9: any registry failure is a deny that names the registry error.
    if (!(err instanceof VouchError) || !err.code.startsWith('REGISTRY_')) throw err;
    const failure = { source: formatReference(ref), code: err.code, message: err.message };
    const unresolved = {
      name: formatReference(ref),
      digest: ref.digest === undefined ? {} : digestSetOf(ref.digest),
    };
    const decision = undecided(request.policy, unresolved, evaluatedAt(request.at), err.describe());
    return {
      decision: withSources(decision, local.skipped, [failure]),
      examined: [],
      documents: [],
    };
  }
  const digest = (index?.digest ?? ref.digest) as OciDigest;
  const judge = (at: OciDigest, name?: string): Promise<Verification> =>
    judgeImage(
      request,
      { registry: ref.registry, repository: ref.repository, digest: at },
      name,
      local,
      discover,
      // The registry's own discovery is bounded by `deadline`; a caller's discovery (the
      // server's, answered from its cache) by the caller's signal.
      {
        limits: request.limits ?? DEFAULT_SOURCE_LIMITS,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      },
    );
  const named = formatReference({
    registry: ref.registry,
    repository: ref.repository,
    ...(ref.tag === undefined ? {} : { tag: ref.tag }),
  });
  const targets =
    index === undefined || request.platforms === undefined
      ? []
      : platformTargets(index, request.platforms);
  const [top, ...judged] = await Promise.all([
    judge(digest, named),
    ...targets.map((t) =>
      'digest' in t ? judge(t.digest) : Promise.resolve(missingPlatform(request, ref, t)),
    ),
  ]);
  if (top === undefined) throw new VouchError('INTERNAL', 'no decision for the image');
  const platforms = judged.map((v, i) => platformDecision(targets[i]?.platform ?? '', v.decision));
  const examined = new Map<string, ExaminedDocument>();
  for (const v of [top, ...judged])
    for (const e of v.examined) examined.set(`${e.attestation}\u0000${e.source}`, e);
  return {
    decision: platforms.length === 0 ? top.decision : withPlatforms(top.decision, platforms),
    examined: [...examined.values()],
    documents: top.documents,
  };
}

/** One image manifest judged over its own attestations and the caller's documents. */
async function judgeImage(
  request: VerifyRequest,
  image: PinnedImage,
  name: string | undefined,
  local: SourceResult,
  discover: ImageDiscovery,
  ask: SourceRequest,
): Promise<Verification> {
  const artifact = { ...(name === undefined ? {} : { name }), digest: digestSetOf(image.digest) };
  const found = await discover(image, { ...ask, artifact });
  return decide(request, artifact, {
    documents: [...found.documents, ...local.documents],
    skipped: [...found.skipped, ...local.skipped],
    failures: [...found.failures, ...local.failures],
  });
}

type PlatformTarget =
  | { readonly platform: string; readonly digest: OciDigest }
  | { readonly platform: string; readonly failure: VouchError };

/**
 * Platform manifests judged for one index (real indexes list a few dozen at most). Each is a
 * discovery in the registry: an index listing thousands must not queue thousands of them in
 * front of every other verification using that registry.
 */
const MAX_PLATFORM_MANIFESTS = 64;

/**
 * The platform manifests to judge, each once: a platform the index lacks is a target that
 * fails (never one left out: a policy asking for arm64 must not pass because arm64 is missing).
 */
function platformTargets(index: ResolvedImage, selection: PlatformSelection): PlatformTarget[] {
  const targets: PlatformTarget[] = [];
  const seen = new Set<string>();
  const wants = selection === 'all' ? ['all' as const] : selection;
  for (const want of wants) {
    try {
      for (const p of selectPlatforms(index, want === 'all' ? want : [want])) {
        if (seen.has(p.digest)) continue;
        seen.add(p.digest);
        targets.push(p);
      }
    } catch (err) {
      if (!(err instanceof VouchError) || !err.code.startsWith('REGISTRY_')) throw err;
      targets.push({ platform: want, failure: err });
    }
  }
  const judged = targets.filter((t) => 'digest' in t).length;
  if (judged > MAX_PLATFORM_MANIFESTS) {
    const failure = new VouchError(
      'REGISTRY_INVALID',
      `image index ${index.digest} has ${judged} platform manifests to judge, over the ${MAX_PLATFORM_MANIFESTS} Vouch judges`,
      { path: 'platforms', hint: 'name the platforms that must be attested' },
    );
    return [{ platform: selection === 'all' ? 'all' : selection.join(','), failure }];
  }
  return targets;
}

function missingPlatform(
  request: VerifyRequest,
  ref: ImageReference,
  target: Extract<PlatformTarget, { failure: VouchError }>,
): Verification {
  const { failure } = target;
  const decision = undecided(
    request.policy,
    { digest: {} },
    evaluatedAt(request.at),
    failure.describe(),
  );
  const source = `${formatReference(ref)} (platform ${target.platform})`;
  return {
    decision: withSources(decision, [], [{ source, code: failure.code, message: failure.message }]),
    examined: [],
    documents: [],
  };
}

function platformDecision(platform: string, decision: Decision): PlatformDecision {
  return {
    platform,
    allowed: decision.allowed,
    artifact: decision.artifact,
    requirements: decision.requirements,
    expiresAt: decision.expiresAt,
    ...(decision.sourceFailures === undefined ? {} : { sourceFailures: decision.sourceFailures }),
  };
}

/** The index's decision, denied if any platform is, expiring with the first of them. */
function withPlatforms(index: Decision, platforms: readonly PlatformDecision[]): Decision {
  const allowed = index.allowed && platforms.every((p) => p.allowed);
  let expiresAt: string | null = null;
  if (allowed) {
    for (const at of [index.expiresAt, ...platforms.map((p) => p.expiresAt)]) {
      if (at !== null && (expiresAt === null || ms(at) < ms(expiresAt))) expiresAt = at;
    }
  }
  return { ...index, allowed, expiresAt, platforms };
}

const ms = (time: string): number => rfc3339Millis(time) ?? Number.NEGATIVE_INFINITY;

/** A platform selection from a caller (a flag, a configuration) is checked before any request. */
function checkPlatforms(selection: PlatformSelection, image: boolean): void {
  if (!image) {
    throw new VouchError('USAGE', 'platforms are chosen only for an image (oci://...)', {
      field: 'platform',
    });
  }
  if (selection === 'all') return;
  if (selection.length === 0) {
    throw new VouchError('USAGE', 'name at least one platform, or all', { field: 'platform' });
  }
  for (const p of selection) {
    if (!PLATFORM_PATTERN.test(p)) {
      throw new VouchError('USAGE', `platform ${JSON.stringify(p)} is not os/arch[/variant]`, {
        field: 'platform',
        hint: 'e.g. linux/amd64 or linux/arm64/v8, or all (alone)',
      });
    }
  }
}

function decide(request: VerifyRequest, artifact: Artifact, found: SourceResult): Verification {
  const decision = evaluatePolicy(request.policy, {
    artifact,
    documents: found.documents,
    at: request.at,
    ...(request.verifiedDocuments === undefined
      ? {}
      : { verifiedDocuments: request.verifiedDocuments }),
  });
  return {
    decision: withSources(decision, found.skipped, found.failures),
    examined: found.documents.map(examined),
    documents: found.documents,
  };
}

/** The decision with what was not read; each field only when it has entries (docs/decision.md). */
function withSources(
  decision: Decision,
  skipped: SourceResult['skipped'],
  failures: readonly SourceFailure[],
): Decision {
  return {
    ...decision,
    ...(skipped.length === 0 ? {} : { skipped }),
    ...(failures.length === 0 ? {} : { sourceFailures: failures }),
  };
}

function examined(document: SourceDocument): ExaminedDocument {
  return { attestation: attestationDigest(document.bytes), source: document.source };
}

function evaluatedAt(at: Date): string {
  return Number.isFinite(at.getTime()) ? toUtcTimestamp(at) : 'invalid time';
}

function digestSetOf(digest: string): Record<string, string> {
  const [algorithm = 'sha256', hex = ''] = digest.split(':');
  return { [algorithm]: hex };
}
