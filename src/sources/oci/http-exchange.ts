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
    req.on('error', (cause) => reject(fault(cause)));
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
