/**
 * AdmissionReview v1 requests shaped as the apiserver sends them (the example request in the
 * Kubernetes "Dynamic Admission Control" reference: uid, kind, resource, requestKind,
 * requestResource, name, namespace, operation, userInfo, object, oldObject, options, dryRun).
 */

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface ContainerImages {
  readonly containers: readonly string[];
  readonly initContainers?: readonly string[];
  readonly ephemeralContainers?: readonly string[];
}

const USER_INFO = {
  username: 'system:serviceaccount:kube-system:replicaset-controller',
  uid: '8b9f4e3a-5c2d-4a3e-9f1b-2c7d6e5a4b3c',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

function containers(images: readonly string[], prefix: string): object[] {
  return images.map((image, i) => ({
    name: `${prefix}${i}`,
    image,
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  }));
}

/** A pod spec as the apiserver has defaulted it. */
export function podSpec(images: ContainerImages): Record<string, unknown> {
  return {
    ...(images.initContainers === undefined
      ? {}
      : { initContainers: containers(images.initContainers, 'init') }),
    containers: containers(images.containers, 'app'),
    ...(images.ephemeralContainers === undefined
      ? {}
      : { ephemeralContainers: containers(images.ephemeralContainers, 'debugger') }),
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    securityContext: {},
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}

function template(images: ContainerImages): object {
  return { metadata: { labels: { app: 'web' } }, spec: podSpec(images) };
}

const WORKLOADS: Record<
  string,
  { gvk: GroupVersionKind; resource: string; spec: (i: ContainerImages) => object }
> = {
  Pod: { gvk: { group: '', version: 'v1', kind: 'Pod' }, resource: 'pods', spec: podSpec },
  Deployment: {
    gvk: { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: 'deployments',
    spec: (i) => ({
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: template(i),
    }),
  },
  ReplicaSet: {
    gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
    resource: 'replicasets',
    spec: (i) => ({
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: template(i),
    }),
  },
  StatefulSet: {
    gvk: { group: 'apps', version: 'v1', kind: 'StatefulSet' },
    resource: 'statefulsets',
    spec: (i) => ({
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: template(i),
    }),
  },
  DaemonSet: {
    gvk: { group: 'apps', version: 'v1', kind: 'DaemonSet' },
    resource: 'daemonsets',
    spec: (i) => ({ selector: { matchLabels: { app: 'web' } }, template: template(i) }),
  },
  Job: {
    gvk: { group: 'batch', version: 'v1', kind: 'Job' },
    resource: 'jobs',
    spec: (i) => ({ backoffLimit: 6, template: template(i) }),
  },
  CronJob: {
    gvk: { group: 'batch', version: 'v1', kind: 'CronJob' },
    resource: 'cronjobs',
    spec: (i) => ({ schedule: '*/5 * * * *', jobTemplate: { spec: { template: template(i) } } }),
  },
  ReplicationController: {
    gvk: { group: '', version: 'v1', kind: 'ReplicationController' },
    resource: 'replicationcontrollers',
    spec: (i) => ({ replicas: 1, selector: { app: 'web' }, template: template(i) }),
  },
};

export const WORKLOAD_KINDS = Object.keys(WORKLOADS);

let counter = 0;

export interface ReviewOptions {
  readonly kind?: string;
  readonly namespace?: string;
  readonly operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly uid?: string;
}

/** An AdmissionReview for creating (or updating) a workload of `kind` running these images. */
export function admissionReview(
  images: ContainerImages,
  options: ReviewOptions = {},
): Record<string, unknown> {
  const workload = WORKLOADS[options.kind ?? 'Pod'];
  if (workload === undefined) throw new Error(`no fixture for ${options.kind}`);
  const namespace = options.namespace ?? 'payments';
  const operation = options.operation ?? 'CREATE';
  const resource = { group: workload.gvk.group, version: 'v1', resource: workload.resource };
  const object = {
    apiVersion: workload.gvk.group === '' ? 'v1' : `${workload.gvk.group}/v1`,
    kind: workload.gvk.kind,
    metadata: {
      name: 'web',
      namespace,
      labels: { app: 'web' },
      ...(operation === 'CREATE'
        ? {}
        : { uid: '4f5e6d7c-1111-2222-3333-444455556666', resourceVersion: '1234' }),
      managedFields: [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'v1',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': {
              'f:containers': { 'k:{"name":"app0"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
            },
          },
        },
      ],
    },
    spec: workload.spec(images),
    status: {},
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? `705ab4f5-6393-11e8-b7cc-${String(++counter).padStart(12, '0')}`,
      kind: workload.gvk,
      resource,
      requestKind: workload.gvk,
      requestResource: resource,
      name: 'web',
      namespace,
      operation,
      userInfo: USER_INFO,
      object: operation === 'DELETE' ? null : object,
      oldObject: operation === 'CREATE' ? null : object,
      dryRun: false,
      options: {
        apiVersion: 'meta.k8s.io/v1',
        kind:
          operation === 'CREATE'
            ? 'CreateOptions'
            : operation === 'UPDATE'
              ? 'UpdateOptions'
              : 'DeleteOptions',
        ...(operation === 'DELETE' ? {} : { fieldManager: 'kubectl-client-side-apply' }),
      },
    },
  };
}

/**
 * `kubectl debug -it web --image=IMAGE` sends an UPDATE of the pods/ephemeralcontainers
 * subresource whose object is the whole Pod with the new ephemeral container.
 */
export function ephemeralContainersReview(
  running: string,
  debuggerImage: string,
): Record<string, unknown> {
  const review = admissionReview(
    { containers: [running], ephemeralContainers: [debuggerImage] },
    { operation: 'UPDATE' },
  );
  const request = review.request as Record<string, unknown>;
  return {
    ...review,
    request: {
      ...request,
      subResource: 'ephemeralcontainers',
      requestSubResource: 'ephemeralcontainers',
    },
  };
}
