import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VouchError } from '../../../src/errors.js';
import { digestOf } from '../../../src/sources/oci/digest.js';
import { readImageLayout, writeImageLayout } from '../../../src/sources/oci/layout.js';
import { parseManifest } from '../../../src/sources/oci/manifest.js';
import { MEDIA_TYPE } from '../../../src/sources/oci/media-types.js';
import { dsse, makeKey, PROVENANCE, statementJson } from '../../support/signing.js';

const D = `sha256:${'a'.repeat(64)}`;
const descriptor = { mediaType: MEDIA_TYPE.dsse, digest: D, size: 3 };
const manifest = {
  schemaVersion: 2,
  mediaType: MEDIA_TYPE.ociManifest,
  config: descriptor,
  layers: [descriptor],
};
const parse = (value: unknown, contentType?: string) =>
  parseManifest(
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    contentType,
    'm',
    1024 * 1024,
  );

describe('when narrowing manifests from a registry', () => {
  it('reads manifests and indexes, ignoring unknown fields', () => {
    expect(parse({ ...manifest, future: 1 }).kind).toBe('manifest');
    expect(parse({ schemaVersion: 2, manifests: [descriptor] }, MEDIA_TYPE.ociIndex).kind).toBe(
      'index',
    );
    expect(parse({ schemaVersion: 2, manifests: [] }).kind).toBe('index');
  });

  it.each([
    [
      'a duplicate key',
      `{"schemaVersion":2,"schemaVersion":2,"layers":[],"config":${JSON.stringify(descriptor)}}`,
    ],
    ['layers and manifests at once', { ...manifest, manifests: [] }],
    ['a mediaType the Content-Type contradicts', manifest, MEDIA_TYPE.ociIndex],
    ['an uppercase digest', { ...manifest, layers: [{ ...descriptor, digest: D.toUpperCase() }] }],
    ['a negative size', { ...manifest, layers: [{ ...descriptor, size: -1 }] }],
    ['schema version 1', { ...manifest, schemaVersion: 1 }],
    [
      'Docker schema 1',
      { ...manifest, mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' },
    ],
    ['not an object', '[1]'],
    ['JSON too deep', `${'['.repeat(40)}${']'.repeat(40)}`],
  ])('refuses %s as REGISTRY_INVALID', (_name, value, contentType?: string) => {
    expect(() => parse(value, contentType)).toThrowWithCode('REGISTRY_INVALID');
  });
});

describe('when reading an OCI image layout', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function layout(): { dir: string; doc: Buffer } {
    const parent = mkdtempSync(join(tmpdir(), 'vouch-layout-'));
    dirs.push(parent);
    const doc = Buffer.from(
      dsse(statementJson({ sha256: 'b'.repeat(64) }, PROVENANCE, {}), [makeKey()]),
    );
    const dir = join(parent, 'atts');
    writeImageLayout(
      dir,
      { digest: `sha256:${'b'.repeat(64)}`, mediaType: MEDIA_TYPE.ociManifest, size: 10 },
      [{ bytes: doc, format: 'dsse', source: 'oci://r/a@sha256:x' }],
    );
    return { dir, doc };
  }

  it('reads back what was written', () => {
    const { dir, doc } = layout();
    const docs = readImageLayout(dir);
    expect(docs.map((d) => [d.digest, d.format, d.bytes.equals(doc)])).toEqual([
      [digestOf(doc), 'dsse', true],
    ]);
  });

  it('refuses a blob whose bytes were swapped', () => {
    const { dir, doc } = layout();
    const swapped = Buffer.from(doc);
    swapped[10] = (swapped[10] ?? 0) ^ 1;
    writeFileSync(join(dir, 'blobs', 'sha256', digestOf(doc).slice(7)), swapped);
    expect(() => readImageLayout(dir)).toThrowWithCode('REGISTRY_INVALID');
  });

  it('refuses a directory without oci-layout, and an existing output directory', () => {
    const { dir } = layout();
    rmSync(join(dir, 'oci-layout'));
    expect(() => readImageLayout(dir)).toThrow(VouchError);
    expect(() =>
      writeImageLayout(
        dir,
        { digest: `sha256:${'b'.repeat(64)}`, mediaType: MEDIA_TYPE.ociManifest, size: 1 },
        [],
      ),
    ).toThrowWithCode('FILE_EXISTS');
  });
});
