import { VouchError } from '../errors.js';
import type { RawDocument } from '../sources/local.js';
import { dockerConfigCredentials } from '../sources/oci/credentials.js';
import { formatReference, OCI_SCHEME, parseReference } from '../sources/oci/reference.js';
import { OciRegistry } from '../sources/oci/registry.js';
import type { ArtifactRef } from '../sources/subject-arg.js';
import type { Io } from './output.js';

/** True for `--artifact oci://...`. */
export const isOciArtifact = (arg: string): boolean => arg.startsWith(OCI_SCHEME);

/** Registry access as the CLI configures it: Docker config credentials from the environment. */
export function cliRegistry(io: Io, plainHttp: boolean): OciRegistry {
  try {
    return new OciRegistry({ plainHttp, credentials: dockerConfigCredentials(io.env ?? {}) });
  } catch (err) {
    if (err instanceof VouchError && err.path === 'plainHttp') {
      throw new VouchError('USAGE', `--plain-http: ${err.message}`);
    }
    throw err;
  }
}

/**
 * Resolves `oci://REF` to its manifest digest and discovers its attestations. A discovery
 * path that failed is reported on stderr; what the other paths found still counts.
 */
export async function registryEvidence(
  arg: string,
  plainHttp: boolean,
  io: Io,
): Promise<{ artifact: ArtifactRef; documents: RawDocument[] }> {
  const ref = parseReference(arg);
  const registry = cliRegistry(io, plainHttp);
  try {
    const deadline = registry.deadline();
    const image = await registry.resolve(ref, { deadline });
    const found = await registry.discover({ ...ref, digest: image.digest }, { deadline });
    for (const f of found.failures) {
      io.err(`vouch: note: registry ${ref.registry}, ${f.path}: ${f.code}: ${f.message}\n`);
    }
    const [algorithm = 'sha256', hex = ''] = image.digest.split(':');
    return {
      artifact: {
        name: formatReference({
          registry: ref.registry,
          repository: ref.repository,
          ...(ref.tag === undefined ? {} : { tag: ref.tag }),
        }),
        digest: { [algorithm]: hex },
      },
      documents: found.documents.map((d) => ({ origin: d.source, bytes: d.bytes })),
    };
  } finally {
    registry.close();
  }
}
