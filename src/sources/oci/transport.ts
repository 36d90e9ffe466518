import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { VouchError } from '../../errors.js';
import { Authenticator, type Scope, type TokenRequest } from './auth.js';
import { parseChallenges } from './challenge.js';
import { ANONYMOUS, type CredentialStore } from './credentials.js';
import type { Deadline } from './deadline.js';
import {
  exchange,
  type HttpExchange,
  type HttpResponse,
  NetworkFault,
  TlsFault,
} from './http-exchange.js';
import { apiHost, isLoopback } from './reference.js';

export interface TransportOptions {
  /** Allow http:// — only to loopback registries (a test or local mirror). */
  readonly plainHttp?: boolean;
  readonly credentials?: CredentialStore;
  /**
   * CA certificates (PEM) that https registries and token servers must chain to, in place of
   * Node's default roots (as node:tls `ca` does). Without it: the defaults, plus any
   * NODE_EXTRA_CA_CERTS the process started with.
   */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly requestTimeoutMs?: number;
  /** Tries per request, counting the first (429, 5xx and network faults are retried). */
  readonly maxAttempts?: number;
  /** First backoff step; it doubles per retry, with full jitter, up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface RegistryRequest {
  readonly method: HttpExchange['method'];
  /** A path under the registry (`/v2/...`) or an absolute URL it gave (an upload location). */
  readonly target: string;
  readonly accept?: string;
  readonly contentType?: string;
  readonly body?: Buffer;
  readonly maxBytes: number;
  /** What is being done, for messages: `manifest app:v1`, `blob sha256:…`. */
  readonly what: string;
  readonly scope: Scope;
  /** Statuses returned to the caller; any other is an error. */
  readonly expect: readonly number[];
}

/** Requests sent and connections opened, for benchmarks and connection-reuse tests. */
export interface TransportStats {
  requests: number;
  connections: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 3;
const MAX_ERROR_BODY = 16 * 1024;

/**
 * HTTP to one registry: keep-alive connections, per-request timeouts inside an overall
 * deadline, retries with backoff on 429/5xx and network faults (honouring Retry-After, never
 * waiting past the deadline), authentication on challenge, and bounded bodies. Every failure
 * becomes a REGISTRY_* error naming the registry and the request.
 */
export class RegistryTransport {
  readonly registry: string;
  readonly stats: TransportStats = { requests: 0, connections: 0 };
  /** The registry API's origin. */
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly auth: Authenticator;
  private readonly plainHttp: boolean;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly sockets = new WeakSet<object>();

  constructor(registry: string, options: TransportOptions = {}) {
    this.registry = registry;
    this.plainHttp = options.plainHttp === true;
    if (this.plainHttp && !isLoopback(registry)) {
      throw new VouchError(
        'USAGE',
        `plain HTTP is only allowed to loopback registries, not ${registry}`,
        {
          path: 'plainHttp',
        },
      );
    }
    this.base = new URL(`${this.plainHttp ? 'http' : 'https'}://${apiHost(registry)}`);
    const agentOptions = { keepAlive: true, maxSockets: 8 };
    this.agent = this.plainHttp
      ? new http.Agent(agentOptions)
      : new https.Agent({
          ...agentOptions,
          ...(options.ca === undefined ? {} : { ca: [options.ca].flat() }),
        });
    this.auth = new Authenticator(registry, options.credentials ?? ANONYMOUS, (realm) =>
      this.checkUrl(realm, 'token realm'),
    );
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.backoffMs = options.backoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 2000;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  async send(req: RegistryRequest, deadline: Deadline): Promise<HttpResponse> {
    const url = this.resolve(req.target);
    const label = `registry ${this.registry}: ${req.method} ${url.pathname}`;
    const requestToken: TokenRequest = (realm, init) => this.token(realm, init, label, deadline);
    let answered = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {};
      if (req.accept !== undefined) headers.accept = req.accept;
      if (req.contentType !== undefined) headers['content-type'] = req.contentType;
      // Credentials go to the registry's own origin only, never to a host a response named.
      if (url.origin === this.base.origin) {
        const authorization = await this.auth.header(req.scope, requestToken);
        if (authorization !== undefined) headers.authorization = authorization;
      }
      let res: HttpResponse;
      try {
        res = await this.follow(
          {
            method: req.method,
            url,
            headers,
            maxBytes: req.maxBytes,
            ...(req.body === undefined ? {} : { body: req.body }),
          },
          deadline,
        );
      } catch (err) {
        if (err instanceof TlsFault) throw tlsError(err, label, url);
        if (!(err instanceof NetworkFault)) throw withContext(err, label);
        await this.retryWait(attempt, undefined, deadline, `${label} failed (${err.message})`);
        continue;
      }
      if (req.expect.includes(res.status)) return res;
      if (res.status === 401 && !answered) {
        answered = true;
        await this.auth.answer(
          parseChallenges(header(res, 'www-authenticate')),
          req.scope,
          requestToken,
        );
        attempt--;
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status)) {
        await this.retryWait(
          attempt,
          header(res, 'retry-after'),
          deadline,
          `${label} answered ${res.status}${errorCodes(res)}`,
        );
        continue;
      }
      throw statusError(res, label);
    }
  }

