import { attestationDigest } from './attestation/envelope.js';
import { toUtcTimestamp } from './encoding/rfc3339.js';
import { VouchError } from './errors.js';
import type { CompiledPolicy } from './policy/compile.js';
import { type Artifact, type Decision, type SourceFailure, undecided } from './policy/decision.js';
import { evaluatePolicy } from './policy/evaluate.js';
import { subjectAlgorithms } from './sources/artifact-algorithms.js';
import { OCI_SCHEME, parseReference } from './sources/oci/reference.js';
import type { OciRegistry } from './sources/oci/registry.js';
import { registrySource, resolveImageArtifact } from './sources/oci/registry-source.js';
import {
  type AttestationSource,
  DEFAULT_SOURCE_LIMITS,
  gatherDocuments,
  type SourceDocument,
  type SourceLimits,
  type SourceResult,
} from './sources/source.js';
import { resolveArtifactArg } from './sources/subject-arg.js';

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
  // The caller's sources first: a path that cannot be read is an input error, whatever a
  // registry would have answered.
  const local = await gatherDocuments(request.sources, ask);
  const { artifact } = request;
  if (typeof artifact !== 'string') return decide(request, artifact, local);
  if (!artifact.startsWith(OCI_SCHEME)) {
    const algorithms = subjectAlgorithms(local.documents);
    return decide(request, await resolveArtifactArg(artifact, { algorithms }), local);
  }
  const ref = parseReference(artifact);
  const { registry } = request;
  if (registry === undefined) {
    throw new VouchError('USAGE', `${artifact} names an image, and no registry was given`, {
      field: 'registry',
    });
  }
  const deadline = registry.deadline(
    request.signal === undefined ? {} : { signal: request.signal },
  );
  let image: Artifact;
  let found: SourceResult;
  try {
    image = await resolveImageArtifact(registry, ref, { deadline });
    found = await registrySource(registry, ref, { deadline }).documents({
      ...ask,
      artifact: image,
    });
  } catch (err) {
    // DESIGN.md section 9: any registry failure is a deny that names the registry error.
    if (!(err instanceof VouchError) || !err.code.startsWith('REGISTRY_')) throw err;
    const failure = { source: artifact, code: err.code, message: err.message };
    const unresolved = {
      name: artifact,
      digest: ref.digest === undefined ? {} : digestSetOf(ref.digest),
    };
    const at = Number.isFinite(request.at.getTime()) ? toUtcTimestamp(request.at) : 'invalid time';
    const decision = undecided(request.policy, unresolved, at, err.describe());
    return { decision: withSources(decision, local.skipped, [failure]), examined: [] };
  }
  return decide(request, image, {
    documents: [...found.documents, ...local.documents],
    skipped: local.skipped,
    failures: [...found.failures, ...local.failures],
  });
}

function decide(request: VerifyRequest, artifact: Artifact, found: SourceResult): Verification {
  const decision = evaluatePolicy(request.policy, {
    artifact,
    documents: found.documents,
    at: request.at,
  });
  return {
    decision: withSources(decision, found.skipped, found.failures),
    examined: found.documents.map(examined),
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

function digestSetOf(digest: string): Record<string, string> {
  const [algorithm = 'sha256', hex = ''] = digest.split(':');
  return { [algorithm]: hex };
}
