import { VouchError } from '../../errors.js';
import type { FetchedManifest, RegistryClient } from './client.js';
import type { Deadline } from './deadline.js';
import type { OciDigest } from './digest.js';
import { type Platform, platformName } from './manifest.js';
import { INDEX_MEDIA_TYPES } from './media-types.js';
import type { ImageReference } from './reference.js';

/** An image reference resolved to the digest of its manifest bytes (an index lists its platforms). */
export type ResolvedImage = FetchedManifest;

/**
 * Resolves a tag (or checks a digest) by fetching the manifest: the digest is computed from
 * the bytes received, never taken from a `Docker-Content-Digest` header alone.
 */
export async function resolveImage(
  client: RegistryClient,
  ref: ImageReference,
  deadline: Deadline,
): Promise<ResolvedImage> {
  const reference = ref.digest ?? ref.tag;
  if (reference === undefined)
    throw new VouchError('USAGE', 'the image reference has neither tag nor digest', {
      path: 'reference',
    });
  return client.manifest(ref.repository, reference, deadline);
}

/** `all`, or platforms named `os/arch[/variant]`. */
export type PlatformSelection = 'all' | readonly string[];

/** A platform as users name it: `os/arch[/variant]`, lowercase (OCI image index `platform`). */
export const PLATFORM_PATTERN = /^[a-z0-9]+\/[a-z0-9]+(?:\/[a-z0-9.]+)?$/;

/** An index entry without a platform: the runtime pulls it when nothing else matches. */
const NO_PLATFORM = 'unspecified';

/**
 * The platform manifests of an index that must also be attested. `all` skips BuildKit's
 * `unknown/unknown` attestation manifests (but not an entry without a platform); a named
 * platform the index lacks is an error (a policy that asks for arm64 must not pass because
 * arm64 is missing). An entry selected that is itself an index is an error: judging its digest
 * would stand in for the manifests under it, which the runtime pulls.
 */
export function selectPlatforms(
  image: ResolvedImage,
  selection: PlatformSelection,
): { digest: OciDigest; platform: string }[] {
  const entries = image.manifest.kind === 'index' ? image.manifest.manifests : [];
  const named = entries.map((d) => ({
    digest: d.digest,
    platform: d.platform === undefined ? NO_PLATFORM : platformName(d.platform),
    fields: d.platform,
    nested: INDEX_MEDIA_TYPES.has(d.mediaType),
  }));
  const out = (found: readonly (typeof named)[number][]) =>
    found.map(({ digest, platform, nested }) => {
      if (nested) {
        throw new VouchError(
          'REGISTRY_INVALID',
          `platform ${platform} of image index ${image.digest} is itself an index (${digest})`,
          { path: 'platforms', hint: 'Vouch judges the image manifests an index lists directly' },
        );
      }
      return { digest, platform };
    });
  if (selection === 'all') return out(named.filter((p) => !p.platform.startsWith('unknown/')));
  if (selection.length > 0 && image.manifest.kind !== 'index') {
    throw new VouchError(
      'REGISTRY_NOT_FOUND',
      `${image.digest} is a single-platform image, not an index`,
      {
        path: 'platforms',
        hint: 'name platforms only for multi-platform images',
      },
    );
  }
  return selection.flatMap((want) => {
    // Matched field by field (the index's strings may hold a /), and every match is returned:
    // the runtime picks among duplicates and variants by its own rules, so each must be attested.
    // Both sides as the runtime normalises them: an entry spelled `Linux/x86_64` is pulled
    // on an amd64 node just as `linux/amd64` is.
    const [os = '', architecture = '', variant] = want.split('/');
    const asked = runtimePlatform({
      os,
      architecture,
      ...(variant === undefined ? {} : { variant }),
    });
    const found = named.filter(({ fields }) => {
      if (fields === undefined) return false;
      const p = runtimePlatform(fields);
      return (
        p.os === asked.os &&
        p.architecture === asked.architecture &&
        (variant === undefined || p.variant === asked.variant)
      );
    });
    if (found.length === 0) {
      throw new VouchError(
        'REGISTRY_NOT_FOUND',
        `image index ${image.digest} has no ${want} manifest`,
        {
          path: 'platforms',
          hint: `the index has ${named.map((p) => p.platform).join(', ') || 'no platforms'}`,
        },
      );
    }
    return out(found);
  });
}

/**
 * A platform as containerd normalises it before matching (containerd/platforms `Normalize`):
 * lowercase, `macos` as darwin, the architecture aliases and their default variants.
 */
function runtimePlatform(p: Platform): { os: string; architecture: string; variant: string } {
  const os = p.os.toLowerCase() === 'macos' ? 'darwin' : p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = (p.variant ?? '').toLowerCase();
  switch (architecture) {
    case 'i386':
      architecture = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = '';
      if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  return { os, architecture, variant };
}
