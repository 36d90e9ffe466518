import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import {
  Key,
  Metadata,
  MetaFile,
  Root,
  Signature,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
} from '@tufjs/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { vectorText } from '../support/paths.js';

const SPEC_VERSION = '1.0.31';
const EXPIRES = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const TRUSTED_ROOT = vectorText('sigstore-trust-roots', 'production', 'trusted_root.json');

/** An ed25519 TUF key: keyid per the TUF spec, sha256 of the key's canonical JSON. */
function tufKey(): { key: Key; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const canonical = `{"keytype":"ed25519","keyval":{"public":"${raw}"},"scheme":"ed25519"}`;
  const keyID = createHash('sha256').update(canonical).digest('hex');
  return {
    key: new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: raw } }),
    privateKey,
  };
}

/**
 * A real TUF repository (one key for every top-level role) serving `target` as
 * trusted_root.json; the target metadata records `recorded` (a tampered target differs).
 */
function buildRepository(dir: string, target: string, recorded = target): void {
  const { key, privateKey } = tufKey();
  const signer = (data: Buffer): Signature =>
    new Signature({ keyID: key.keyID, sig: sign(null, data, privateKey).toString('hex') });
  const common = { version: 1, specVersion: SPEC_VERSION, expires: EXPIRES };
  const root = new Root({ ...common, consistentSnapshot: false });
  for (const role of ['root', 'targets', 'snapshot', 'timestamp']) root.addKey(key, role);
  const targets = new Targets(common);
  const bytes = Buffer.from(recorded);
  targets.addTarget(
    new TargetFile({
      path: 'trusted_root.json',
      length: bytes.length,
      hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
    }),
  );
  const snapshot = new Snapshot({
    ...common,
    meta: { 'targets.json': new MetaFile({ version: 1 }) },
  });
  const timestamp = new Timestamp({ ...common, snapshotMeta: new MetaFile({ version: 1 }) });
  mkdirSync(join(dir, 'targets'), { recursive: true });
  const write = (name: string, signed: Root | Targets | Snapshot | Timestamp): void => {
    const metadata = new Metadata(signed);
    metadata.sign(signer);
    writeFileSync(join(dir, name), JSON.stringify(metadata.toJSON()));
  };
  write('1.root.json', root);
  write('root.json', root);
  write('targets.json', targets);
  write('snapshot.json', snapshot);
  write('timestamp.json', timestamp);
  writeFileSync(join(dir, 'targets', 'trusted_root.json'), target);
}

/** Serves a directory on 127.0.0.1 (404 for anything missing, as a TUF mirror does). */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const body = readFileSync(join(dir, path));
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('vouch trust update', () => {
  const dir = tempDir('vouch-tuf-');
  const servers: Server[] = [];
  let good: string;
  let tampered: string;

  beforeAll(async () => {
    buildRepository(join(dir, 'good'), TRUSTED_ROOT);
    buildRepository(
      join(dir, 'tampered'),
      TRUSTED_ROOT.replace('rekor.sigstore.dev', 'rekor.evil.example'),
      TRUSTED_ROOT,
    );
    for (const name of ['good', 'tampered']) {
      const { server, url } = await serve(join(dir, name));
      servers.push(server);
      if (name === 'good') good = url;
      else tampered = url;
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refreshes the trusted root through TUF and writes the target byte for byte', async () => {
    const out = join(dir, 'trusted_root.json');
    const result = await runCli(
      'trust',
      'update',
      '--tuf-url',
      good,
      '--tuf-root',
      join(dir, 'good', 'root.json'),
      '--out',
      out,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(TRUSTED_ROOT);
    const shown = await runCli('trust', 'show', '--trusted-root', out);
    expect(shown.stdout).toMatch(
      /transparency log {4}https:\/\/rekor\.sigstore\.dev {2}2021-01-12T11:53:27Z \.\. open/,
    );
  });

  it('refuses a target that does not match its signed hashes, and leaves the old file', async () => {
    const out = join(dir, 'kept.json');
    writeFileSync(out, 'old');
    const result = await runCli(
      'trust',
      'update',
      '--tuf-url',
      tampered,
      '--tuf-root',
      join(dir, 'tampered', 'root.json'),
      '--out',
      out,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vouch: error TUF_UPDATE_FAILED/);
    expect(readFileSync(out, 'utf8')).toBe('old');
  });

  it('refuses a repository whose root.json is not the one it was started from', async () => {
    const result = await runCli(
      'trust',
      'update',
      '--tuf-url',
      good,
      '--tuf-root',
      join(dir, 'tampered', 'root.json'),
      '--out',
      join(dir, 'x.json'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TUF_UPDATE_FAILED/);
  });

  it('fails closed when nothing answers', async () => {
    const result = await runCli(
      'trust',
      'update',
      '--tuf-url',
      'http://127.0.0.1:9',
      '--tuf-root',
      join(dir, 'good', 'root.json'),
      '--out',
      join(dir, 'y.json'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TUF_UPDATE_FAILED/);
  });
});

describe('vouch trust show', () => {
  it('lists the shipped public-good root with its validity windows', async () => {
    const result = await runCli('trust', 'show', '--output', 'json');
    expect(result.code).toBe(0);
    const [root] = JSON.parse(result.stdout) as {
      source: string;
      members: { kind: string; validUntil: string | null }[];
    }[];
    expect(root?.source).toMatch(/public-good/);
    expect(root?.members.filter((m) => m.kind === 'ca').map((m) => m.validUntil)).toEqual([
      '2022-12-31T23:59:59.999Z',
      null,
    ]);
  });

  it('reports a root without a validity start as TRUST_ROOT_INVALID', async () => {
    const dir = tempDir('vouch-root-');
    try {
      const file = join(dir, 'root.json');
      writeFileSync(
        file,
        TRUSTED_ROOT.replace('"start": "2021-01-12T11:53:27Z"', '"notStart": "x"'),
      );
      const result = await runCli('trust', 'show', '--trusted-root', file);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/TRUST_ROOT_INVALID/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
