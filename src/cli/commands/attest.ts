import type { Command } from 'commander';
import { buildStatement, type ResourceDescriptor } from '../../attestation/statement.js';
import { parseStrictJson } from '../../encoding/strict-json.js';
import { VouchError } from '../../errors.js';
import type { OciDigest } from '../../sources/oci/digest.js';
import { attestsImage } from '../../sources/oci/push.js';
import { type ImageReference, parseReference, pinned } from '../../sources/oci/reference.js';
import type { OciRegistry } from '../../sources/oci/registry.js';
import { artifactSubject, resolveSubjects } from '../../sources/subject-arg.js';
import type { Wrap } from '../action.js';
import { readInput } from '../files.js';
import { cliRegistry, pushAttestation } from '../oci.js';
import { EXIT_OK, type Io } from '../output.js';
import {
  addSigningOptions,
  loadSigningKey,
  type SigningOptions,
  writeAttestation,
} from '../signing.js';

interface AttestOptions extends SigningOptions {
  subject?: string[];
  predicateType: string;
  predicate: string;
  push?: string;
  plainHttp?: boolean;
}

export function registerAttest(command: Command, io: Io, wrap: Wrap): void {
  addSigningOptions(
    command
      .option(
        '--subject <subject...>',
        'file path, NAME@sha256:<hex> or sha256:<hex> (with --push: default the image)',
      )
      .requiredOption('--predicate-type <uri>', 'predicate type URI')
      .requiredOption('--predicate <file>', 'predicate JSON file, or - for standard input')
      .option(
        '--push <image>',
        'also store the attestation in the registry as an OCI 1.1 referrer of oci://HOST/REPO(:TAG|@sha256:<hex>); standard output then stays empty',
      )
      .option('--plain-http', 'with --push: use http:// (loopback registries only)'),
  ).action(
    wrap(async (opts: AttestOptions) => {
      const predicate = parseStrictJson(readInput(opts.predicate));
      if (typeof predicate !== 'object' || predicate === null || Array.isArray(predicate)) {
        throw new VouchError('MALFORMED', 'predicate must be a JSON object', {
          path: opts.predicate,
        });
      }
      const key = loadSigningKey(opts);
      const named = opts.subject === undefined ? undefined : await resolveSubjects(opts.subject);
      if (opts.push === undefined) {
        if (opts.plainHttp === true) {
          throw new VouchError('USAGE', '--plain-http is only used with --push');
        }
        if (named === undefined) {
          throw new VouchError('USAGE', "required option '--subject <subject...>' not specified", {
            hint: 'name the files or digests the attestation is about',
          });
        }
        const statement = buildStatement(
          named,
          opts.predicateType,
          predicate as Record<string, unknown>,
        );
        writeAttestation(opts, statement, key, io);
        return EXIT_OK;
      }
      const ref = parseReference(opts.push);
      const registry = await cliRegistry(io, opts.plainHttp === true);
      try {
        const image = await pushTarget(registry, ref);
        const subject = named ?? [image.subject];
        if (!attestsImage(subject, image.digest)) {
          throw new VouchError('USAGE', `no subject is the image ${opts.push} (${image.digest})`, {
            field: 'subject',
            hint: 'leave --subject out to attest the image, or give its digest',
          });
        }
        const statement = buildStatement(
          subject,
          opts.predicateType,
          predicate as Record<string, unknown>,
        );
        const signed = writeAttestation({ ...opts, stdout: false }, statement, key, io);
        await pushAttestation(registry, image.ref, signed, opts.format, io);
      } finally {
        registry.close();
      }
      return EXIT_OK;
    }),
  );
}

/**
 * The image a pushed attestation is about: the reference resolved to the digest of its
 * manifest bytes (a tag is followed once, so the Statement and the referrer name the same
 * manifest even if the tag moves meanwhile), and the Statement subject that names it.
 */
async function pushTarget(
  registry: OciRegistry,
  ref: ImageReference,
): Promise<{ digest: OciDigest; ref: ImageReference; subject: ResourceDescriptor }> {
  const { digest } = await registry.resolve(ref);
  const [algorithm = 'sha256', hex = ''] = digest.split(':');
  const subject = artifactSubject({
    name: `${ref.registry}/${ref.repository}`,
    digest: { [algorithm]: hex },
  });
  return { digest, ref: pinned(ref, digest), subject };
}
