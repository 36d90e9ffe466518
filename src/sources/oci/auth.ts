import * as z from 'zod';
import { narrow } from '../../encoding/shape.js';
import { parseStrictJson } from '../../encoding/strict-json.js';
import { VouchError } from '../../errors.js';
import type { Challenge } from './challenge.js';
import type { Credential, CredentialStore } from './credentials.js';

/** Access a request needs (distribution token scope `repository:NAME:pull[,push]`). */
export interface Scope {
  readonly repository: string;
  readonly push: boolean;
}

export function scopeString(scope: Scope): string {
  return `repository:${scope.repository}:${scope.push ? 'pull,push' : 'pull'}`;
}

/** How the authenticator asks a token server: a GET or POST it does not authenticate itself. */
export type TokenRequest = (
  realm: URL,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Buffer },
) => Promise<Buffer>;

const MAX_TOKEN_RESPONSE = 64 * 1024;
// Token auth spec: a token without expires_in is valid for 60 seconds.
const DEFAULT_TOKEN_SECONDS = 60;
const tokenResponse = z.object({
  token: z.string().min(1).optional(),
  access_token: z.string().min(1).optional(),
  expires_in: z.number().int().positive().optional(),
});

/**
 * Answers registry challenges (distribution spec, "Token Authentication Specification"):
 * `Basic` sends the login; `Bearer realm,service[,scope]` fetches a token from the realm (with
 * the login as Basic auth, or an identity token through the OAuth2 refresh_token grant) and
 * caches it per scope until it expires. Once a scheme is known, requests carry it up front,
 * saving a 401 round trip each.
 */
export class Authenticator {
  private readonly registry: string;
  private readonly store: CredentialStore;
  private readonly checkRealm: (realm: URL) => void;
  private credential: Promise<Credential | undefined> | undefined;
  private basic = false;
  private bearer: { realm: URL; service: string | undefined } | undefined;
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();

  constructor(registry: string, store: CredentialStore, checkRealm: (realm: URL) => void) {
    this.registry = registry;
    this.store = store;
    this.checkRealm = checkRealm;
  }

  /** The Authorization header to send up front for this scope, once the scheme is known. */
  async header(scope: Scope, requestToken: TokenRequest): Promise<string | undefined> {
    if (this.bearer !== undefined) {
      const key = scopeString(scope);
      let token = this.tokens.get(key);
      if (token === undefined || token.expiresAt <= Date.now()) {
        await this.fetchToken(scope, requestToken);
        token = this.tokens.get(key);
      }
      return token === undefined ? undefined : `Bearer ${token.value}`;
    }
    if (this.basic) return this.basicHeader(await this.login());
    return undefined;
  }

  /** Answers a 401 challenge so that the request can be sent again. */
  async answer(
    challenges: readonly Challenge[],
    scope: Scope,
    requestToken: TokenRequest,
  ): Promise<void> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const realm = bearer?.params.get('realm');
    if (bearer !== undefined && realm !== undefined) {
      let url: URL;
      try {
        url = new URL(realm);
      } catch (cause) {
        throw new VouchError(
          'REGISTRY_INVALID',
          `registry ${this.registry}: token realm is not a URL`,
          { cause },
        );
      }
      this.checkRealm(url);
      this.bearer = { realm: url, service: bearer.params.get('service') };
      await this.fetchToken(scope, requestToken);
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const login = await this.login();
      if (login === undefined || login.kind !== 'basic') {
        throw this.denied('asks for a login (Basic) and no credentials are configured for it');
      }
      if (this.basic) throw this.denied('refused the configured credentials');
      this.basic = true;
      return;
    }
    throw this.denied('answered 401 without a Basic or Bearer challenge');
  }

  private async fetchToken(scope: Scope, requestToken: TokenRequest): Promise<void> {
    const bearer = this.bearer;
    if (bearer === undefined) return;
    const login = await this.login();
    const key = scopeString(scope);
    const url = new URL(bearer.realm);
    let body: Buffer;
    if (login?.kind === 'identity-token') {
      // OAuth2 refresh_token grant (token auth spec, "oauth.md").
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: login.token,
        scope: key,
        client_id: 'vouch',
      });
      if (bearer.service !== undefined) form.set('service', bearer.service);
      body = await requestToken(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()),
      });
    } else {
      if (bearer.service !== undefined) url.searchParams.set('service', bearer.service);
      url.searchParams.set('scope', key);
      const headers: Record<string, string> = {};
      const basic = this.basicHeader(login);
      if (basic !== undefined) headers.authorization = basic;
      body = await requestToken(url, { method: 'GET', headers });
    }
    let value: unknown;
    try {
      value = parseStrictJson(body, { maxBytes: MAX_TOKEN_RESPONSE, maxDepth: 8 });
    } catch (cause) {
      throw new VouchError(
        'REGISTRY_INVALID',
        `token server for ${this.registry} answered with invalid JSON`,
        { cause },
      );
    }
    const parsed = narrow(
      tokenResponse,
      value,
      'REGISTRY_INVALID',
      `token server response for ${this.registry}`,
    );
    const token = parsed.token ?? parsed.access_token;
    if (token === undefined) {
      throw new VouchError(
        'REGISTRY_INVALID',
        `token server for ${this.registry} returned no token`,
      );
    }
    const seconds = parsed.expires_in ?? DEFAULT_TOKEN_SECONDS;
    // Renew a little early: a token that expires in flight costs a 401 round trip.
    this.tokens.set(key, { value: token, expiresAt: Date.now() + seconds * 1000 - 5000 });
  }

  private login(): Promise<Credential | undefined> {
    this.credential ??= this.store.get(this.registry);
    return this.credential;
  }

  private basicHeader(login: Credential | undefined): string | undefined {
    if (login?.kind !== 'basic') return undefined;
    return `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  }

  private denied(why: string): VouchError {
    return new VouchError('REGISTRY_DENIED', `registry ${this.registry} ${why}`, {
      hint: 'log in with docker login or a credential helper, or check the account can pull/push',
    });
  }
}
