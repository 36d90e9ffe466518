import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';

export interface ReferrersProxy {
  /** `127.0.0.1:PORT`, used as the registry host. */
  readonly host: string;
  /** Referrers listings served (`GET /v2/REPO/referrers/DIGEST`). */
  readonly listings: string[];
  close(): Promise<void>;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const INDEX = 'application/vnd.oci.image.index.v1+json';
const REFERRERS = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})(?:\?artifactType=([^&]+))?$/;
const MANIFEST_PUT = /^\/v2\/(.+)\/manifests\/[^/]+$/;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * docker-registry 2.8 with the OCI 1.1 referrers API in front of it (distribution spec 1.1
 * "Pushing Manifests with Subject" and "Listing Referrers"): a manifest PUT with a `subject`
 * is answered with `OCI-Subject` and recorded, and `GET /v2/REPO/referrers/DIGEST` lists what
 * was recorded (artifactType and annotations copied from each manifest, the artifactType
 * filter applied and said so in `OCI-Filters-Applied`). Everything else is forwarded as is.
 */
export async function startReferrersProxy(upstream: string): Promise<ReferrersProxy> {
  const recorded = new Map<string, Descriptor[]>();
  const listings: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      const listing = REFERRERS.exec(url);
      if (req.method === 'GET' && listing !== null) {
        listings.push(url);
        const [, repository, subject, filter] = listing;
        const wanted = filter === undefined ? undefined : decodeURIComponent(filter);
        const manifests = (recorded.get(`${repository}@${subject}`) ?? []).filter(
          (d) => wanted === undefined || d.artifactType === wanted,
        );
        res.writeHead(200, {
          'content-type': INDEX,
          ...(wanted === undefined ? {} : { 'oci-filters-applied': 'artifactType' }),
        });
        res.end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
        return;
      }
      const bytes = await body(req);
      const put = req.method === 'PUT' ? MANIFEST_PUT.exec(url) : null;
      const out = request(
        `http://${upstream}${url}`,
        { method: req.method, headers: { ...req.headers, host: upstream } },
        (up) => {
          const headers: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(up.headers)) if (v !== undefined) headers[k] = v;
          if (typeof headers.location === 'string')
            headers.location = headers.location.replace(`//${upstream}`, `//${req.headers.host}`);
          if (put !== null && up.statusCode === 201) {
            const manifest = JSON.parse(bytes.toString()) as {
              mediaType?: string;
              artifactType?: string;
              config?: { mediaType?: string };
              subject?: { digest?: string };
              annotations?: Record<string, string>;
            };
            const subject = manifest.subject?.digest;
            if (subject !== undefined) {
              const key = `${put[1]}@${subject}`;
              const entry: Descriptor = {
                mediaType: manifest.mediaType ?? String(req.headers['content-type']),
                digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
                size: bytes.byteLength,
                artifactType: manifest.artifactType ?? manifest.config?.mediaType ?? '',
                ...(manifest.annotations === undefined
                  ? {}
                  : { annotations: manifest.annotations }),
              };
              recorded.set(key, [...(recorded.get(key) ?? []), entry]);
              headers['oci-subject'] = subject;
            }
          }
          res.writeHead(up.statusCode ?? 502, headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(bytes);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    listings,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
