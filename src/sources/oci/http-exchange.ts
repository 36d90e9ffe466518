import http from 'node:http';
import https from 'node:https';
import { VouchError } from '../../errors.js';

/** One HTTP response, its body read whole and bounded. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly url: URL;
}

export interface HttpExchange {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** Bodies over this are refused (Content-Length first, then counted while streaming). */
  readonly maxBytes: number;
}

/** A transport fault worth retrying (connection refused or reset, truncated body, per-request timeout). */
export class NetworkFault extends Error {
  override readonly name = 'NetworkFault';
}

/** Sends one request on the agent and reads the response body up to `maxBytes`. */
export function exchange(
  x: HttpExchange,
  agent: http.Agent,
  signal: AbortSignal,
  onSocket: (socket: object) => void,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const send = x.url.protocol === 'https:' ? https.request : http.request;
    const headers: Record<string, string> = { ...x.headers };
    if (x.body !== undefined) headers['content-length'] = String(x.body.byteLength);
    const req = send(x.url, { method: x.method, headers, agent, signal });
    req.on('socket', onSocket);
    req.on('error', (cause) => reject(tlsFault(cause, x.url) ?? fault(cause)));
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > x.maxBytes && x.method !== 'HEAD') {
        res.destroy();
        reject(tooLarge(declared, x.maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > x.maxBytes) {
          // Before destroy(): it emits 'aborted' at once, which would report a truncation.
          reject(tooLarge(size, x.maxBytes));
          res.destroy();
        } else chunks.push(chunk);
      });
      res.on('error', (cause) => reject(fault(cause)));
      // 'aborted' without 'end': the peer closed the connection mid-body (truncation).
      res.on('aborted', () => reject(new NetworkFault('response body truncated')));
      res.on('end', () => {
        if (!res.complete) {
          reject(new NetworkFault('response body truncated'));
          return;
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks, size),
          url: x.url,
        });
      });
    });
    req.end(x.body);
  });
}

// OpenSSL's certificate verification results (X509_V_ERR_* as Node names them) and Node's
// hostname check: the peer is not one the trusted CAs vouch for, which no retry changes.
const CERTIFICATE_ERRORS: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A TLS handshake that failed for a reason no retry changes: the peer's certificate is not
 * trusted, or the peer does not speak TLS (EPROTO, ERR_SSL_*: plain HTTP on an https URL).
 * Still a NetworkFault to callers that do not tell them apart.
 */
export class TlsFault extends NetworkFault {
  readonly reason: 'untrusted-certificate' | 'not-tls';
  readonly code: string;

  constructor(reason: TlsFault['reason'], code: string, cause: unknown) {
    super(code, { cause });
    this.reason = reason;
    this.code = code;
  }
}

function tlsFault(cause: unknown, url: URL): TlsFault | undefined {
  if (url.protocol !== 'https:') return undefined;
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  if (CERTIFICATE_ERRORS.has(code)) return new TlsFault('untrusted-certificate', code, cause);
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_')) return new TlsFault('not-tls', code, cause);
  return undefined;
}

function fault(cause: unknown): NetworkFault {
  const code = (cause as NodeJS.ErrnoException).code;
  const what = code ?? (cause instanceof Error ? cause.name : 'error');
  return new NetworkFault(what, { cause });
}

function tooLarge(size: number, limit: number): VouchError {
  return new VouchError(
    'REGISTRY_INVALID',
    `response of ${size} bytes is over the ${limit}-byte limit`,
    {
      hint: 'the registry serves content larger than Vouch accepts',
    },
  );
}
