import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestPki } from './test-ca.js';
import { REPO } from './vectors.js';

/** Debian's docker-registry (distribution 2.8) and skopeo, the real peers of the OCI tests. */
export const REGISTRY_BIN = 'docker-registry';
export const SKOPEO_BIN = 'skopeo';

/** The htpasswd instance's test-only login (test/registry/htpasswd holds its bcrypt hash). */
export const TEST_LOGIN = { username: 'vouch', password: 'vouch-test-password' } as const;

function onPath(bin: string): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether the registry tests can run. Absent peers skip them with one line, unless
 * VOUCH_REQUIRE_REGISTRY=1 (.ci/run sets it), which makes their absence a failure.
 */
export function registryPeersPresent(): boolean {
  const missing = [REGISTRY_BIN, SKOPEO_BIN].filter((bin) => !onPath(bin));
  if (missing.length === 0) return true;
  const how = 'apt-get install docker-registry skopeo (.ci/run installs them)';
  if (process.env.VOUCH_REQUIRE_REGISTRY === '1') {
    throw new Error(`VOUCH_REQUIRE_REGISTRY=1 but ${missing.join(' and ')} missing: ${how}`);
  }
  console.warn(`skipping the OCI registry tests: ${missing.join(' and ')} not installed (${how})`);
  return false;
}

export type RegistryAccess = 'anonymous' | 'htpasswd' | 'token';

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the registry name in references. */
  readonly host: string;
  /** Its filesystem storage root (what an attacker with write access to the registry edits). */
  readonly storage: string;
  readonly stop: () => Promise<void>;
}

/** A free loopback port (the registry cannot report one it picked itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts docker-registry on loopback with the repository's config for this access mode and
 * a fresh storage directory; `stop` kills it and removes the directory. With `tls`, it serves
 * HTTPS with that server certificate (REGISTRY_HTTP_TLS_*).
 */
export async function startRegistry(
  access: RegistryAccess,
  env: Readonly<Record<string, string>> = {},
  options: { readonly tls?: TestPki } = {},
): Promise<RunningRegistry> {
  const { tls } = options;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const storage = mkdtempSync(join(tmpdir(), 'vouch-registry-'));
  const child: ChildProcess = spawn(
    REGISTRY_BIN,
    ['serve', join(REPO, 'test', 'registry', `config-${access}.yml`)],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        // Info level for its "listening on" line: the proof that this instance holds the port.
        REGISTRY_LOG_LEVEL: 'info',
        REGISTRY_HTTP_ADDR: host,
        REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: storage,
        ...(access === 'htpasswd'
          ? { REGISTRY_AUTH_HTPASSWD_PATH: join(REPO, 'test', 'registry', 'htpasswd') }
          : {}),
        ...(tls === undefined
          ? {}
          : { REGISTRY_HTTP_TLS_CERTIFICATE: tls.cert, REGISTRY_HTTP_TLS_KEY: tls.key }),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  let listening = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString('utf8');
    listening ||= stderr.includes(`listening on ${host}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(storage, { recursive: true, force: true });
  };
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry (${access}) exited: ${stderr}`);
    }
    // A port picked free can be taken by another test's registry before this one binds it:
    // only an answer after this instance said it listens is this instance's.
    try {
      const status = listening ? await probe(host, tls) : 0;
      if (status === 200 || status === 401) return { host, storage, stop };
    } catch {
      // not answering yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`docker-registry (${access}) did not start on ${host}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The status of `GET /v2/`, over HTTPS trusting the test CA when the registry serves TLS. */
async function probe(host: string, tls: TestPki | undefined): Promise<number> {
  if (tls === undefined) {
    const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `https://${host}/v2/`,
      { ca: readFileSync(tls.ca), timeout: 1000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/**
 * Runs skopeo (no signature policy: the tests push unsigned images to a loopback registry).
 * Asynchronous: the token server it may talk to runs in this process.
 */
export function skopeo(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      SKOPEO_BIN,
      ['--insecure-policy', ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err === null) resolve(stdout);
        else reject(new Error(`skopeo ${args.join(' ')} failed: ${stderr || err.message}`));
      },
    );
  });
}
