import { VouchError } from '../errors.js';
import { dockerConfigCredentials } from '../sources/oci/credentials.js';
import { OCI_SCHEME } from '../sources/oci/reference.js';
import { OciRegistry } from '../sources/oci/registry.js';
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
