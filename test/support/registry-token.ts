import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry, TEST_LOGIN } from './registry.js';
import { writeSelfSigned } from './self-signed.js';

export const TOKEN_ISSUER = 'vouch-test-token-server';
export const TOKEN_SERVICE = 'vouch-test-registry';
/** The identity (refresh) token the server accepts in the OAuth2 refresh_token grant. */
export const TEST_IDENTITY_TOKEN = 'vouch-test-identity-token';

export interface TokenRequestSeen {
  readonly method: string;
  readonly scope: string | null;
  readonly service: string | null;
  readonly grant: string | null;
}

export interface TokenServer {
  readonly realm: string;
  readonly certificate: string;
  readonly requests: TokenRequestSeen[];
  close(): Promise<void>;
}

const b64url = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');

/**
 * A token server for docker-registry's `auth: token` (distribution "Token Authentication
 * Specification"); Debian ships none. It checks the test login (Basic on GET, or an identity
 * token through POST grant_type=refresh_token), grants the scope asked for, and signs an ES256
 * JWT whose x5c header carries a self-signed certificate that the registry's rootcertbundle
 * trusts. The key and certificate are made with openssl in `dir`.
 */
export async function startTokenServer(dir: string): Promise<TokenServer> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  writeSelfSigned(keyPath, certPath, 'vouch-test-token-server');
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = new X509Certificate(readFileSync(certPath)).raw;
  const requests: TokenRequestSeen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://token');
      const form = new URLSearchParams(
        req.method === 'POST' ? Buffer.concat(chunks).toString() : '',
      );
      const scope = url.searchParams.get('scope') ?? form.get('scope');
      requests.push({
        method: req.method ?? '',
        scope,
        service: url.searchParams.get('service') ?? form.get('service'),
        grant: form.get('grant_type'),
      });
      const basic = `Basic ${Buffer.from(`${TEST_LOGIN.username}:${TEST_LOGIN.password}`).toString('base64')}`;
      const allowed =
        req.method === 'POST'
          ? form.get('grant_type') === 'refresh_token' &&
            form.get('refresh_token') === TEST_IDENTITY_TOKEN
          : req.headers.authorization === basic;
      if (!allowed) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const access = (scope ?? '')
        .split(' ')
        .filter(Boolean)
        .map((s) => {
          const [type, name, actions] = s.split(':');
          return { type, name, actions: (actions ?? '').split(',') };
        });
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(
        JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [certDer.toString('base64')] }),
      );
      const claims = b64url(
        JSON.stringify({
          iss: TOKEN_ISSUER,
          sub: TEST_LOGIN.username,
          aud: TOKEN_SERVICE,
          exp: now + 300,
          nbf: now - 10,
          iat: now,
          jti: randomUUID(),
          access,
        }),
      );
      const signature = sign('sha256', Buffer.from(`${header}.${claims}`), {
        key,
        dsaEncoding: 'ieee-p1363',
      });
      const token = `${header}.${claims}.${b64url(signature)}`;
      const body =
        req.method === 'POST'
          ? { access_token: token, expires_in: 300 }
          : { token, expires_in: 300 };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certificate: certPath,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The token-auth registry instance, trusting `tokens` as its token server. */
export function startTokenRegistry(tokens: TokenServer): Promise<RunningRegistry> {
  return startRegistry('token', {
    REGISTRY_AUTH_TOKEN_REALM: tokens.realm,
    REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE: tokens.certificate,
    REGISTRY_AUTH_TOKEN_ISSUER: TOKEN_ISSUER,
    REGISTRY_AUTH_TOKEN_SERVICE: TOKEN_SERVICE,
  });
}
