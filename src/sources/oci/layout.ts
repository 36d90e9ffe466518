import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { parseStrictJson } from '../../encoding/strict-json.js';
import { VouchError } from '../../errors.js';
import { assertDigest, digestOf, type OciDigest } from './digest.js';
import type { DiscoveredDocument } from './discover.js';
import { DEFAULT_REGISTRY_LIMITS, type RegistryLimits } from './limits.js';
import { type Descriptor, parseManifest } from './manifest.js';
import {
  documentFormat,
  EMPTY_CONFIG,
  INDEX_MEDIA_TYPES,
  layerMediaType,
  MEDIA_TYPE,
} from './media-types.js';

/** A document read from an OCI image layout; `source` is its blob's path. */
export type LayoutDocument = Omit<DiscoveredDocument, 'source'> & { readonly source: string };

const LAYOUT_FILE = 'oci-layout';
const LAYOUT_VERSION = '1.0.0';
const MAX_INDEX_DEPTH = 2;

/** True when the directory is an OCI image layout (it has an `oci-layout` file). */
export function isImageLayout(dir: string): boolean {
  try {
    return lstatSync(join(dir, LAYOUT_FILE)).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads the signed documents of an OCI image layout (image spec "image-layout"): index.json,
 * its manifests (nested indexes to depth 2), and their layers whose media type is a DSSE
 * envelope or a Sigstore bundle. Every blob is a regular file checked against its size and
 * digest; counts and sizes are bounded as for a registry.
 */
export function readImageLayout(
  dir: string,
  limits: RegistryLimits = DEFAULT_REGISTRY_LIMITS,
): LayoutDocument[] {
  const marker = readJson(join(dir, LAYOUT_FILE), 4096);
  if (
    typeof marker !== 'object' ||
    marker === null ||
    (marker as { imageLayoutVersion?: unknown }).imageLayoutVersion !== LAYOUT_VERSION
  ) {
    throw invalid(dir, `${LAYOUT_FILE} does not declare imageLayoutVersion ${LAYOUT_VERSION}`);
  }
  const indexPath = join(dir, 'index.json');
  const index = parseManifest(
    readBounded(indexPath, limits.maxManifestBytes),
    MEDIA_TYPE.ociIndex,
    indexPath,
    limits.maxManifestBytes,
  );
  if (index.kind !== 'index') throw invalid(dir, 'index.json is not an image index');
  const documents = new Map<string, LayoutDocument>();
  let manifests = 0;
  const visit = (descriptors: readonly Descriptor[], depth: number): void => {
    for (const d of descriptors) {
      if (++manifests > limits.maxArtifacts)
        throw invalid(dir, `more than ${limits.maxArtifacts} manifests`);
      const isIndex = INDEX_MEDIA_TYPES.has(d.mediaType);
      if (
        !isIndex &&
        d.mediaType !== MEDIA_TYPE.ociManifest &&
        d.mediaType !== MEDIA_TYPE.dockerManifest
      )
        continue;
      const path = blobPath(dir, d.digest);
      const bytes = readBlob(dir, d, limits.maxManifestBytes);
      const manifest = parseManifest(bytes, d.mediaType, path, limits.maxManifestBytes);
      if (manifest.kind === 'index') {
        if (depth >= MAX_INDEX_DEPTH)
          throw invalid(dir, `indexes nested deeper than ${MAX_INDEX_DEPTH}`);
        visit(manifest.manifests, depth + 1);
        continue;
      }
      for (const layer of manifest.layers) {
        const format = documentFormat(layer.mediaType);
        if (format === undefined || documents.has(layer.digest)) continue;
        if (documents.size >= limits.maxDocuments)
          throw invalid(dir, `more than ${limits.maxDocuments} documents`);
        const body = readBlob(dir, layer, limits.maxBlobBytes);
        documents.set(layer.digest, {
          bytes: body,
          digest: layer.digest,
          source: blobPath(dir, layer.digest),
          mediaType: layer.mediaType,
          format,
        });
      }
    }
  };
  visit(index.manifests, 0);
  return [...documents.values()].sort((a, b) =>
    a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0,
  );
}

/** Where a layout was written and what it holds. */
export interface WrittenLayout {
  readonly dir: string;
  readonly documents: number;
}

/**
 * Writes documents attached to `subject` as a new OCI image layout: one artifact manifest per
 * document (the same shape `pushReferrer` writes, with the original location in the
 * `org.opencontainers.image.source` annotation), listed in index.json. Written beside the
 * target and renamed into place, so a reader never sees half a layout; an existing directory
 * is refused.
 */
export function writeImageLayout(
  dir: string,
  subject: { readonly digest: OciDigest; readonly mediaType: string; readonly size: number },
  documents: readonly (Pick<DiscoveredDocument, 'bytes' | 'format'> & {
    readonly source: string;
  })[],
): WrittenLayout {
  if (exists(dir)) {
    throw new VouchError('FILE_EXISTS', `${dir} already exists`, {
      path: dir,
      hint: 'choose a new directory',
    });
  }
  const temp = join(dirname(dir), `.${Date.now()}-${process.pid}.vouch-layout`);
  try {
    mkdirSync(join(temp, 'blobs', 'sha256'), { recursive: true });
    const put = (bytes: Buffer): OciDigest => {
      const digest = digestOf(bytes);
      writeFileSync(blobPath(temp, digest), bytes);
      return digest;
    };
    put(EMPTY_CONFIG.bytes);
    const entries = documents.map((doc) => {
      const mediaType = layerMediaType(doc.format);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPE.ociManifest,
          artifactType: mediaType,
          config: {
            mediaType: MEDIA_TYPE.empty,
            digest: EMPTY_CONFIG.digest,
            size: EMPTY_CONFIG.bytes.byteLength,
          },
          layers: [{ mediaType, digest: put(doc.bytes), size: doc.bytes.byteLength }],
          subject,
          annotations: { 'org.opencontainers.image.source': doc.source },
        }),
      );
      return {
        mediaType: MEDIA_TYPE.ociManifest,
        digest: put(manifest),
        size: manifest.byteLength,
        artifactType: mediaType,
      };
    });
    writeFileSync(join(temp, LAYOUT_FILE), JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }));
    writeFileSync(
      join(temp, 'index.json'),
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests: entries }),
    );
    renameSync(temp, dir);
  } catch (cause) {
    rmSync(temp, { recursive: true, force: true });
    if (cause instanceof VouchError) throw cause;
    throw new VouchError('IO_ERROR', `cannot write OCI layout ${dir}`, { cause, path: dir });
  }
  return { dir, documents: documents.length };
}