  /** A request the registry pointed at (token realm, upload location) must not downgrade to http. */
  private checkUrl(url: URL, what: string): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && this.plainHttp && isLoopback(url.host)) return;
    throw new VouchError(
      'REGISTRY_INVALID',
      `registry ${this.registry}: ${what} ${url.origin} is not https`,
      {
        hint: 'credentials and tokens are only sent over TLS (plain HTTP only to loopback)',
      },
    );
  }

  private resolve(target: string): URL {
    const url = new URL(target, this.base);
    this.checkUrl(url, 'location');
    return url;
  }

  // GET/HEAD follow redirects (blob storage); the Authorization header stays on its origin.
  private async follow(x: HttpExchange, deadline: Deadline): Promise<HttpResponse> {
    let current = x;
    for (let hop = 0; ; hop++) {
      if (deadline.signal.aborted) throw this.expired(`${x.method} ${x.url.pathname}`);
      this.stats.requests++;
      const res = await exchange(
        current,
        this.agent,
        deadline.requestSignal(this.requestTimeoutMs),
        (socket) => {
          if (!this.sockets.has(socket)) {
            this.sockets.add(socket);
            this.stats.connections++;
          }
        },
      );
      const location = header(res, 'location');
      const redirect = [301, 302, 303, 307, 308].includes(res.status) && location !== undefined;
      if (!redirect || (x.method !== 'GET' && x.method !== 'HEAD')) return res;
      if (hop >= MAX_REDIRECTS) {
        throw new VouchError('REGISTRY_INVALID', `more than ${MAX_REDIRECTS} redirects`);
      }
      const next = new URL(location, current.url);
      this.checkUrl(next, 'redirect');
      const headers = { ...current.headers };
      if (next.origin !== current.url.origin) delete headers.authorization;
      current = { ...current, url: next, headers };
    }
  }

  private async token(
    realm: URL,
    init: Parameters<TokenRequest>[1],
    label: string,
    deadline: Deadline,
  ): Promise<Buffer> {
    const what = `${label} (token from ${realm.origin}${realm.pathname})`;
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.follow(
          {
            method: init.method,
            url: realm,
            headers: init.headers,
            maxBytes: 64 * 1024,
            ...(init.body === undefined ? {} : { body: init.body }),
          },
          deadline,
        );
      } catch (err) {
        if (err instanceof TlsFault) throw tlsError(err, what, realm);
        if (!(err instanceof NetworkFault)) throw withContext(err, what);
        await this.retryWait(attempt, undefined, deadline, `${what} failed (${err.message})`);
        continue;
      }
      if (res.status === 200) return res.body;
      if (RETRYABLE_STATUS.has(res.status)) {
        await this.retryWait(
          attempt,
          header(res, 'retry-after'),
          deadline,
          `${what} answered ${res.status}`,
        );
        continue;
      }
      throw statusError(res, what);
    }
  }

  /**
   * Waits before a retry: Retry-After if the server gave one, else exponential backoff with
   * full jitter. Fails now if the attempts are spent or the wait would pass the deadline.
   */
  private async retryWait(
    attempt: number,
    retryAfter: string | undefined,
    deadline: Deadline,
    why: string,
  ): Promise<void> {
    if (deadline.signal.aborted) throw this.expired(why);
    if (attempt >= this.maxAttempts) {
      throw new VouchError('REGISTRY_UNAVAILABLE', `${why}; gave up after ${attempt} attempts`, {
        hint: 'the registry is down or overloaded; try again later',
      });
    }
    const asked = parseRetryAfter(retryAfter);
    const backoff =
      Math.random() * Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
    const delay = asked ?? backoff;
    if (delay >= deadline.remaining()) {
      throw new VouchError(
        'REGISTRY_UNAVAILABLE',
        `${why}; a retry in ${Math.ceil(delay)} ms would pass the deadline`,
        {
          hint: 'the registry is down or overloaded; try again later or raise the deadline',
        },
      );
    }
    try {
      await sleep(delay, undefined, { signal: deadline.signal });
    } catch {
      throw this.expired(why);
    }
  }

  private expired(why: string): VouchError {
    return new VouchError('REGISTRY_UNAVAILABLE', `${why}; the deadline passed`, {
      hint: 'the registry is slow or unreachable; raise the deadline or try again',
    });
  }
}

