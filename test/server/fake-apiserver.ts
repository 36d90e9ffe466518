import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../support/cli.js';
import { writeSelfSigned } from '../support/self-signed.js';

/**
 * A Namespace as `kubectl get namespace payments -o json` prints it (the apiserver adds
 * `kubernetes.io/metadata.name` to every namespace since Kubernetes 1.21).
 */
export function namespaceObject(name: string, labels: Record<string, string>): object {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      creationTimestamp: '2026-11-01T08:00:00Z',
      labels: { 'kubernetes.io/metadata.name': name, ...labels },
      managedFields: [
        {
          apiVersion: 'v1',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:labels': { '.': {}, 'f:kubernetes.io/metadata.name': {} } },
          },
          manager: 'kubectl-create',
          operation: 'Update',
          time: '2026-11-01T08:00:00Z',
        },
      ],
      name,
      resourceVersion: '48213',
      uid: '0f5d7e4c-9a8b-4c1d-b2e3-4f5a6b7c8d9e',
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** A meta/v1 Status as the apiserver answers a failed request. */
export function statusObject(code: 401 | 403 | 404 | 500, name: string): object {
  const failure = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code };
  const details = { name, kind: 'namespaces' };
  switch (code) {
    case 401:
      return { ...failure, message: 'Unauthorized', reason: 'Unauthorized' };
    case 403:
      return {
        ...failure,
        message: `namespaces "${name}" is forbidden: User "system:serviceaccount:vouch-system:vouch-webhook" cannot get resource "namespaces" in API group "" in the namespace "${name}"`,
        reason: 'Forbidden',
        details,
      };
    case 404:
      return { ...failure, message: `namespaces "${name}" not found`, reason: 'NotFound', details };
    case 500:
      return { ...failure, message: 'etcdserver: request timed out', reason: 'InternalError' };
  }
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly accept: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A loopback HTTPS apiserver with its own self-signed CA, and a service account directory
 * (token, ca.crt) for it, laid out as the kubelet mounts one. By default it answers
 * `GET /api/v1/namespaces/{name}` from `namespaces`, and 404 for the others.
 */
export class FakeApiserver {
  readonly dir = tempDir('vouch-apiserver-');
  readonly serviceAccountDir = join(this.dir, 'serviceaccount');
  readonly namespaces = new Map<string, Record<string, string>>();
  readonly requests: SeenRequest[] = [];
  token = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLTE.sig-one';
  /** Replaces the default answers (slow, huge, junk ...). */
  handler: Handler | undefined;
  #server: Server | undefined;
  #port = 0;

  static async start(): Promise<FakeApiserver> {
    const api = new FakeApiserver();
    mkdirSync(api.serviceAccountDir);
    const key = join(api.dir, 'apiserver.key');
    const cert = join(api.dir, 'apiserver.crt');
    writeSelfSigned(key, cert, 'kube-apiserver', ['IP:127.0.0.1', 'DNS:kubernetes.default.svc']);
    writeFileSync(join(api.serviceAccountDir, 'ca.crt'), readFileSync(cert));
    api.rotateToken(api.token);
    await api.listen(readFileSync(key), readFileSync(cert));
    return api;
  }

  /** What the kubelet sets in the pod's environment. */
  get env(): Record<string, string> {
    return { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(this.#port) };
  }

  get cluster(): { env: Record<string, string>; serviceAccountDir: string } {
    return { env: this.env, serviceAccountDir: this.serviceAccountDir };
  }

  /** The kubelet rewrites the projected token before it expires. */
  rotateToken(token: string): void {
    this.token = token;
    writeFileSync(join(this.serviceAccountDir, 'token'), token);
  }

  /** Stops answering (the apiserver is down); `restart` brings it back on the same port. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.listen(
      readFileSync(join(this.dir, 'apiserver.key')),
      readFileSync(join(this.dir, 'apiserver.crt')),
      this.#port,
    );
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private listen(key: Buffer, cert: Buffer, port = 0): Promise<void> {
    const server = createServer({ key, cert }, (req, res) => {
      this.requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization ?? '',
        accept: req.headers.accept ?? '',
      });
      if (this.handler !== undefined) {
        this.handler(req, res);
        return;
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        json(res, 401, statusObject(401, ''));
        return;
      }
      const name = /^\/api\/v1\/namespaces\/([^/?]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const labels = this.namespaces.get(name);
      if (labels === undefined) json(res, 404, statusObject(404, name));
      else json(res, 200, namespaceObject(name, labels));
    });
    this.#server = server;
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => {
        this.#port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }
}

export function json(res: ServerResponse, status: number, body: object | string): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
