import { VouchError } from '../errors.js';
import { OCI_SCHEME } from '../sources/oci/reference.js';
import type { OciRegistry } from '../sources/oci/registry.js';
import type { Io } from './output.js';

/** True for `--artifact oci://...`. */
export const isOciArtifact = (arg: string): boolean => arg.startsWith(OCI_SCHEME);

/**
 * Registry access as the CLI configures it: Docker config credentials from the environment.
 * The client (HTTP, TLS, credential helpers) is loaded here, when a command needs a registry,
 * not at every start (docs/architecture.md, "Start-up").
 */
export async function cliRegistry(io: Io, plainHttp: boolean): Promise<OciRegistry> {
  const [{ OciRegistry }, { dockerConfigCredentials }] = await Promise.all([
    import('../sources/oci/registry.js'),
    import('../sources/oci/credentials.js'),
  ]);
  try {
    return new OciRegistry({ plainHttp, credentials: dockerConfigCredentials(io.env ?? {}) });
  } catch (err) {
    if (err instanceof VouchError && err.path === 'plainHttp') {
      throw new VouchError('USAGE', `--plain-http: ${err.message}`);
    }
    throw err;
  }
}
