import type { TransparencyLogEntry } from '@sigstore/bundle';
import { VouchError } from '../errors.js';

// Signature lines of a signed note (transparency-dev formats, log/README.md), as
// @sigstore/verify 3.1.1 reads them.
const SIGNATURE_LINE = /\u2014 (\S+) (\S+)\n/g;
// A log's name is its origin: a host name, perhaps with a path.
const LOG_NAME = /^[A-Za-z0-9._~:/%-]{1,256}$/;

/**
 * Refuses checkpoints whose signature names are not log origins. @sigstore/verify 3.1.1 uses
 * each name from the bundle as a regular expression against the log's base URL
 * (tlog/checkpoint.js, verifySignedNote): a backtracking pattern there costs minutes of CPU
 * per bundle, a denial of service on whoever verifies it.
 */
export function checkCheckpointNames(entries: readonly TransparencyLogEntry[]): void {
  for (const entry of entries) {
    const envelope = entry.inclusionProof?.checkpoint?.envelope;
    if (envelope === undefined) continue;
    for (const [, name = ''] of envelope.matchAll(SIGNATURE_LINE)) {
      if (!LOG_NAME.test(name)) {
        throw new VouchError(
          'LOG_EVIDENCE_INVALID',
          `a checkpoint signature names ${JSON.stringify(name.slice(0, 64))}, which is not a log origin`,
        );
      }
    }
  }
}
