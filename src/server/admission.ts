import { encodeBase64 } from '../encoding/base64.js';
import { asVouchError, type ErrorCode, VouchError } from '../errors.js';
import type { Decision, SkippedInput } from '../policy/decision.js';
import type { ActiveConfig } from './active-config.js';
import type { AdmissionRequest, AdmissionResponse } from './admission-review.js';
import type { Mode } from './config.js';
import { type NamespaceInfo, needsNamespaceLabels, selectImagePolicy } from './image-policy.js';
import { type ImageReference, parseImageReference } from './image-reference.js';
import type { BreakglassGrant, ImageVerdict, ImageVerifier } from './image-verifier.js';
import type { InFlight } from './in-flight.js';
import { imageFields } from './pod-templates.js';
import { printable } from './status-message.js';

/** Reads a namespace's labels from the Kubernetes API; throws when it cannot. */
export interface NamespaceLabels {
  labelsOf(namespace: string, signal: AbortSignal): Promise<ReadonlyMap<string, string>>;
}

export interface AdmissionContext {
  readonly config: ActiveConfig;
  readonly verifier: ImageVerifier;
  readonly inFlight: InFlight<ImageVerdict>;
  readonly namespaceLabels: NamespaceLabels | undefined;
  readonly clock: () => Date;
}

export type Endpoint = 'validate' | 'mutate';

/** What happened to one distinct image (metrics and the decision log read these). */
export type ImageResult =
  | 'allow'
  | 'deny'
  | 'warn'
  | 'audit'
  | 'exempt'
  | 'breakglass'
  | 'unmatched';

export interface Reason {
  readonly code: ErrorCode | 'REQUIREMENT_UNMET';
  /** The platform manifest of an image index the reason is about (`os/arch[/variant]`). */
  readonly platform?: string;
  readonly requirement?: string;
  readonly message: string;
  /** Why the attestations offered did not count (decision rejection codes). */
  readonly rejections?: readonly string[];
}

export interface ImageOutcome {
  readonly image: string;
  readonly pointers: readonly string[];
  readonly policy: string | undefined;
  readonly mode: Mode | undefined;
  readonly result: ImageResult;
  readonly digest: string | undefined;
  readonly reasons: readonly Reason[];
  /** Entries of the attestation directories that were not read (for the decision log). */
  readonly skipped: readonly SkippedInput[];
  readonly breakglass: BreakglassGrant | undefined;
  readonly deadline: boolean;
  readonly ms: number;
}

export interface AdmissionOutcome {
  readonly response: AdmissionResponse;
  readonly images: readonly ImageOutcome[];
}

const MAX_MESSAGE = 1024;
const MAX_WARNING = 256;
const MAX_ANNOTATION = 2048;

/**
 * Judges one AdmissionReview request (DESIGN.md section 11): every image of the object is
 * checked against the image policy that governs it, each distinct image once, all within the
 * deadline. Throws ADMISSION_INVALID for a request it cannot judge (the server answers 400).
 */
export async function reviewAdmission(
  request: AdmissionRequest,
  endpoint: Endpoint,
  context: AdmissionContext,
): Promise<AdmissionOutcome> {
  const { uid } = request;
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') {
    return { response: { uid, allowed: true }, images: [] };
  }
  const fields = imageFields(request);
  if (request.namespace === undefined) {
    throw new VouchError('ADMISSION_INVALID', 'request.namespace is missing', {
      path: '$.request.namespace',
      hint: 'pods and workloads are namespaced; the apiserver always sends it',
    });
  }
  const byImage = new Map<string, string[]>();
  for (const f of fields) byImage.set(f.image, [...(byImage.get(f.image) ?? []), f.pointer]);
  const deadline = new Deadline(context.config.settings.deadline);
  const name = request.namespace;
  // Read once, and only for an image that a policy selecting by label could govern: a slow
  // apiserver must not hold up (past their deadline) images no such policy matches.
  let read: Promise<NamespaceInfo> | undefined;
  const namespace = {
    name,
    labels: () => {
      read ??= namespaceInfo(name, context, deadline);
      return read;
    },
  };
  try {
    const images = await Promise.all(
      [...byImage].map(([image, pointers]) =>
        judgeImage(image, pointers, namespace, context, deadline),
      ),
    );
    return { response: respond(uid, endpoint, images), images };
  } finally {
    deadline.clear();
  }
}

/** The admission's deadline: aborts outstanding work and answers for it when it passes. */
class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly expired: Promise<'deadline'>;

  constructor(readonly ms: number) {
    let expire: (value: 'deadline') => void = () => {};
    this.expired = new Promise((resolve) => {
      expire = resolve;
    });
    this.#timer = setTimeout(() => {
      this.#controller.abort(new VouchError('DEADLINE_EXCEEDED', `deadline ${ms}ms passed`));
      expire('deadline');
    }, ms);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  race<T>(work: Promise<T>): Promise<T | 'deadline'> {
    return Promise.race([work, this.expired]);
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}

