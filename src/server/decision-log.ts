import type { Logger } from 'pino';
import type { AdmissionOutcome, Endpoint } from './admission.js';
import type { AdmissionRequest } from './admission-review.js';
import { printable } from './status-message.js';

/**
 * The one JSON line each admission writes: who asked about what, which image policy judged
 * each image, the decision, reason codes and durations. Reasons are the evaluator's short
 * messages; attestation contents and credentials are never logged.
 */
export function logAdmission(
  logger: Logger,
  endpoint: Endpoint,
  request: AdmissionRequest,
  outcome: AdmissionOutcome,
  ms: number,
): void {
  logger.info(
    {
      uid: request.uid,
      endpoint,
      operation: request.operation,
      subResource: request.subResource,
      namespace: request.namespace,
      kind: `${request.kind.group === '' ? '' : `${request.kind.group}/`}${request.kind.kind}`,
      name: request.name,
      dryRun: request.dryRun,
      allowed: outcome.response.allowed,
      // Image names come from the pod, platform names from a registry's index: untrusted text
      // bound for a terminal (kubectl logs), escaped as the messages are.
      images: outcome.images.map((i) => ({
        image: printable(i.image, 1024),
        digest: i.digest,
        policy: i.policy,
        mode: i.mode,
        result: i.result,
        reasons: i.reasons.map((r) => ({
          code: r.code,
          platform: r.platform === undefined ? undefined : printable(r.platform, 128),
          requirement: r.requirement,
          rejections: r.rejections,
          message: printable(r.message, 300),
        })),
        // What the attestation directories could not read (a FIFO, an oversized file): it
        // may be what was needed. Counted, and the first few named.
        ...(i.skipped.length === 0
          ? {}
          : {
              skipped: i.skipped.length,
              skippedEntries: i.skipped.slice(0, MAX_SKIPPED_LOGGED).map((e) => ({
                source: printable(e.source, 512),
                reason: printable(e.reason, 200),
              })),
            }),
        breakglass: i.breakglass,
        ms: round(i.ms),
      })),
      ms: round(ms),
    },
    'admission',
  );
}

const MAX_SKIPPED_LOGGED = 5;

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
