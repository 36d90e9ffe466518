import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VouchError } from '../../../src/errors.js';
import { dockerConfigCredentials } from '../../../src/sources/oci/credentials.js';
import { OciRegistry } from '../../../src/sources/oci/registry.js';
import {
  type RunningRegistry,
  registryPeersPresent,
  startRegistry,
  TEST_LOGIN,
} from '../../support/registry.js';
import { type Blob, TestLayout } from '../../support/registry-images.js';
import {
  startTokenRegistry,
  startTokenServer,
  TEST_IDENTITY_TOKEN,
  TOKEN_SERVICE,
  type TokenServer,
} from '../../support/registry-token.js';

const present = registryPeersPresent();

function dockerConfig(dir: string, name: string, config: unknown): Record<string, string> {
  const configDir = join(dir, name);
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'config.json'), JSON.stringify(config));
  return { DOCKER_CONFIG: configDir };
}

const basicAuth = (user: string, password: string) =>
  Buffer.from(`${user}:${password}`).toString('base64');

async function failure(run: Promise<unknown>): Promise<VouchError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VouchError);
  return err as VouchError;
}

describe.skipIf(!present)('when the registry asks for a login', () => {
  let scratch: string;
  let basic: RunningRegistry;
  let token: RunningRegistry;
  let tokens: TokenServer;
  let image: Blob;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'vouch-oci-auth-'));
    tokens = await startTokenServer(scratch);
    basic = await startRegistry('htpasswd');
    token = await startTokenRegistry(tokens);
    image = await new TestLayout(join(scratch, 'images')).pushedImage([basic.host, token.host], {
      login: true,
    });
  });

  afterAll(async () => {
    await basic?.stop();
    await token?.stop();
    await tokens?.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  describe('with htpasswd (Basic)', () => {
    it('reads with the login from the Docker config auths', async () => {
      const env = dockerConfig(scratch, 'basic-ok', {
        auths: { [basic.host]: { auth: basicAuth(TEST_LOGIN.username, TEST_LOGIN.password) } },
      });
      const oci = new OciRegistry({ plainHttp: true, credentials: dockerConfigCredentials(env) });
      try {
        expect((await oci.resolve(`oci://${basic.host}/acme/app:v1`)).digest).toBe(image.digest);
        // The scheme is known after the first challenge: the next request carries the login up front.
        const before = oci.stats().requests;
        await oci.resolve(`oci://${basic.host}/acme/app:v1`);
        expect(oci.stats().requests - before).toBe(1);
      } finally {
        oci.close();
      }
    });

    it('is REGISTRY_DENIED without a login, naming the registry', async () => {
      const oci = new OciRegistry({
        plainHttp: true,
        credentials: dockerConfigCredentials(dockerConfig(scratch, 'empty', {})),
      });
      const err = await failure(oci.resolve(`oci://${basic.host}/acme/app:v1`));
      oci.close();
      expect(err.code).toBe('REGISTRY_DENIED');
      expect(err.message).toContain(basic.host);
    });

    it('is REGISTRY_DENIED with a wrong password, which no message repeats', async () => {
      const env = dockerConfig(scratch, 'basic-bad', {
        auths: { [`http://${basic.host}`]: { username: 'vouch', password: 'wrong-secret-xyz' } },
      });
      const oci = new OciRegistry({ plainHttp: true, credentials: dockerConfigCredentials(env) });
      const err = await failure(oci.resolve(`oci://${basic.host}/acme/app:v1`));
      oci.close();
      expect(err.code).toBe('REGISTRY_DENIED');
      expect(`${err.describe()} ${String(err.cause)}`).not.toContain('wrong-secret-xyz');
    });

    it('asks a docker-credential helper named in credHelpers', async () => {
      const bin = join(scratch, 'bin');
      mkdirSync(bin, { recursive: true });
      const helper = join(bin, 'docker-credential-vouchtest');
      writeFileSync(
        helper,
        `#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "${basic.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\necho '{"ServerURL":"'"$server"'","Username":"${TEST_LOGIN.username}","Secret":"${TEST_LOGIN.password}"}'\n`,
      );
      chmodSync(helper, 0o755);
      const path = process.env.PATH;
      process.env.PATH = `${bin}:${path ?? ''}`;
      try {
        const env = dockerConfig(scratch, 'helper', { credHelpers: { [basic.host]: 'vouchtest' } });
        const oci = new OciRegistry({ plainHttp: true, credentials: dockerConfigCredentials(env) });
        expect((await oci.resolve(`oci://${basic.host}/acme/app:v1`)).digest).toBe(image.digest);
        oci.close();
        // credsStore: the same helper as the default store; it knows no other server
        const store = dockerConfigCredentials(
          dockerConfig(scratch, 'store', { credsStore: 'vouchtest' }),
        );
        expect(await store.get(basic.host)).toEqual({
          kind: 'basic',
          username: TEST_LOGIN.username,
          password: TEST_LOGIN.password,
        });
        expect(await store.get('other.example:5000')).toBeUndefined();
      } finally {
        process.env.PATH = path;
      }
    });
  });

  describe('with token auth (Bearer realm, service, scope)', () => {
    it('gets a pull-scoped token with the login and reads with it', async () => {
      const env = dockerConfig(scratch, 'token-ok', {
        auths: { [token.host]: { auth: basicAuth(TEST_LOGIN.username, TEST_LOGIN.password) } },
      });
      const oci = new OciRegistry({ plainHttp: true, credentials: dockerConfigCredentials(env) });
      tokens.requests.length = 0;
      try {
        expect((await oci.resolve(`oci://${token.host}/acme/app:v1`)).digest).toBe(image.digest);
        expect(tokens.requests).toEqual([
          { method: 'GET', scope: 'repository:acme/app:pull', service: TOKEN_SERVICE, grant: null },
        ]);
        // cached per scope: no second token request, no second 401
        const before = oci.stats().requests;
        await oci.discover(`oci://${token.host}/acme/app:v1`);
        expect(tokens.requests).toHaveLength(1);
        expect(oci.stats().requests - before).toBe(4); // manifest, referrers, tag schema, .att
      } finally {
        oci.close();
      }
    });

    it('uses an identity token through the refresh_token grant', async () => {
      const env = dockerConfig(scratch, 'token-identity', {
        auths: { [token.host]: { identitytoken: TEST_IDENTITY_TOKEN } },
      });
      const oci = new OciRegistry({ plainHttp: true, credentials: dockerConfigCredentials(env) });
      tokens.requests.length = 0;
      try {
        expect((await oci.resolve(`oci://${token.host}/acme/app:v1`)).digest).toBe(image.digest);
        expect(tokens.requests.map((r) => [r.method, r.grant])).toEqual([
          ['POST', 'refresh_token'],
        ]);
      } finally {
        oci.close();
      }
    });

    it('is REGISTRY_DENIED when the token server refuses', async () => {
      const env = dockerConfig(scratch, 'token-bad', {
        auths: { [token.host]: { auth: basicAuth('vouch', 'not-the-password') } },
      });
      const oci = new OciRegistry({ plainHttp: true, credentials: dockerConfigCredentials(env) });
      const err = await failure(oci.resolve(`oci://${token.host}/acme/app:v1`));
      oci.close();
      expect(err.code).toBe('REGISTRY_DENIED');
      expect(err.describe()).not.toContain('not-the-password');
    });

    it('refuses a token realm over plain HTTP to a registry reached over HTTPS', async () => {
      // Simulated by a non-loopback realm in a challenge: plain HTTP is allowed to loopback only.
      const { Authenticator } = await import('../../../src/sources/oci/auth.js');
      const checks: string[] = [];
      const auth = new Authenticator(
        'registry.example',
        { get: async () => undefined },
        (realm) => {
          checks.push(realm.href);
          throw new VouchError('REGISTRY_INVALID', 'not https');
        },
      );
      const challenge = [
        { scheme: 'bearer', params: new Map([['realm', 'http://evil.example/token']]) },
      ];
      await expect(
        auth.answer(challenge, { repository: 'a', push: false }, async () => Buffer.from('{}')),
      ).rejects.toThrowError('not https');
      expect(checks).toEqual(['http://evil.example/token']);
    });
  });
});
