import * as z from 'zod';
import { narrow } from '../encoding/shape.js';
import { VouchError } from '../errors.js';
import type { AdmissionRequest } from './admission-review.js';

/** Where each kind that runs images keeps its pod spec (group/kind -> field path). */
const POD_SPEC_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['/Pod', ['spec']],
  ['/ReplicationController', ['spec', 'template', 'spec']],
  ['apps/Deployment', ['spec', 'template', 'spec']],
  ['apps/ReplicaSet', ['spec', 'template', 'spec']],
  ['apps/StatefulSet', ['spec', 'template', 'spec']],
  ['apps/DaemonSet', ['spec', 'template', 'spec']],
  ['batch/Job', ['spec', 'template', 'spec']],
  ['batch/CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
]);

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
/** Far above any real pod; bounds the work one request can ask for. */
const MAX_CONTAINERS = 256;

const container = z.object({ name: z.string().max(253), image: z.string().max(4096).optional() });
const containers = z.array(container).max(MAX_CONTAINERS).optional();
const podSpec = z.object({
  initContainers: containers,
  containers,
  ephemeralContainers: containers,
});

/** One image field of the object: its JSON Pointer (for JSONPatch) and its value. */
export interface ImageField {
  readonly pointer: string;
  readonly container: string;
  readonly image: string;
}

/** The kinds the webhook accepts, as `kubectl` names them (for messages). */
export const ADMITTED_KINDS = [...POD_SPEC_PATHS.keys()].map((k) => k.replace(/^\//, ''));

/**
 * Every image a Pod or workload template would run: containers, initContainers and
 * ephemeralContainers (the last also arrive as the pods/ephemeralcontainers UPDATE that
 * `kubectl debug` sends, whose object is the whole Pod).
 */
export function imageFields(request: AdmissionRequest): ImageField[] {
  const { group, kind } = request.kind;
  const path = POD_SPEC_PATHS.get(`${group}/${kind}`);
  if (path === undefined) {
    throw new VouchError(
      'ADMISSION_INVALID',
      `kind ${group === '' ? '' : `${group}/`}${kind} does not run images; this webhook admits ${ADMITTED_KINDS.join(', ')}`,
      { path: '$.request.kind', hint: "limit the webhook configuration's rules to those kinds" },
    );
  }
  let node: unknown = request.object;
  for (const [i, key] of path.entries()) {
    if (
      typeof node !== 'object' ||
      node === null ||
      Array.isArray(node) ||
      !Object.hasOwn(node, key)
    ) {
      throw new VouchError(
        'ADMISSION_INVALID',
        `request.object has no ${path.slice(0, i + 1).join('.')}`,
        {
          path: `$.request.object.${path.slice(0, i + 1).join('.')}`,
          hint: `a ${kind} carries its pod spec at ${path.join('.')}`,
        },
      );
    }
    node = (node as Record<string, unknown>)[key];
  }
  const at = ['request', 'object', ...path];
  const spec = narrow(podSpec, node, 'ADMISSION_INVALID', 'the pod spec is malformed', { at });
  const fields: ImageField[] = [];
  for (const list of CONTAINER_LISTS) {
    spec[list]?.forEach((c, i) => {
      // A template container without an image cannot start; the apiserver rejects its pods.
      if (c.image === undefined) return;
      fields.push({
        pointer: `/${[...path, list, i, 'image'].join('/')}`,
        container: c.name,
        image: c.image,
      });
    });
  }
  return fields;
}
