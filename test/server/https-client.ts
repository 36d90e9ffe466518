import { Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
  /** sha256 fingerprint of the certificate the server presented. */
  readonly certificate: string;
}

/** A client like the apiserver's: HTTPS with the webhook's CA, keep-alive unless told otherwise. */
export function httpsClient(ca: Buffer | string, keepAlive = true) {
  const agent = new Agent({ keepAlive, ca, maxSockets: 16 });
  const send = (url: string, method: string, payload?: unknown): Promise<HttpsAnswer> =>
    new Promise((resolve, reject) => {
      const body = payload === undefined ? undefined : JSON.stringify(payload);
      const req = request(
        url,
        {
          method,
          agent,
          headers:
            body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          // Read before the socket goes back to the agent.
          const certificate = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              certificate,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    post: (url: string, payload: unknown) => send(url, 'POST', payload),
    get: (url: string) => send(url, 'GET'),
    close: () => agent.destroy(),
  };
}

/** Polls until `check` holds (a reload is asynchronous), failing after `ms`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  ms = 10_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
