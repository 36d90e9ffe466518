import https from 'node:https';
import { join } from 'node:path';
import { VouchError } from '../errors.js';
import { readFileBounded } from '../sources/bounded-read.js';
import { exchange, type HttpResponse, NetworkFault } from '../sources/oci/http-exchange.js';
import { VOUCH_VERSION } from '../version.js';

/** Where the kubelet mounts a pod's service account: `token`, `ca.crt`, `namespace`. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** One API request; an admission may stop waiting sooner (its own deadline). */
const KUBERNETES_REQUEST_TIMEOUT_MS = 3000;
const MAX_TOKEN_BYTES = 64 * 1024;
const MAX_CA_BYTES = 1024 * 1024;

export interface InClusterOptions {
  /** The pod's environment (KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT); process.env by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The mounted service account; SERVICE_ACCOUNT_DIR by default. */
  readonly serviceAccountDir?: string;
  readonly requestTimeoutMs?: number;
}

/**
 * The Kubernetes API as an in-cluster client reaches it (client-go `rest.InClusterConfig`):
 * the apiserver's Service from the environment, the service account's bearer token, and the
 * cluster CA as the only trust anchor. The token and the CA are read afresh for each request,
 * since bound service account tokens are rotated in place by the kubelet. Nothing here logs
 * or reports the token.
 */
export class KubernetesApi {
  readonly base: URL;
  readonly #token: string;
  readonly #ca: string;
  readonly #timeoutMs: number;
  #agent: { readonly ca: Buffer; readonly agent: https.Agent } | undefined;

  private constructor(base: URL, dir: string, timeoutMs: number) {
    this.base = base;
    this.#token = join(dir, 'token');
    this.#ca = join(dir, 'ca.crt');
    this.#timeoutMs = timeoutMs;
  }

  /** The API of the cluster this process runs in; KUBERNETES_UNAVAILABLE when it is not in one. */
  static inCluster(options: InClusterOptions = {}): KubernetesApi {
    const env = options.env ?? process.env;
    const host = env.KUBERNETES_SERVICE_HOST ?? '';
    const port = env.KUBERNETES_SERVICE_PORT ?? '';
    if (host === '' || !/^\d{1,5}$/.test(port)) {
      throw new VouchError(
        'KUBERNETES_UNAVAILABLE',
        'not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set',
        { hint: 'run vouch serve in the cluster (deploy/), where the kubelet sets them' },
      );
    }
    let base: URL;
    try {
      base = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
    } catch (cause) {
      throw new VouchError(
        'KUBERNETES_UNAVAILABLE',
        `KUBERNETES_SERVICE_HOST ${JSON.stringify(host.slice(0, 100))} is not a host`,
        { cause },
      );
    }
    const api = new KubernetesApi(
      base,
      options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR,
      options.requestTimeoutMs ?? KUBERNETES_REQUEST_TIMEOUT_MS,
    );
    // Fail at startup, not at the first admission, when the service account is not mounted.
    api.#readToken();
    api.#readCa();
    return api;
  }

  /**
   * GET `path` (`/api/v1/...`) as JSON, the body bounded by `maxBytes`. Any status is returned;
   * no connection, no answer within the request timeout, or a body over the bound are errors.
   */
  async get(path: string, maxBytes: number): Promise<HttpResponse> {
    const token = this.#readToken();
    const agent = this.#agentFor(this.#readCa());
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    try {
      return await exchange(
        {
          method: 'GET',
          url: new URL(path, this.base),
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            'user-agent': `vouch/${VOUCH_VERSION}`,
          },
          maxBytes,
        },
        agent,
        timeout,
        () => {},
      );
    } catch (err) {
      if (err instanceof NetworkFault) {
        const why = timeout.aborted ? `no answer within ${this.#timeoutMs}ms` : err.message;
        throw new VouchError(
          'KUBERNETES_UNAVAILABLE',
          `cannot read ${path} from the Kubernetes API at ${this.base.host}: ${why}`,
          { cause: err, hint: 'check the apiserver and the network to it; the CA is ca.crt' },
        );
      }
      // http-exchange reports an oversized body with the registry's code.
      if (err instanceof VouchError && err.code === 'REGISTRY_INVALID') {
        throw new VouchError('KUBERNETES_INVALID', `${path}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
  }

  #readToken(): string {
    const token = this.#read(this.#token, MAX_TOKEN_BYTES, 'service account token')
      .toString('utf8')
      .trim();
    // A bearer token is visible ASCII (RFC 6750 b64token); anything else is not a token.
    if (!/^[\x21-\x7e]+$/.test(token)) {
      throw new VouchError(
        'KUBERNETES_UNAVAILABLE',
        `the service account token ${this.#token} is empty or not a bearer token`,
        { path: this.#token, hint: 'automountServiceAccountToken must not be false' },
      );
    }
    return token;
  }

  #readCa(): Buffer {
    return this.#read(this.#ca, MAX_CA_BYTES, 'cluster CA certificate');
  }

  #read(path: string, cap: number, what: string): Buffer {
    try {
      return readFileBounded(path, cap, `the ${what} ${path}`);
    } catch (cause) {
      throw new VouchError('KUBERNETES_UNAVAILABLE', `cannot read the ${what} ${path}`, {
        cause,
        path,
        hint: 'the kubelet mounts it unless automountServiceAccountToken is false',
      });
    }
  }

  /** Connections are kept alive; a rotated CA gets a new agent (and new connections). */
  #agentFor(ca: Buffer): https.Agent {
    if (this.#agent === undefined || !this.#agent.ca.equals(ca)) {
      this.#agent?.agent.destroy();
      this.#agent = { ca, agent: new https.Agent({ ca, keepAlive: true, maxSockets: 8 }) };
    }
    return this.#agent.agent;
  }
}
