import { basename } from 'node:path';
import type { DigestSet } from '../attestation/digest-set.js';
import { isCustomAlgorithm, parseDigestSet } from '../attestation/digest-set.js';
import type { ResourceDescriptor } from '../attestation/statement.js';
import { VouchError } from '../errors.js';
import { type DigestFileOptions, digestFile } from './artifact-file.js';

/** An artifact named on the command line: a digest set plus an optional name. */
export interface ArtifactRef {
  readonly name?: string;
  readonly digest: DigestSet;
}

const DIGEST_ARG = /^(?:(.+)@)?(sha256|sha384|sha512):([0-9a-fA-F]+)$/;
// A custom digest (`gce_image_id:8970095005306000053`): a lowercase name and a value with no
// path separator, so that anything with a `/` stays a file path.
const CUSTOM_DIGEST_ARG = /^(?:([^@]+)@)?([a-z][a-z0-9_-]{0,63}):([A-Za-z0-9._~+=-]{1,256})$/;

/**
 * `NAME@sha256:<hex>`, `sha256:<hex>` (sha384/sha512 too), a custom digest `[NAME@]ALG:VALUE`
 * (matched only by a subject with that exact digest), or a file path that is hashed (with the
 * algorithms of `options`, sha256 by default).
 * A file that happens to be named like a digest is still read as a digest: say `./sha256:...`.
 * Errors name `field`, the input the argument came from.
 */
export async function resolveArtifactArg(
  arg: string,
  options: DigestFileOptions & { readonly field?: string } = {},
): Promise<ArtifactRef> {
  const field = options.field ?? 'artifact';
  const m = DIGEST_ARG.exec(arg) ?? CUSTOM_DIGEST_ARG.exec(arg);
  if (m) {
    const [, name, alg = '', value] = m;
    if (!DIGEST_ARG.test(arg) && !isCustomAlgorithm(alg)) {
      throw new VouchError('USAGE', `${arg}: ${alg} cannot identify an artifact`, {
        field,
        hint: 'use sha256:, sha384:, sha512: or a custom digest name such as gce_image_id:',
      });
    }
    const digest = parseDigestSet(Object.fromEntries([[alg, value]]), arg);
    if (name !== undefined && name === '') {
      throw new VouchError('USAGE', `empty name in ${arg}`, { field });
    }
    return name === undefined ? { digest } : { name, digest };
  }
  return { name: basename(arg), digest: await digestFile(arg, options) };
}

/**
 * The Statement subjects for subject arguments (files or digests). A hashed file is
 * identified by sha256, the in-toto convention; a digest argument keeps the algorithm it names.
 */
export async function resolveSubjects(args: readonly string[]): Promise<ResourceDescriptor[]> {
  const refs = await Promise.all(args.map((arg) => resolveArtifactArg(arg, { field: 'subject' })));
  return refs.map(artifactSubject);
}

/** An artifact as a Statement subject: sha256 alone when it has one, the in-toto convention. */
export function artifactSubject(ref: ArtifactRef): ResourceDescriptor {
  return {
    ...(ref.name === undefined ? {} : { name: ref.name }),
    digest: ref.digest.sha256 !== undefined ? { sha256: ref.digest.sha256 } : ref.digest,
  };
}
