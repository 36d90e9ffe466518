import type { ImagePolicy, Mode, NamespaceSelector } from './config.js';
import { compareSpecificity, type ImageGlob } from './image-glob.js';

/** The namespace an admission is in, with its labels when some image policy needs them. */
export interface NamespaceInfo {
  readonly name: string;
  /** undefined: not known (no policy selecting by label may then apply). */
  readonly labels: ReadonlyMap<string, string> | undefined;
  /** Why the labels are unknown, when they were needed (a coded one-line error). */
  readonly unavailable?: string;
}

/** Which image policy governs an image in a namespace (DESIGN.md section 11). */
export type Selection =
  | { readonly kind: 'policy'; readonly policy: ImagePolicy; readonly glob: string }
  /** Globs match, but every matching policy leaves this namespace out: allowed, logged. */
  | { readonly kind: 'exempt'; readonly policies: readonly string[] }
  /** No glob matches: `unmatchedImages` decides. */
  | { readonly kind: 'unmatched' }
  /**
   * A matching policy selects by labels the server could not read: fail closed, in `mode`, the
   * strictest of every policy that could govern the image had the labels been known.
   */
  | { readonly kind: 'labels-unknown'; readonly policy: ImagePolicy; readonly mode: Mode };

/**
 * The most specific matching glob wins (more literal characters, then fewer wildcards, then
 * configuration order), among the policies that select the namespace.
 */
export function selectImagePolicy(
  policies: readonly ImagePolicy[],
  imageName: string,
  namespace: NamespaceInfo,
): Selection {
  const matching: { policy: ImagePolicy; glob: ImageGlob }[] = [];
  for (const policy of policies) {
    const glob = policy.globs.filter((g) => g.matches(imageName)).sort(compareSpecificity)[0];
    if (glob !== undefined) matching.push({ policy, glob });
  }
  if (matching.length === 0) return { kind: 'unmatched' };
  // Array.prototype.sort is stable: ties keep configuration order.
  matching.sort((a, b) => compareSpecificity(a.glob, b.glob));
  for (const [i, { policy, glob }] of matching.entries()) {
    const selected = selects(policy.namespaces, namespace);
    if (selected === undefined) {
      return { kind: 'labels-unknown', policy, mode: strictestMode(matching.slice(i), namespace) };
    }
    if (selected) return { kind: 'policy', policy, glob: glob.pattern };
  }
  return { kind: 'exempt', policies: matching.map((m) => m.policy.name) };
}

const STRICTNESS: Readonly<Record<Mode, number>> = { audit: 0, warn: 1, enforce: 2 };

/**
 * Unknown labels can neither rule a policy in nor out, so each of these that some labels would
 * make govern could: a warn-mode policy for one label must not stand in for the enforce policy
 * behind it. A later policy is out of reach only when an earlier one asks a subset of its labels
 * (it would select whenever the later one does); label values are otherwise free.
 */
function strictestMode(
  candidates: readonly { readonly policy: ImagePolicy }[],
  namespace: NamespaceInfo,
): Mode {
  let mode: Mode = 'audit';
  const before: ReadonlyMap<string, string>[] = [];
  for (const { policy } of candidates) {
    const selected = selects(policy.namespaces, namespace);
    if (selected === false) continue;
    const labels = policy.namespaces.matchLabels;
    const shadowed = before.some((m) => [...m].every(([k, v]) => labels.get(k) === v));
    if (!shadowed && STRICTNESS[policy.mode] > STRICTNESS[mode]) mode = policy.mode;
    if (selected) break;
    before.push(labels);
  }
  return mode;
}

/** include, exclude and matchLabels must all hold; undefined when the labels are unknown. */
function selects(selector: NamespaceSelector, namespace: NamespaceInfo): boolean | undefined {
  if (selector.include !== undefined && !selector.include.has(namespace.name)) return false;
  if (selector.exclude.has(namespace.name)) return false;
  if (selector.matchLabels.size === 0) return true;
  if (namespace.labels === undefined) return undefined;
  for (const [key, value] of selector.matchLabels) {
    if (namespace.labels.get(key) !== value) return false;
  }
  return true;
}

/** Whether any policy selects namespaces by label (then the server must read them). */
export function needsNamespaceLabels(policies: readonly ImagePolicy[]): boolean {
  return policies.some((p) => p.namespaces.matchLabels.size > 0);
}
