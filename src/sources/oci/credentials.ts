import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { decodeBase64Strict } from '../../encoding/base64.js';
import { narrow } from '../../encoding/shape.js';
import { parseStrictJson } from '../../encoding/strict-json.js';
import { VouchError } from '../../errors.js';

/** What a registry login holds: a password, or an identity (refresh) token for the token flow. */
export type Credential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'identity-token'; readonly token: string };

/** Where credentials for a registry host come from. Values never appear in messages or logs. */
export interface CredentialStore {
  get(registry: string): Promise<Credential | undefined>;
}

export const ANONYMOUS: CredentialStore = { get: async () => undefined };

const HELPER_TIMEOUT_MS = 10_000;
const MAX_HELPER_OUTPUT = 64 * 1024;
const MAX_CONFIG_BYTES = 1024 * 1024;
// Docker stores Docker Hub logins under its v1 index address.
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

const authEntry = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});
const dockerConfig = z.object({
  auths: z.record(z.string(), authEntry).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});
type DockerConfig = z.output<typeof dockerConfig>;

const helperOutput = z.object({ Username: z.string(), Secret: z.string() });

/** Runs `docker-credential-NAME get` with the server on stdin; resolves stdout, or undefined if not found. */
export type HelperRunner = (name: string, server: string) => Promise<string | undefined>;

/**
 * Docker's credential lookup: `credHelpers[host]`, then an inline `auths` entry, then
 * `credsStore`. The config is `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; a
 * missing file means anonymous access.
 */
export function dockerConfigCredentials(
  env: Readonly<Record<string, string | undefined>> = process.env,
  runHelper: HelperRunner = runCredentialHelper,
): CredentialStore {
  const dir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  const path = join(dir, 'config.json');
  let config: DockerConfig | undefined;
  const load = (): DockerConfig => {
    config ??= readDockerConfig(path);
    return config;
  };
  return {
    async get(registry) {
      const cfg = load();
      const keys = registry === 'docker.io' ? [DOCKER_HUB_KEY, 'docker.io'] : [registry];
      for (const key of keys) {
        const helper = lookup(cfg.credHelpers, key);
        if (helper !== undefined) return fromHelper(runHelper, helper, key);
      }
      for (const [key, entry] of Object.entries(cfg.auths ?? {})) {
        if (keys.includes(key) || keys.includes(hostOf(key))) {
          const inline = fromAuthEntry(entry, path, key);
          if (inline !== undefined) return inline;
        }
      }
      if (cfg.credsStore !== undefined)
        return fromHelper(runHelper, cfg.credsStore, keys[0] ?? registry);
      return undefined;
    },
  };
}

function readDockerConfig(path: string): DockerConfig {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new VouchError('IO_ERROR', `cannot read Docker config ${path}`, { cause, path });
  }
  let value: unknown;
  try {
    value = parseStrictJson(bytes, { maxBytes: MAX_CONFIG_BYTES, maxDepth: 16 });
  } catch (cause) {
    throw new VouchError('IO_ERROR', `Docker config ${path} is not valid JSON`, { cause, path });
  }
  return narrow(dockerConfig, value, 'IO_ERROR', `Docker config ${path}`, {
    hint: 'fix the file or point DOCKER_CONFIG at another directory',
  });
}

function lookup(
  record: Readonly<Record<string, string>> | undefined,
  key: string,
): string | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

// `auths` keys may be URLs (`https://host/v1/`) or bare hosts.
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

function fromAuthEntry(
  entry: z.output<typeof authEntry>,
  path: string,
  key: string,
): Credential | undefined {
  if (entry.identitytoken !== undefined && entry.identitytoken !== '') {
    return { kind: 'identity-token', token: entry.identitytoken };
  }
  if (entry.auth !== undefined && entry.auth !== '') {
    let decoded: string;
    try {
      decoded = decodeBase64Strict(entry.auth, `auths.${key}.auth`).toString('utf8');
    } catch (cause) {
      throw new VouchError(
        'IO_ERROR',
        `Docker config ${path}: auths entry for ${key} is not base64`,
        {
          cause,
          path,
        },
      );
    }
    const colon = decoded.indexOf(':');
    if (colon === -1) {
      throw new VouchError(
        'IO_ERROR',
        `Docker config ${path}: auths entry for ${key} is not user:password`,
        { path },
      );
    }
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined) {
    return { kind: 'basic', username: entry.username, password: entry.password };
  }
  return undefined;
}

async function fromHelper(
  run: HelperRunner,
  name: string,
  server: string,
): Promise<Credential | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new VouchError(
      'IO_ERROR',
      `credential helper name ${JSON.stringify(name)} is not a plain name`,
    );
  }
  const out = await run(name, server);
  if (out === undefined) return undefined;
  let value: unknown;
  try {
    value = parseStrictJson(out, { maxBytes: MAX_HELPER_OUTPUT, maxDepth: 4 });
  } catch (cause) {
    throw new VouchError(
      'REGISTRY_DENIED',
      `docker-credential-${name} printed something other than JSON`,
      { cause },
    );
  }
  const { Username, Secret } = narrow(
    helperOutput,
    value,
    'REGISTRY_DENIED',
    `docker-credential-${name} output`,
  );
  // Docker credential helpers protocol: the username `<token>` marks an identity token.
  return Username === '<token>'
    ? { kind: 'identity-token', token: Secret }
    : { kind: 'basic', username: Username, password: Secret };
}

/** The docker-credential-helpers protocol: `get`, server URL on stdin, JSON on stdout. */
export const runCredentialHelper: HelperRunner = (name, server) =>
  new Promise((resolve, reject) => {
    const program = `docker-credential-${name}`;
    const child = spawn(program, ['get'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: HELPER_TIMEOUT_MS,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_HELPER_OUTPUT) child.kill();
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 512) stderr += chunk.toString('utf8');
    });
    child.on('error', (cause) =>
      reject(
        new VouchError('REGISTRY_DENIED', `cannot run ${program}`, {
          cause,
          hint: `install ${program} or fix the Docker config`,
        }),
      ),
    );
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(chunks).toString('utf8');
      // The protocol's "not found" answer: no credentials for this server.
      if (code !== 0 && /credentials not found/i.test(stdout + stderr)) resolve(undefined);
      else if (code !== 0 || size > MAX_HELPER_OUTPUT) {
        reject(
          new VouchError('REGISTRY_DENIED', `${program} get failed (${signal ?? `exit ${code}`})`),
        );
      } else resolve(stdout);
    });
    child.stdin.end(server);
  });