async function namespaceInfo(
  name: string,
  context: AdmissionContext,
  deadline: Deadline,
): Promise<NamespaceInfo> {
  const reader = context.namespaceLabels;
  if (reader === undefined || !needsNamespaceLabels(context.config.settings.imagePolicies)) {
    return { name, labels: undefined };
  }
  try {
    const labels = await deadline.race(reader.labelsOf(name, deadline.signal));
    return labels === 'deadline'
      ? { name, labels: undefined, unavailable: `the ${deadline.ms / 1000}s deadline passed` }
      : { name, labels };
  } catch (err) {
    // Unknown labels: no policy selecting by label can be ruled out, and it fails closed.
    return { name, labels: undefined, unavailable: asVouchError(err).describe() };
  }
}

async function judgeImage(
  image: string,
  pointers: readonly string[],
  unread: { readonly name: string; readonly labels: () => Promise<NamespaceInfo> },
  context: AdmissionContext,
  deadline: Deadline,
): Promise<ImageOutcome> {
  const started = performance.now();
  const outcome = (
    result: ImageResult,
    rest: Partial<Omit<ImageOutcome, 'image' | 'pointers' | 'result' | 'ms'>> = {},
  ): ImageOutcome => ({
    image,
    pointers,
    policy: rest.policy,
    mode: rest.mode,
    result,
    digest: rest.digest,
    reasons: rest.reasons ?? [],
    skipped: rest.skipped ?? [],
    breakglass: rest.breakglass,
    deadline: rest.deadline ?? false,
    ms: performance.now() - started,
  });
  let ref: ImageReference;
  try {
    ref = parseImageReference(image);
  } catch (err) {
    const e = asVouchError(err);
    return outcome('deny', { reasons: [{ code: e.code, message: e.message }] });
  }
  const { settings } = context.config;
  // Without labels first: only an answer that needs them waits for the read.
  let namespace: NamespaceInfo = { name: unread.name, labels: undefined };
  let selection = selectImagePolicy(settings.imagePolicies, ref.name, namespace);
  if (selection.kind === 'labels-unknown') {
    namespace = await unread.labels();
    selection = selectImagePolicy(settings.imagePolicies, ref.name, namespace);
  }
  switch (selection.kind) {
    case 'unmatched': {
      const reasons: Reason[] = [
        {
          code: 'IMAGE_UNMATCHED',
          message: `no image policy matches ${ref.name} (unmatchedImages: ${settings.unmatchedImages})`,
        },
      ];
      return outcome(settings.unmatchedImages === 'allow' ? 'unmatched' : 'deny', { reasons });
    }
    case 'exempt':
      return outcome('exempt', { policy: selection.policies.join(',') });
    case 'labels-unknown': {
      const { policy } = selection;
      const reasons: Reason[] = [
        {
          code: 'NAMESPACE_LABELS_UNAVAILABLE',
          message: `the labels of namespace ${namespace.name} could not be read, and image policy ${policy.name} selects namespaces by label${namespace.unavailable === undefined ? '' : ` (${namespace.unavailable})`}`,
        },
      ];
      const { mode } = selection;
      return outcome(violation(mode), { policy: policy.name, mode, reasons });
    }
    case 'policy':
      break;
    default: {
      const never: never = selection;
      throw new Error(`unknown selection ${String(never)}`);
    }
  }
  const { policy } = selection;
  const breakglass =
    policy.mode === 'enforce' ? context.config.breakglassFor(policy, namespace.name) : undefined;
  const key = [
    context.config.generation,
    policy.name,
    breakglass === undefined ? '' : namespace.name,
    image,
  ].join('\u0000');
  const request = {
    image: ref,
    policy: policy.policy,
    breakglass,
    platforms: policy.platforms,
    signal: deadline.signal,
    now: context.clock(),
  };
  const verdict = await deadline.race(verifyShared(context, key, request));
  const base = { policy: policy.name, mode: policy.mode };
  if (verdict === 'deadline') {
    const reasons: Reason[] = [
      {
        code: 'DEADLINE_EXCEEDED',
        message: `verification did not finish within the ${deadline.ms / 1000}s deadline`,
      },
    ];
    return outcome(violation(policy.mode), { ...base, reasons, deadline: true });
  }
  if (verdict.kind === 'failed') {
    return outcome(violation(policy.mode), {
      ...base,
      reasons: [{ code: verdict.code, message: verdict.message }],
    });
  }
  const { digest, decision } = verdict;
  const judged = { ...base, digest, skipped: decision.skipped ?? [] };
  if (decision.allowed) return outcome('allow', judged);
  const reasons = unmetRequirements(decision);
  if (verdict.breakglass !== undefined && policy.mode === 'enforce') {
    return outcome('breakglass', { ...judged, reasons, breakglass: verdict.breakglass });
  }
  return outcome(violation(policy.mode), { ...judged, reasons });
}

/**
 * Concurrent admissions of one image share the verification in flight: a later one waits for
 * it (so discovery and signature checks run once, into the caches), then evaluates at its own
 * time, since times and conditions are judged on every request.
 */
