import { VouchError } from '../../errors.js';
import type { Deadline } from './deadline.js';
import { assertDigest, digestOf, type OciDigest } from './digest.js';
import type { HttpResponse } from './http-exchange.js';
import { DEFAULT_REGISTRY_LIMITS, type RegistryLimits } from './limits.js';
import { type Descriptor, type Manifest, parseManifest } from './manifest.js';
import { MANIFEST_MEDIA_TYPES, MEDIA_TYPE } from './media-types.js';
import { RegistryTransport, type TransportOptions } from './transport.js';

/** A manifest as fetched: its bytes, their digest (computed here) and the parsed document. */
export interface FetchedManifest {
  readonly digest: OciDigest;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly manifest: Manifest;
}

/** The referrers API's answer: the listing, or that the registry does not implement it. */
export type ReferrersListing =
  | { readonly supported: false }
  | {
      readonly supported: true;
      readonly descriptors: readonly Descriptor[];
      readonly filtered: boolean;
    };

const ACCEPT_MANIFESTS = MANIFEST_MEDIA_TYPES.join(', ');
const MAX_LINK = 2048;

/**
 * The distribution spec's endpoints Vouch uses, over one registry's transport. Content named
 * by digest is checked against it; content named by tag gets its digest from its bytes.
 */
export class RegistryClient {
  readonly transport: RegistryTransport;
  readonly limits: RegistryLimits;

  constructor(
    registry: string,
    options: TransportOptions & { limits?: Partial<RegistryLimits> } = {},
  ) {
    this.transport = new RegistryTransport(registry, options);
    this.limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
  }

  get registry(): string {
    return this.transport.registry;
  }

  close(): void {
    this.transport.close();
  }

  /** GET a manifest by tag or digest; REGISTRY_NOT_FOUND if absent. */
  async manifest(
    repository: string,
    reference: string,
    deadline: Deadline,
  ): Promise<FetchedManifest> {
    const found = await this.manifestIfPresent(repository, reference, deadline);
    if (found === undefined) {
      throw new VouchError(
        'REGISTRY_NOT_FOUND',
        `registry ${this.registry}: no manifest ${repository}:${reference}`,
        {
          hint: 'check the repository and tag or digest',
        },
      );
    }
    return found;
  }

  /** GET a manifest by tag or digest; undefined if the registry answers 404. */
  async manifestIfPresent(
    repository: string,
    reference: string,
    deadline: Deadline,
  ): Promise<FetchedManifest | undefined> {
    const what = `manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const res = await this.transport.send(
      {
        method: 'GET',
        target: `/v2/${repository}/manifests/${reference}`,
        accept: ACCEPT_MANIFESTS,
        maxBytes: this.limits.maxManifestBytes,
        what,
        scope: { repository, push: false },
        expect: [200, 404],
      },
      deadline,
    );
    if (res.status === 404) return undefined;
    const label = `registry ${this.registry}: ${what}`;
    const digest = reference.includes(':') ? (reference as OciDigest) : digestOf(res.body);
    if (reference.includes(':')) assertDigest(res.body, digest, label);
    const contentType = headerOf(res, 'content-type');
    const manifest = parseManifest(res.body, contentType, label, this.limits.maxManifestBytes);
    const mediaType =
      manifest.mediaType ??
      (manifest.kind === 'index' ? MEDIA_TYPE.ociIndex : MEDIA_TYPE.ociManifest);
    return { digest, mediaType, bytes: res.body, manifest };
  }

  /** GET a blob, checked against the descriptor's size and digest before anyone reads it. */
  async blob(repository: string, descriptor: Descriptor, deadline: Deadline): Promise<Buffer> {
    const label = `registry ${this.registry}: blob ${repository}@${descriptor.digest}`;
    if (descriptor.size > this.limits.maxBlobBytes) {
      throw new VouchError(
        'REGISTRY_INVALID',
        `${label} is ${descriptor.size} bytes, over the ${this.limits.maxBlobBytes}-byte limit`,
      );
    }
    const res = await this.transport.send(
      {
        method: 'GET',
        target: `/v2/${repository}/blobs/${descriptor.digest}`,
        maxBytes: descriptor.size,
        what: `blob ${descriptor.digest}`,
        scope: { repository, push: false },
        expect: [200],
      },
      deadline,
    );
    if (res.body.byteLength !== descriptor.size) {
      throw new VouchError(
        'REGISTRY_INVALID',
        `${label} is ${res.body.byteLength} bytes, its descriptor says ${descriptor.size}`,
      );
    }
    assertDigest(res.body, descriptor.digest, label);
    return res.body;
  }

  /**
   * The referrers API (distribution spec 1.1 "Listing Referrers"): an image index, paged by
   * `Link: <...>; rel="next"`. A 404 means the registry lacks the API (the caller falls back
   * to the tag schema). `filtered` says the registry applied the artifactType filter
   * (`OCI-Filters-Applied`); the caller filters again anyway.
   */
  async referrers(
    repository: string,
    subject: OciDigest,
    artifactType: string | undefined,
    deadline: Deadline,
  ): Promise<ReferrersListing> {
    const descriptors: Descriptor[] = [];
    let filtered = artifactType !== undefined;
    let target: string | undefined =
      `/v2/${repository}/referrers/${subject}${artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(artifactType)}`}`;
    for (let page = 0; target !== undefined; page++) {
      if (page >= this.limits.maxReferrersPages) {
        throw new VouchError(
          'REGISTRY_INVALID',
          `registry ${this.registry}: referrers of ${subject} run past ${this.limits.maxReferrersPages} pages`,
        );
      }
      const res = await this.transport.send(
        {
          method: 'GET',
          target,
          accept: MEDIA_TYPE.ociIndex,
          maxBytes: this.limits.maxManifestBytes,
          what: `referrers of ${subject}`,
          scope: { repository, push: false },
          expect: [200, 404],
        },
        deadline,
      );
      if (res.status === 404) {
        if (page === 0) return { supported: false };
        throw new VouchError(
          'REGISTRY_INVALID',
          `registry ${this.registry}: a referrers page of ${subject} vanished (404)`,
        );
      }
      const label = `registry ${this.registry}: referrers of ${subject}`;
      const index = parseManifest(
        res.body,
        headerOf(res, 'content-type'),
        label,
        this.limits.maxManifestBytes,
      );
      if (index.kind !== 'index')
        throw new VouchError('REGISTRY_INVALID', `${label} is not an image index`);
      descriptors.push(...index.manifests);
      if (descriptors.length > this.limits.maxArtifacts) {
        throw new VouchError(
          'REGISTRY_INVALID',
          `${label}: more than ${this.limits.maxArtifacts} referrers`,
        );
      }
      filtered &&= (headerOf(res, 'oci-filters-applied') ?? '')
        .split(',')
        .map((s) => s.trim())
        .includes('artifactType');
      target = nextLink(headerOf(res, 'link'));
    }
    return { supported: true, descriptors, filtered };
  }

