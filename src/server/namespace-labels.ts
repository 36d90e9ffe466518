import * as z from 'zod';
import { narrow } from '../encoding/shape.js';
import { parseStrictJson } from '../encoding/strict-json.js';
import { asVouchError, VouchError } from '../errors.js';
import type { NamespaceLabels } from './admission.js';
import { DiscoveryCache } from './discovery-cache.js';
import type { CacheCounter } from './document-cache.js';
import { type InClusterOptions, KubernetesApi } from './kubernetes-api.js';
import { printable } from './status-message.js';
import { untilAborted } from './until-aborted.js';

/**
 * How long a namespace's labels are reused: a label change takes at most this long to be seen
 * (like the discovery cache's default). Kyverno reads labels from an informer (a watch on every
 * namespace, fresher but needing list and watch on all of them); one `get` per namespace per
 * TTL needs only `get`.
 */
const NAMESPACE_LABELS_TTL_MS = 30_000;
/** The apiserver stores objects up to 1.5 MiB (etcd's request limit). */
const MAX_NAMESPACE_BYTES = 2 * 1024 * 1024;
const MAX_LABELS = 1024;
/** Namespaces whose labels are remembered at once. */
const MAX_NAMESPACES = 10_000;

// Label syntax (Kubernetes "Labels and Selectors"): an optional DNS subdomain prefix and "/",
// then a name of at most 63 characters; a value is empty or a name.
const LABEL_NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const labelKey = z
  .string()
  .max(317)
  .regex(
    new RegExp(
      `^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?${LABEL_NAME}$`,
    ),
    'must be a label key',
  )
  .refine((k) => !k.includes('/') || k.indexOf('/') <= 253, 'label key prefix over 253');
const labelValue = z.string().regex(new RegExp(`^(${LABEL_NAME})?$`), 'must be a label value');
// Labels as entries, not a zod record: a record silently drops a "__proto__" key unchecked.
const labelsSchema = z
  .custom<Record<string, unknown>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'must be an object of labels',
  )
  .transform((v) => Object.entries(v))
  .pipe(z.array(z.tuple([labelKey, labelValue])).max(MAX_LABELS, `at most ${MAX_LABELS} labels`));
const namespaceSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Namespace'),
  metadata: z.object({ name: z.string(), labels: labelsSchema.optional() }),
});
/** The apiserver's error body (meta/v1 Status); only its message is quoted. */
const statusSchema = z.object({ kind: z.literal('Status'), message: z.string() });
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface ClusterNamespaceLabelsOptions {
  readonly ttlMs?: number;
  readonly clock?: () => number;
  readonly count?: CacheCounter;
}

/**
 * Namespace labels for image policies that select by `matchLabels`, read with
 * `GET /api/v1/namespaces/{name}`. Kept per namespace for the TTL; concurrent admissions in one
 * namespace share one read; a failed read is not kept, so the next admission tries again.
 */
export class ClusterNamespaceLabels implements NamespaceLabels {
  readonly #api: KubernetesApi;
  readonly #cache: DiscoveryCache<ReadonlyMap<string, string>>;

  constructor(api: KubernetesApi, options: ClusterNamespaceLabelsOptions = {}) {
    this.#api = api;
    this.#cache = new DiscoveryCache(
      options.ttlMs ?? NAMESPACE_LABELS_TTL_MS,
      options.clock,
      options.count,
      MAX_NAMESPACES,
    );
  }

  /**
   * The labels, or a coded error. The shared read is bounded by the API request timeout, not by
   * one admission's `signal`: an admission that gives up stops waiting, and the others keep theirs.
   */
  labelsOf(namespace: string, signal: AbortSignal): Promise<ReadonlyMap<string, string>> {
    if (!NAMESPACE_NAME.test(namespace)) {
      return Promise.reject(
        new VouchError('MALFORMED', 'not a namespace name (an RFC 1123 label)', {
          field: 'namespace',
        }),
      );
    }
    const read = this.#cache.discover(namespace, () => this.#read(namespace));
    return untilAborted(read, signal).catch((err: unknown) => {
      throw signal.aborted && err === signal.reason ? aborted(signal) : err;
    });
  }

  close(): void {
    this.#api.close();
  }

  async #read(namespace: string): Promise<ReadonlyMap<string, string>> {
    const path = `/api/v1/namespaces/${namespace}`;
    const res = await this.#api.get(path, MAX_NAMESPACE_BYTES);
    const said = (): string => apiMessage(res.body);
    switch (res.status) {
      case 200:
        return readLabels(namespace, res.body);
      case 404:
        throw new VouchError(
          'NAMESPACE_NOT_FOUND',
          `the Kubernetes API has no namespace ${namespace} (404${said()})`,
          { hint: 'check that the webhook reads the API of the cluster that calls it' },
        );
      case 401:
        throw new VouchError(
          'KUBERNETES_FORBIDDEN',
          `the Kubernetes API did not accept the service account token (401${said()})`,
          { hint: 'mount a current service account token (automountServiceAccountToken)' },
        );
      case 403:
        throw new VouchError(
          'KUBERNETES_FORBIDDEN',
          `the service account may not get namespace ${namespace} (403${said()})`,
          {
            hint: "grant get on namespaces to the webhook's service account (deploy/rbac.yaml)",
          },
        );
      default:
        throw new VouchError(
          'KUBERNETES_UNAVAILABLE',
          `the Kubernetes API answered ${res.status} for ${path}${said()}`,
          { hint: 'check the apiserver; the next admission reads again' },
        );
    }
  }
}

/** Narrows a Namespace object to its labels (a Map: label keys are untrusted strings). */
function readLabels(namespace: string, body: Buffer): ReadonlyMap<string, string> {
  const what = `the Kubernetes API's namespace ${namespace}`;
  let json: unknown;
  try {
    json = parseStrictJson(body, { maxBytes: MAX_NAMESPACE_BYTES, maxDepth: 64 });
  } catch (err) {
    throw new VouchError(
      'KUBERNETES_INVALID',
      `${what} is not JSON: ${asVouchError(err).message}`,
      {
        cause: err,
      },
    );
  }
  const object = narrow(namespaceSchema, json, 'KUBERNETES_INVALID', `${what} is not a Namespace`);
  if (object.metadata.name !== namespace) {
    throw new VouchError(
      'KUBERNETES_INVALID',
      `asked for namespace ${namespace}, the Kubernetes API answered with ${printable(object.metadata.name, 64)}`,
    );
  }
  return new Map(object.metadata.labels);
}

/** `: MESSAGE` from a Status body, escaped and short; empty when the body is not one. */
function apiMessage(body: Buffer): string {
  try {
    const status = statusSchema.safeParse(
      parseStrictJson(body, { maxBytes: 64 * 1024, maxDepth: 8 }),
    );
    return status.success ? `: ${printable(status.data.message, 300)}` : '';
  } catch {
    return '';
  }
}

function aborted(signal: AbortSignal): VouchError {
  return signal.reason instanceof VouchError
    ? signal.reason
    : new VouchError('KUBERNETES_UNAVAILABLE', 'the namespace read was abandoned', {
        cause: signal.reason,
      });
}

/**
 * The reader for `vouch serve`, when it runs in a cluster; otherwise the error that says why
 * not (a configuration selecting namespaces by label is then refused).
 */
export function inClusterNamespaceLabels(
  options: InClusterOptions & ClusterNamespaceLabelsOptions = {},
): ClusterNamespaceLabels | VouchError {
  try {
    return new ClusterNamespaceLabels(KubernetesApi.inCluster(options), options);
  } catch (err) {
    return asVouchError(err);
  }
}
