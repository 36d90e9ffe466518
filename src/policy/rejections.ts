import type { SignedDocument } from '../attestation/attestation.js';
import type { DigestSet } from '../attestation/digest-set.js';
import type { ResourceDescriptor, Statement } from '../attestation/statement.js';
import { toUtcTimestamp } from '../encoding/rfc3339.js';
import type { CompiledPolicy, CompiledRequirement } from './compile.js';
import type { Artifact, Rejection, RejectionCode, SatisfiedBy } from './decision.js';
import { formatDuration } from './duration.js';
import type { SignedDocumentView } from './examine.js';

/** Why one document does not count for one requirement, as the decision reports it. */
export interface RejectionReason {
  readonly code: RejectionCode;
  readonly message: string;
}

/**
 * DESIGN.md section 6 step 3 failed: no key of the requirement's authorities (`who`) signed.
 * Says whether its log evidence was refused, a trusted key's signature is broken, or who signed.
 */
export function signerRejection(
  doc: SignedDocumentView,
  requirement: CompiledRequirement,
  who: string,
  policy: CompiledPolicy,
): RejectionReason {
  const refusal = doc.logged.refusals.find((r) => requirement.logged.has(r.authority));
  if (refusal !== undefined) {
    return { code: refusal.code, message: `${refusal.authority}: ${refusal.message}` };
  }
  doc.memo.hints ??= signatureHints(doc.document);
  for (const hint of doc.memo.hints) {
    if (!requirement.trusted.has(hint)) continue;
    // A hint names a key the requirement trusts, yet no signature verifies: tampered or broken.
    return {
      code: 'BAD_SIGNATURE',
      message: `a signature names key ${short(hint)} of ${who} but does not verify over this payload (tampered, or signed with another key)`,
    };
  }
  doc.memo.signerNote ??= signerNote(doc, doc.memo.hints, policy);
  return {
    code: 'UNTRUSTED_SIGNER',
    message: `${doc.memo.signerNote}; this requirement accepts only ${who}`,
  };
}

/** Who signed a document, said once for every requirement it does not satisfy by signer. */
function signerNote(
  doc: SignedDocumentView,
  hints: readonly string[],
  policy: CompiledPolicy,
): string {
  const { document } = doc;
  if (doc.logged.signers.length > 0) {
    return `signed by ${doc.logged.signers.map((s) => `${s.authority} ${s.kind === 'key' ? short(s.id) : s.id}`).join(', ')}`;
  }
  if (document.format === 'bundle' && document.bundle.signer === 'certificate') {
    return 'keyless (certificate) bundle that no keyless authority of this policy accepts';
  }
  const signatures = document.envelope.signatures.length;
  if (signatures === 0) return 'the envelope carries no signatures';
  if (doc.verified.length > 0) {
    return `signed by ${doc.verified.map((k) => `${authorityOf(k, policy)} ${short(k)}`).join(', ')}`;
  }
  const hinted = hints.length === 0 ? '' : `, keyid hints ${hints.map(short).join(', ')}`;
  return `no policy key verifies it: tampered, or signed by a key outside the policy (${signatures} signature(s)${hinted})`;
}

function signatureHints(document: SignedDocument): string[] {
  const hints: string[] = [];
  for (const { keyid } of document.envelope.signatures) if (keyid !== undefined) hints.push(keyid);
  if (document.format === 'bundle') {
    const material = document.bundle.bundle.verificationMaterial.content;
    if (material.$case === 'publicKey' && material.publicKey.hint !== '')
      hints.push(material.publicKey.hint);
  }
  return hints;
}

function authorityOf(keyid: string, policy: CompiledPolicy): string {
  return policy.authorities.find((a) => a.keys.some((k) => k.keyid === keyid))?.name ?? '?';
}

/** DESIGN.md section 6 step 6: the requirement's time field holds no time. */
export function noTimestamp(fromLog: boolean, field: string): RejectionReason {
  return {
    code: 'NO_TIMESTAMP',
    message: fromLog
      ? 'no verified transparency-log or TSA time: timeSource log needs a bundle whose log evidence verified'
      : `predicate field ${field} is missing or not an RFC 3339 time with a timezone`,
  };
}

