import type { PublicKey } from '../crypto/keys.js';
import { VouchError } from '../errors.js';
import { documentSigners, type SignedDocument } from './attestation.js';
import { IN_TOTO_PAYLOAD_TYPE } from './envelope.js';
import { parseStatement, type Statement } from './statement.js';

/** A Statement read only after its document's signature checked out. */
export interface VerifiedStatement {
  /** `sha256:<hex>` of the document's exact bytes. */
  readonly digest: string;
  readonly signers: readonly PublicKey[];
  readonly statement: Statement;
}

/**
 * Verifies a document against trusted keys, then, and only then, reads its Statement and
 * checks the predicate type (DESIGN.md principle 2: never read a claim before the signature).
 */
export function verifyStatement(
  doc: SignedDocument,
  trusted: readonly PublicKey[],
  predicateTypes: readonly string[],
  origin: string,
): VerifiedStatement {
  const signers = documentSigners(doc, trusted);
  if (signers.length === 0) {
    throw new VouchError(
      doc.envelope.signatures.length === 0 ? 'NO_SIGNATURES' : 'BAD_SIGNATURE',
      `${origin} is not signed by a trusted key`,
      { path: origin, hint: 'check the key, and that the document is untampered' },
    );
  }
  if (doc.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new VouchError('WRONG_PAYLOAD_TYPE', `${origin} carries ${doc.envelope.payloadType}`, {
      path: origin,
    });
  }
  const statement = parseStatement(doc.envelope.payload);
  if (!predicateTypes.includes(statement.predicateType)) {
    throw new VouchError(
      'WRONG_PREDICATE_TYPE',
      `${origin} is a ${statement.predicateType} attestation, not ${predicateTypes.join(' or ')}`,
      { path: origin },
    );
  }
  return { digest: doc.digest, signers, statement };
}
