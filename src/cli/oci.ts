import type { OutputFormat } from '../attestation/produce.js';
import { toUtcTimestamp } from '../encoding/rfc3339.js';
import { VouchError } from '../errors.js';
import { formatReference, type ImageReference, OCI_SCHEME } from '../sources/oci/reference.js';
import type { OciRegistry } from '../sources/oci/registry.js';
import type { Io } from './output.js';
import type { SignedAttestation } from './signing.js';

/** True for `--artifact oci://...`. */
export const isOciArtifact = (arg: string): boolean => arg.startsWith(OCI_SCHEME);

/**
 * Registry access as the CLI configures it: Docker config credentials from the environment.
 * HTTPS trusts Node's default CAs plus NODE_EXTRA_CA_CERTS (read by Node at start-up). The
 * client (HTTP, TLS, credential helpers) is loaded here, when a command needs a registry, not
 * at every start (docs/architecture.md, "Start-up").
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

/**
 * Stores a signed attestation as a referrer of the image and says where (standard error).
 * A failure is thrown with its REGISTRY_* code: the caller has already written what it owes.
 */
export async function pushAttestation(
  registry: OciRegistry,
  image: ImageReference,
  signed: SignedAttestation,
  format: OutputFormat,
  io: Io,
): Promise<void> {
  const pushed = await registry.push(image, {
    bytes: Buffer.from(signed.text),
    format,
    created: toUtcTimestamp(new Date()),
  });
  const at = formatReference({
    registry: image.registry,
    repository: image.repository,
    digest: pushed.digest,
  });
  const how = pushed.tagSchemaUpdated ? ' (and in its referrers tag: no referrers API)' : '';
  io.err(`pushed ${signed.digest} to ${at}, a referrer of ${pushed.subject}${how}\n`);
}
