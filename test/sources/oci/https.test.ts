import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VouchError } from '../../../src/errors.js';
import { OciRegistry } from '../../../src/sources/oci/registry.js';
import {
  type RunningRegistry,
  registryPeersPresent,
  startRegistry,
} from '../../support/registry.js';
import { type Blob, TestLayout } from '../../support/registry-images.js';
import { bundle, makeKey, PROVENANCE, statementJson } from '../../support/signing.js';
import { type TestPki, writeTestPki } from '../../support/test-ca.js';

const present = registryPeersPresent();

async function failure(run: Promise<unknown>): Promise<VouchError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VouchError);
  return err as VouchError;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

describe.skipIf(!present)('when the registry serves HTTPS with a private CA', () => {
  let scratch: string;
  let pki: TestPki;
  let registry: RunningRegistry;
  let image: Blob;
  const key = makeKey();

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'vouch-oci-tls-'));
    pki = writeTestPki(scratch, ['IP:127.0.0.1']);
    registry = await startRegistry('anonymous', {}, { tls: pki });
    image = await new TestLayout(join(scratch, 'images')).pushedImage([registry.host]);
  });

  afterAll(async () => {
    await registry?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('resolves, pushes and discovers over https, trusting the CA given as the ca option', async () => {
    const oci = new OciRegistry({ ca: readFileSync(pki.ca) });
    try {
      const ref = `oci://${registry.host}/acme/app:v1`;
      expect((await oci.resolve(ref)).digest).toBe(image.digest);
      const signed = bundle(statementJson({ sha256: image.digest.slice(7) }, PROVENANCE, {}), key);
      const pushed = await oci.push(ref, {
        bytes: Buffer.from(signed),
        format: 'bundle',
        created: '2026-11-30T00:00:00Z',
      });
      expect(pushed.subject).toBe(image.digest);
      const found = await oci.discover(ref);
      expect(found.failures).toEqual([]);
      expect(found.documents.map((d) => d.bytes.toString())).toEqual([signed]);
    } finally {
      oci.close();
    }
  });

  it('refuses the certificate without the CA: REGISTRY_TLS, at once, saying what to trust', async () => {
    const oci = new OciRegistry();
    try {
      const err = await failure(oci.resolve(`oci://${registry.host}/acme/app:v1`));
      expect(err.code).toBe('REGISTRY_TLS');
      expect(err.message).toContain(`registry ${registry.host}`);
      expect(err.message).toMatch(/not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
      expect(err.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
      // Not retried: no retry makes an untrusted certificate trusted.
      expect(oci.stats().requests).toBe(1);
    } finally {
      oci.close();
    }
  });

  it('refuses a certificate the CA issued for another host', async () => {
    const elsewhere = join(scratch, 'elsewhere');
    mkdirSync(elsewhere);
    const other = writeTestPki(elsewhere, ['IP:192.0.2.1']);
    const server = createHttpsServer(
      { cert: readFileSync(other.cert), key: readFileSync(other.key) },
      (_req, res) => res.writeHead(200).end('{}'),
    );
    const host = await listen(server);
    const oci = new OciRegistry({ ca: readFileSync(other.ca) });
    try {
      const err = await failure(oci.resolve(`oci://${host}/acme/app:v1`));
      expect(err.code).toBe('REGISTRY_TLS');
      expect(err.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      oci.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('never falls back to plain HTTP: a registry that answers http is REGISTRY_TLS', async () => {
    const requests: string[] = [];
    const server = createHttpServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200).end('{}');
    });
    const host = await listen(server);
    const oci = new OciRegistry();
    try {
      const err = await failure(oci.resolve(`oci://${host}/acme/app:v1`));
      expect(err.code).toBe('REGISTRY_TLS');
      expect(err.message).toMatch(/does not speak TLS/);
      expect(oci.stats().requests).toBe(1);
      // The TLS hello is no HTTP request: nothing was ever sent in the clear.
      expect(requests).toEqual([]);
    } finally {
      oci.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps plain HTTP for loopback registries only', async () => {
    const oci = new OciRegistry({ plainHttp: true });
    try {
      const err = await failure(oci.resolve('oci://registry.example/acme/app:v1'));
      expect(err.code).toBe('USAGE');
      expect(err.message).toMatch(/only allowed to loopback/);
    } finally {
      oci.close();
    }
  });
});
