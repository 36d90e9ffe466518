import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';

/** What the proxy does to a matching request instead of (or before) forwarding it. */
export type Fault =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'swap-body'; readonly body: Buffer }
  | { readonly kind: 'huge-body' };

export interface FaultRule {
  readonly match: (method: string, path: string) => boolean;
  readonly fault: Fault;
  /** How many matching requests get the fault (default: all). */
  times?: number;
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`, used as the registry host. */
  readonly host: string;
  readonly seen: { method: string; path: string }[];
  rules: FaultRule[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy between the client and the real registry that injects faults: delays,
 * dropped connections, truncated bodies, error statuses, a body swapped for other bytes (a
 * valid document served under another document's digest), or a manifest claiming 1 GiB.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const sockets = new Set<import('node:net').Socket>();
  const proxy: FaultProxy = {
    host: '',
    seen: [],
    rules: [],
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    proxy.seen.push({ method, path });
    const rule = proxy.rules.find(
      (r) => r.match(method, path) && (r.times === undefined || r.times > 0),
    );
    if (rule?.times !== undefined) rule.times--;
    void handle(rule?.fault, req, res, upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(proxy, { host: `127.0.0.1:${port}` });
}

async function handle(
  fault: Fault | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
): Promise<void> {
  switch (fault?.kind) {
    case undefined:
      return forward(req, res, upstream, (status, headers, body) =>
        res.writeHead(status, headers).end(body),
      );
    case 'delay':
      await new Promise((r) => setTimeout(r, fault.ms));
      if (res.destroyed) return;
      return forward(req, res, upstream, (status, headers, body) =>
        res.writeHead(status, headers).end(body),
      );
    case 'drop':
      req.socket.destroy();
      return;
    case 'status':
      req.resume();
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
      });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"\\u001b[31mslow down"}]}');
      return;
    case 'truncate':
      return forward(req, res, upstream, (status, headers, body) => {
        res.writeHead(status, headers);
        res.write(body.subarray(0, Math.floor(body.byteLength / 2)));
        res.socket?.destroy();
      });
    case 'swap-body':
      return forward(req, res, upstream, (status, headers) => {
        res.writeHead(status, { ...headers, 'content-length': String(fault.body.byteLength) });
        res.end(fault.body);
      });
    case 'huge-body':
      req.resume();
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': String(1024 ** 3),
      });
      res.write(Buffer.alloc(64 * 1024, 0x20));
      return;
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${String(never)}`);
    }
  }
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  reply: (status: number, headers: Record<string, string | string[]>, body: Buffer) => void,
): void {
  const headers = { ...req.headers, host: upstream };
  const out = request(
    `http://${upstream}${req.url ?? '/'}`,
    { method: req.method, headers },
    (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const copy: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined) copy[k] = v;
        // Redirects and upload locations must come back through the proxy.
        if (typeof copy.location === 'string')
          copy.location = copy.location.replace(`//${upstream}`, `//${req.headers.host ?? ''}`);
        reply(up.statusCode ?? 502, copy, Buffer.concat(chunks));
      });
    },
  );
  out.on('error', () => res.destroy());
  req.pipe(out);
}
