import type { Command } from 'commander';
import { formatReference, parseReference } from '../../sources/oci/reference.js';
import type { Wrap } from '../action.js';
import { cliRegistry } from '../oci.js';
import { EXIT_OK, type Io } from '../output.js';

interface PullOptions {
  out: string;
  plainHttp?: boolean;
}

export function registerPull(command: Command, io: Io, wrap: Wrap): void {
  command
    .argument('<image>', 'oci://HOST/REPO(:TAG|@sha256:<hex>)')
    .requiredOption(
      '--out <dir>',
      'new directory for the OCI image layout (read back with --attestations DIR)',
    )
    .option('--plain-http', 'use http:// (loopback registries only)')
    .action(
      wrap(async (image: string, opts: PullOptions) => {
        const ref = parseReference(image);
        const registry = await cliRegistry(io, opts.plainHttp === true);
        try {
          const pulled = await registry.pull(ref, opts.out);
          const pinned = formatReference({
            registry: ref.registry,
            repository: ref.repository,
            digest: pulled.subject.digest,
          });
          io.out(`pulled ${pulled.documents} attestation(s) of ${pinned} into ${pulled.dir}\n`);
        } finally {
          registry.close();
        }
        return EXIT_OK;
      }),
    );
}
