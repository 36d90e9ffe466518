import { VouchError } from '../../errors.js';
import { type OciDigest, parseDigest } from './digest.js';

/** An image in a registry: `registry/repository` with a tag, a digest, or both. */
export interface ImageReference {
  /** Host[:port] as written (`docker.io` for Docker Hub). */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: OciDigest;
}

export const OCI_SCHEME = 'oci://';
const DOCKER_HUB = 'docker.io';
// Docker Hub's API lives on another host than its reference name.
const DOCKER_HUB_API = 'registry-1.docker.io';

// Distribution reference grammar (distribution/reference, OCI distribution spec "name").
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`,
);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

/**
 * Parses `oci://HOST[:PORT]/REPO(:TAG|@sha256:HEX)` (the `oci://` prefix is optional). As in
 * Docker, a first component without `.` or `:` that is not `localhost` is a Docker Hub
 * repository, and a one-component Docker Hub name lives under `library/`.
 */
export function parseReference(text: string): ImageReference {
  const bad = (why: string): VouchError =>
    new VouchError('USAGE', `${JSON.stringify(text)} is not an image reference: ${why}`, {
      path: 'reference',
      hint: 'write oci://HOST[:PORT]/REPOSITORY:TAG or oci://HOST/REPOSITORY@sha256:HEX',
    });
  let rest = text.startsWith(OCI_SCHEME) ? text.slice(OCI_SCHEME.length) : text;
  let digest: OciDigest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const digestText = rest.slice(at + 1);
    const parsed = parseDigest(digestText);
    if (parsed === undefined)
      throw bad(`${JSON.stringify(digestText)} is not a sha256/sha512 digest`);
    digest = parsed;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`${JSON.stringify(tag)} is not a valid tag`);
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  const isHost =
    slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = isHost ? first : DOCKER_HUB;
  let repository = isHost ? rest.slice(slash + 1) : rest;
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!HOST.test(registry)) throw bad(`${JSON.stringify(registry)} is not a registry host`);
  if (!REPOSITORY.test(repository)) {
    throw bad(`${JSON.stringify(repository)} is not a repository name (lowercase, a-z0-9._-/)`);
  }
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw bad(`the name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** `oci://registry/repository[:tag][@digest]`, the form documents name as their source. */
export function formatReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${OCI_SCHEME}${ref.registry}/${ref.repository}${tag}${digest}`;
}

/** The same repository pinned to a digest (the tag dropped: a digest names one thing). */
export function pinned(ref: ImageReference, digest: OciDigest): ImageReference {
  return { registry: ref.registry, repository: ref.repository, digest };
}

/** The host that serves the registry API for a reference's registry name. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** Loopback hosts, the only ones plain HTTP is allowed to. */
export function isLoopback(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(1, registry.indexOf(']'))
    : registry.replace(/:[0-9]+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host);
}