/** DESIGN.md section 6 step 6: time > T + clockSkew. */
export function futureTimestamp(
  field: string,
  time: number,
  now: number,
  skew: number,
): RejectionReason {
  return {
    code: 'FUTURE_TIMESTAMP',
    message: `${field} ${toUtcTimestamp(time)} is after the evaluation time ${toUtcTimestamp(now)} plus clock skew ${formatDuration(skew)}`,
  };
}

/** DESIGN.md section 6 step 6: T - time > maxAge. */
export function expired(field: string, time: number, maxAge: number): RejectionReason {
  return {
    code: 'EXPIRED',
    message: `${field} ${toUtcTimestamp(time)} is older than maxAge ${formatDuration(maxAge)}: expired ${toUtcTimestamp(time + maxAge)}`,
  };
}

/** DESIGN.md section 6 step 5: a subject matches only by an algorithm that never counts. */
export function weakSubjectMismatch(
  subject: ResourceDescriptor,
  algorithms: readonly string[],
): string {
  return `subject ${label(subject)} matches the artifact only by ${algorithms.join(', ')}, which cannot identify an artifact (a sha256, sha384, sha512 or sha3 digest must match)`;
}

/** DESIGN.md section 6 step 5: no subject matches; names the first few. */
export function noSubjectMatches(statement: Statement, artifact: Artifact): string {
  const listed = statement.subject.slice(0, 3).map(label).join(', ');
  const more = statement.subject.length > 3 ? ` and ${statement.subject.length - 3} more` : '';
  return `no subject matches the artifact ${digestLabel(artifact.digest)}: subjects are ${listed}${more}`;
}

/** DESIGN.md section 6 step 7 failed: false, or an error; `read` is what the condition read. */
export function conditionRejection(
  source: string,
  read: string,
  error: string | undefined,
): RejectionReason {
  // What the condition read, so the author sees why (issue: "FAILED" vs "PASSED").
  const values = read === '' ? '' : `; it read ${read}`;
  return error === undefined
    ? { code: 'CONDITION_FALSE', message: `condition is false: ${source}${values}` }
    : {
        code: 'CONDITION_ERROR',
        message: `condition could not be evaluated (${error}): ${source}${values}`,
      };
}

/**
 * Each document that counted for a requirement whose threshold was not reached: one
 * BELOW_THRESHOLD rejection naming its keys, `signed` being the distinct signers that counted.
 */
export function belowThreshold(
  counted: readonly SatisfiedBy[],
  threshold: number,
  who: string,
  signed: number,
): Rejection[] {
  const keysOf = new Map<string, { source: string | null; keys: string[] }>();
  for (const entry of counted) {
    const keys = keysOf.get(entry.attestation)?.keys ?? [];
    keysOf.set(entry.attestation, {
      source: entry.source,
      keys: [...keys, short(entry.signer.id)],
    });
  }
  return [...keysOf].map(([digest, { source, keys }]) => ({
    attestation: digest,
    source,
    code: 'BELOW_THRESHOLD',
    message: `counts for key ${keys.join(', ')}, but ${threshold} distinct keys of ${who} are required and only ${signed} signed`,
  }));
}

/** Why an unsatisfied requirement is missing, for the decision's `missing` field. */
export function missingText(
  requirement: CompiledRequirement,
  who: string,
  counted: readonly SatisfiedBy[],
  signed: number,
): string {
  const { threshold } = requirement;
  return signed === 0
    ? `no attestation of type ${requirement.predicateType} signed by ${who}${requirement.condition === undefined ? '' : ' that meets the condition'} counts for this artifact${threshold > 1 ? ` (${threshold} distinct keys must sign)` : ''}`
    : `${threshold} distinct keys of ${who} must sign; ${signed} did (${counted
        .map((c) => short(c.signer.id))
        .filter((id, i, all) => all.indexOf(id) === i)
        .join(', ')})`;
}

function label(subject: ResourceDescriptor): string {
  const name = subject.name ?? subject.uri ?? '(unnamed)';
  return `${name} ${digestLabel(subject.digest)}`;
}

function digestLabel(digest: DigestSet): string {
  const [alg, value] = Object.entries(digest)[0] ?? ['?', '?'];
  return `${alg}:${value.slice(0, 16)}…`;
}

function short(keyid: string): string {
  return keyid.slice(0, 16);
}
