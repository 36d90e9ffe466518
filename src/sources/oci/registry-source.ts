import type { Artifact } from '../../policy/decision.js';
import type { AttestationSource } from '../source.js';
import { type OciDigest, parseDigest } from './digest.js';
import { formatReference, type ImageReference, pinned } from './reference.js';
import type { OciRegistry, OperationOptions } from './registry.js';

/**
 * The attestations a registry holds for the requested artifact in one repository (DESIGN.md
 * section 9: referrers or their tag schema, and cosign's `.att` tag). A discovery path that
 * fails is a failure entry; what the other paths found still counts.
 */
export function registrySource(
  registry: OciRegistry,
  repository: Pick<ImageReference, 'registry' | 'repository'>,
  options: OperationOptions = {},
): AttestationSource {
  return {
    async documents(request) {
      const where = formatReference(repository);
      const digest = request.artifact === undefined ? undefined : imageDigest(request.artifact);
      if (digest === undefined) {
        const message =
          'attestations in a registry are found by an image digest (sha256 or sha512)';
        return {
          documents: [],
          skipped: [],
          failures: [{ source: where, code: 'USAGE', message }],
        };
      }
      const subject = pinned(
        { registry: repository.registry, repository: repository.repository },
        digest,
      );
      const found = await registry.discover(subject, {
        ...options,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
      return {
        documents: found.documents.map((d) => ({ bytes: d.bytes, source: d.source })),
        skipped: [],
        failures: found.failures.map((f) => ({
          source: `${formatReference(subject)} (${f.path})`,
          code: f.code,
          message: f.message,
        })),
      };
    },
  };
}

/** The artifact's sha256 (else sha512) digest as an OCI digest, if it has one. */
export function imageDigest(artifact: Artifact): OciDigest | undefined {
  for (const alg of ['sha256', 'sha512']) {
    const hex = Object.hasOwn(artifact.digest, alg) ? artifact.digest[alg] : undefined;
    const digest = hex === undefined ? undefined : parseDigest(`${alg}:${hex}`);
    if (digest !== undefined) return digest;
  }
  return undefined;
}
