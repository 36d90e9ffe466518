import { basename } from 'node:path';
import type { DigestSet } from '../attestation/digest-set.js';
import { parseDigestSet } from '../attestation/digest-set.js';
import type { ResourceDescriptor } from '../attestation/statement.js';
import { VouchError } from '../errors.js';
import { digestFile, type ProgressListener } from './artifact-file.js';

/** An artifact named on the command line: a digest set plus an optional name. */
export interface ArtifactRef {
  readonly name?: string;
  readonly digest: DigestSet;
}

const DIGEST_ARG = /^(?:(.+)@)?(sha256|sha384|sha512):([0-9a-fA-F]+)$/;

/**
 * `NAME@sha256:<hex>`, `sha256:<hex>` (sha384/sha512 too), or a file path that is hashed.
 * A file that happens to be named like a digest is still read as a digest: say `./sha256:...`.
 * Errors name `field`, the input the argument came from.
 */
export async function resolveArtifactArg(
  arg: string,
  onProgress?: ProgressListener,
  field = 'artifact',
): Promise<ArtifactRef> {
  const m = DIGEST_ARG.exec(arg);
  if (m) {
    const [, name, alg, hex] = m;
    const digest = parseDigestSet({ [alg as string]: hex }, arg);
    if (name !== undefined && name === '') {
      throw new VouchError('USAGE', `empty name in ${arg}`, { field });
    }
    return name === undefined ? { digest } : { name, digest };
  }
  if (/^[a-z0-9_]+:[0-9a-fA-F]{16,}$/.test(arg)) {
    throw new VouchError('USAGE', `${arg}: unsupported digest algorithm`, {
      field,
      hint: 'use sha256:, sha384: or sha512:',
    });
  }
  return { name: basename(arg), digest: await digestFile(arg, onProgress) };
}

/**
 * The Statement subjects for `--subject` arguments. A hashed file is identified by sha256,
 * the in-toto convention; a digest argument keeps the algorithm it names.
 */
export async function resolveSubjects(args: readonly string[]): Promise<ResourceDescriptor[]> {
  const refs = await Promise.all(args.map((arg) => resolveArtifactArg(arg, undefined, 'subject')));
  return refs.map(artifactSubject);
}

/** An artifact as a Statement subject: sha256 alone when it has one, the in-toto convention. */
export function artifactSubject(ref: ArtifactRef): ResourceDescriptor {
  return {
    ...(ref.name === undefined ? {} : { name: ref.name }),
    digest: ref.digest.sha256 !== undefined ? { sha256: ref.digest.sha256 } : ref.digest,
  };
}