async function verifyShared(
  context: AdmissionContext,
  key: string,
  request: Parameters<ImageVerifier['verifyImage']>[0],
): Promise<ImageVerdict> {
  const running = context.inFlight.get(key);
  if (running === undefined) {
    return context.inFlight.run(key, () => context.verifier.verifyImage(request));
  }
  await running.catch(() => undefined);
  return context.verifier.verifyImage(request);
}

function violation(mode: Mode): ImageResult {
  switch (mode) {
    case 'enforce':
      return 'deny';
    case 'warn':
      return 'warn';
    case 'audit':
      return 'audit';
    default: {
      const never: never = mode;
      throw new Error(`unknown mode ${String(never)}`);
    }
  }
}

/** Why a decision denies: its unmet requirements and failed sources, then each denied platform's. */
function unmetRequirements(decision: Decision): Reason[] {
  const reasons = (
    part: Pick<Decision, 'requirements' | 'sourceFailures'>,
    platform?: string,
  ): Reason[] => [
    ...part.requirements
      .filter((r) => !r.satisfied)
      .map((r) => ({
        code: 'REQUIREMENT_UNMET' as const,
        ...(platform === undefined ? {} : { platform }),
        requirement: r.name,
        message: r.missing ?? 'not satisfied',
        rejections: [...new Set(r.rejected.map((x) => x.code))].sort(),
      })),
    ...(part.sourceFailures ?? []).map((f) => ({
      code: f.code,
      ...(platform === undefined ? {} : { platform }),
      message: `${f.source}: ${f.message}`,
    })),
  ];
  return [
    ...reasons(decision),
    ...(decision.platforms ?? []).filter((p) => !p.allowed).flatMap((p) => reasons(p, p.platform)),
  ];
}

function describeReasons(reasons: readonly Reason[]): string {
  return reasons
    .map((r) => {
      const on = r.platform === undefined ? '' : `platform ${r.platform}: `;
      return r.requirement === undefined
        ? `${on}${r.code}: ${r.message}`
        : `${on}requirement ${r.requirement}: ${r.message}${r.rejections?.length ? ` [${r.rejections.join(', ')}]` : ''}`;
    })
    .join('; ');
}

function respond(
  uid: string,
  endpoint: Endpoint,
  images: readonly ImageOutcome[],
): AdmissionResponse {
  const denied = images.filter((i) => i.result === 'deny');
  const warnings: string[] = [];
  for (const i of images) {
    if (i.result === 'warn') {
      warnings.push(
        printable(
          `vouch (warn mode): ${i.image} would be denied by ${i.policy}: ${describeReasons(i.reasons)}`,
          MAX_WARNING,
        ),
      );
    } else if (i.result === 'breakglass' && i.breakglass !== undefined) {
      const g = i.breakglass;
      warnings.push(
        printable(
          `vouch: ${i.image} admitted by BREAKGLASS ${g.attestation.slice(0, 19)} from ${g.signer} until ${g.notAfter}: ${g.reason}`,
          MAX_WARNING,
        ),
      );
    }
  }
  const annotations: Record<string, string> = {};
  const broken = images.filter((i) => i.breakglass !== undefined && i.result === 'breakglass');
  if (broken.length > 0) {
    annotations.breakglass = printable(
      JSON.stringify(broken.map((i) => ({ image: i.image, digest: i.digest, ...i.breakglass }))),
      MAX_ANNOTATION,
    );
  }
  const violations = images.filter((i) => i.result === 'audit' || i.result === 'warn');
  if (violations.length > 0) {
    annotations['policy-violations'] = printable(
      JSON.stringify(
        violations.map((i) => ({
          image: i.image,
          policy: i.policy,
          mode: i.mode,
          reasons: i.reasons.map(
            (r) => `${r.platform === undefined ? '' : `${r.platform} `}${r.requirement ?? r.code}`,
          ),
        })),
      ),
      MAX_ANNOTATION,
    );
  }
  const common = {
    uid,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(Object.keys(annotations).length > 0 ? { auditAnnotations: annotations } : {}),
  };
  if (denied.length > 0) {
    const message = `vouch denied ${denied.length} image(s): ${denied
      .map(
        (i) =>
          `${i.image}${i.policy === undefined ? '' : ` (image policy ${i.policy})`}: ${describeReasons(i.reasons)}`,
      )
      .join(' | ')}`;
    return {
      ...common,
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: printable(message, MAX_MESSAGE) },
    };
  }
  const patch = endpoint === 'mutate' ? pinDigests(images) : [];
  return {
    ...common,
    allowed: true,
    ...(patch.length > 0
      ? { patchType: 'JSONPatch' as const, patch: encodeBase64(Buffer.from(JSON.stringify(patch))) }
      : {}),
  };
}

/** Mutate: a tag becomes tag@digest of what was verified, so what runs is what was checked. */
function pinDigests(
  images: readonly ImageOutcome[],
): { op: 'replace'; path: string; value: string }[] {
  const patch: { op: 'replace'; path: string; value: string }[] = [];
  for (const i of images) {
    if (i.digest === undefined || i.image.includes('@')) continue;
    for (const path of i.pointers)
      patch.push({ op: 'replace', path, value: `${i.image}@${i.digest}` });
  }
  return patch;
}
