import { VouchError } from '../errors.js';

/** A container image reference, normalised as the container runtime pulls it. */
export interface ImageReference {
  /** The reference exactly as the workload gives it. */
  readonly original: string;
  /** `docker.io` for Docker Hub. */
  readonly registry: string;
  /** `library/nginx` for `nginx`. */
  readonly repository: string;
  /** `registry/repository`: what image policy globs match. */
  readonly name: string;
  readonly tag: string | undefined;
  /** `sha256:<hex>`, lowercase. */
  readonly digest: string | undefined;
}

const MAX_REFERENCE_LENGTH = 1024;
// distribution/reference grammar: path components, tag, registry host[:port].
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d{1,5})?$|^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const DOCKER_HUB = 'docker.io';

/** Parses an image reference from a pod spec (untrusted text) or throws IMAGE_REF_INVALID. */
export function parseImageReference(text: string): ImageReference {
  const fail = (why: string): never => {
    throw new VouchError(
      'IMAGE_REF_INVALID',
      `image ${JSON.stringify(text.slice(0, 200))} ${why}`,
      {
        hint: 'write [registry/]repository[:tag][@sha256:<hex>]',
      },
    );
  };
  if (text.length === 0 || text.length > MAX_REFERENCE_LENGTH) {
    fail(`must be 1 to ${MAX_REFERENCE_LENGTH} characters`);
  }
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail('has a digest that is not sha256:<64 lowercase hex>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail('has an invalid tag');
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  // A first component with a dot, a port or `localhost` is a registry host (as docker pulls it).
  const hasHost = first.includes('.') || first.includes(':') || first === 'localhost';
  let registry = hasHost ? first.toLowerCase() : DOCKER_HUB;
  let repository = hasHost ? rest.slice(slash + 1) : rest;
  if (hasHost && !HOST.test(first)) fail('has an invalid registry host');
  // The runtime dials the port as a number and HTTPS by default: `ghcr.io:443` and
  // `ghcr.io:0443` are ghcr.io, and globs written for ghcr.io must govern them.
  const port = /:(\d+)$/.exec(registry);
  if (port !== null) {
    const number = Number(port[1]);
    if (number < 1 || number > 65535) fail('has a registry port outside 1 to 65535');
    const host = registry.slice(0, port.index);
    registry = number === 443 ? host : `${host}:${number}`;
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (repository.split('/').some((c) => !PATH_COMPONENT.test(c))) {
    fail('has an invalid repository path (lowercase letters, digits and separators . _ __ -)');
  }
  return { original: text, registry, repository, name: `${registry}/${repository}`, tag, digest };
}