function blobPath(dir: string, digest: OciDigest): string {
  const [algorithm = '', encoded = ''] = digest.split(':');
  return join(dir, 'blobs', algorithm, encoded);
}

function readBlob(dir: string, d: Descriptor, limit: number): Buffer {
  if (d.size > limit)
    throw invalid(dir, `blob ${d.digest} is ${d.size} bytes, over the ${limit}-byte limit`);
  const path = blobPath(dir, d.digest);
  const bytes = readBounded(path, limit);
  if (bytes.byteLength !== d.size)
    throw invalid(
      dir,
      `blob ${d.digest} is ${bytes.byteLength} bytes, its descriptor says ${d.size}`,
    );
  assertDigest(bytes, d.digest, `OCI layout ${dir}: blob`);
  return bytes;
}

// Only regular files (a symlink could point anywhere), and never more than the limit.
function readBounded(path: string, limit: number): Buffer {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read ${path}`, { cause, path });
  }
  if (!stat.isFile()) throw new VouchError('IO_ERROR', `${path} is not a regular file`, { path });
  if (stat.size > limit)
    throw new VouchError(
      'REGISTRY_INVALID',
      `${path} is ${stat.size} bytes, over the ${limit}-byte limit`,
      { path },
    );
  return readFileSync(path);
}

function readJson(path: string, limit: number): unknown {
  try {
    return parseStrictJson(readBounded(path, limit), { maxBytes: limit, maxDepth: 8 });
  } catch (cause) {
    if (cause instanceof VouchError && cause.code === 'IO_ERROR') throw cause;
    throw new VouchError('REGISTRY_INVALID', `${path} is not valid JSON`, { cause, path });
  }
}

function exists(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function invalid(dir: string, why: string): VouchError {
  return new VouchError('REGISTRY_INVALID', `OCI layout ${dir}: ${why}`, {
    path: dir,
    hint: 'the layout is corrupt or tampered with; pull it again',
  });
}