  /** Uploads a blob unless the registry has it: HEAD, then POST + PUT (monolithic upload). */
  async pushBlob(repository: string, bytes: Buffer, deadline: Deadline): Promise<OciDigest> {
    const digest = digestOf(bytes);
    const scope = { repository, push: true };
    const head = await this.transport.send(
      {
        method: 'HEAD',
        target: `/v2/${repository}/blobs/${digest}`,
        maxBytes: 0,
        what: `blob ${digest}`,
        scope,
        expect: [200, 404],
      },
      deadline,
    );
    if (head.status === 200) return digest;
    const start = await this.transport.send(
      {
        method: 'POST',
        target: `/v2/${repository}/blobs/uploads/`,
        maxBytes: 64 * 1024,
        what: 'blob upload',
        scope,
        expect: [202],
        body: Buffer.alloc(0),
      },
      deadline,
    );
    const location = headerOf(start, 'location');
    if (location === undefined) {
      throw new VouchError(
        'REGISTRY_INVALID',
        `registry ${this.registry}: blob upload answered without a Location`,
      );
    }
    // Distribution spec: the upload location may be relative, and keeps its own query.
    const url = new URL(location, this.transport.base);
    url.searchParams.set('digest', digest);
    await this.transport.send(
      {
        method: 'PUT',
        target: url.toString(),
        contentType: 'application/octet-stream',
        body: bytes,
        maxBytes: 64 * 1024,
        what: `blob ${digest}`,
        scope,
        expect: [201],
      },
      deadline,
    );
    return digest;
  }

  /** PUTs a manifest under a tag or its digest; returns its digest and the OCI-Subject header. */
  async pushManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
    deadline: Deadline,
  ): Promise<{ digest: OciDigest; subject: string | undefined }> {
    const digest = digestOf(bytes);
    const res = await this.transport.send(
      {
        method: 'PUT',
        target: `/v2/${repository}/manifests/${reference}`,
        contentType: mediaType,
        body: bytes,
        maxBytes: 64 * 1024,
        what: `manifest ${repository}:${reference}`,
        scope: { repository, push: true },
        expect: [201],
      },
      deadline,
    );
    const stored = headerOf(res, 'docker-content-digest');
    if (stored !== undefined && stored !== digest) {
      throw new VouchError(
        'REGISTRY_INVALID',
        `registry ${this.registry} stored manifest ${reference} as ${stored}, not ${digest}`,
      );
    }
    return { digest, subject: headerOf(res, 'oci-subject') };
  }
}

function headerOf(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// RFC 8288 Link header, the one rel="next" target the referrers API pages with.
function nextLink(link: string | undefined): string | undefined {
  if (link === undefined || link.length > MAX_LINK) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return m?.[1];
}