function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date; milliseconds from now. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^[0-9]{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

// Only the registry's error codes (distribution spec "Error Codes", uppercase words) are
// quoted, never its free text: the body is untrusted and may be bound for a terminal.
function errorCodes(res: HttpResponse): string {
  if (res.body.byteLength === 0 || res.body.byteLength > MAX_ERROR_BODY) return '';
  const codes = [...res.body.toString('utf8').matchAll(/"code"\s*:\s*"([A-Z_]{1,40})"/g)].map(
    (m) => m[1],
  );
  return codes.length === 0 ? '' : ` (${[...new Set(codes)].slice(0, 3).join(', ')})`;
}

function statusError(res: HttpResponse, label: string): VouchError {
  const text = `${label} answered ${res.status}${errorCodes(res)}`;
  switch (res.status) {
    case 401:
    case 403:
      return new VouchError('REGISTRY_DENIED', text, {
        hint: 'log in with docker login or a credential helper, or check the account can pull/push',
      });
    case 404:
      return new VouchError('REGISTRY_NOT_FOUND', text, {
        hint: 'check the repository, tag or digest',
      });
    default:
      return new VouchError('REGISTRY_INVALID', text);
  }
}

/** A failed handshake as REGISTRY_TLS: never retried, never downgraded to http. */
function tlsError(fault: TlsFault, label: string, url: URL): VouchError {
  switch (fault.reason) {
    case 'untrusted-certificate':
      return new VouchError(
        'REGISTRY_TLS',
        `${label}: the TLS certificate of ${url.host} is not trusted (${fault.code})`,
        {
          cause: fault,
          hint: "trust the registry's CA certificate (NODE_EXTRA_CA_CERTS=ca.pem, or the registry's ca option); Vouch never falls back to http",
        },
      );
    case 'not-tls':
      return new VouchError(
        'REGISTRY_TLS',
        `${label}: ${url.host} does not speak TLS (${fault.code})`,
        {
          cause: fault,
          hint: 'the registry must serve https; plain HTTP is only allowed to loopback registries',
        },
      );
    default: {
      const never: never = fault.reason;
      throw new Error(`unknown TLS fault ${String(never)}`);
    }
  }
}

function withContext(err: unknown, label: string): unknown {
  if (err instanceof VouchError && !err.message.startsWith('registry ')) {
    return new VouchError(err.code, `${label}: ${err.message}`, {
      cause: err,
      ...(err.hint === undefined ? {} : { hint: err.hint }),
    });
  }
  return err;
}
