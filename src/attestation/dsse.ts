import type { PrivateKey, PublicKey } from '../crypto/keys.js';
import { signBytes, verifyBytes } from '../crypto/signature.js';
import { encodeBase64 } from '../encoding/base64.js';
import type { Envelope, EnvelopeSignature } from './envelope.js';
import { pae } from './pae.js';

/** Signs payload bytes into a DSSE envelope (one signature per key). */
export function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  keys: readonly PrivateKey[],
): Envelope {
  const message = pae(payloadType, payload);
  return {
    payloadType,
    payload: Buffer.from(payload),
    signatures: keys.map((key) => ({ keyid: key.publicKey.keyid, sig: signBytes(key, message) })),
  };
}

/** The JSON form of an envelope (standard base64, keyid omitted when absent). */
export function envelopeToJson(envelope: Envelope): Record<string, unknown> {
  return {
    payloadType: envelope.payloadType,
    payload: encodeBase64(envelope.payload),
    signatures: envelope.signatures.map((s) =>
      s.keyid === undefined
        ? { sig: encodeBase64(s.sig) }
        : { keyid: s.keyid, sig: encodeBase64(s.sig) },
    ),
  };
}

/**
 * The distinct trusted keys with a valid signature over PAE(payloadType, payload).
 * DSSE protocol.md: keyid is only a hint, so a signature whose hint names no trusted key is
 * still tried against every trusted key. A key counts once however many signatures it made
 * and however often (in whatever encoding) it is trusted: keys are identified by canonical
 * keyid (DESIGN.md section 6 step 3).
 */
export function verifiedKeys(envelope: Envelope, trusted: readonly PublicKey[]): PublicKey[] {
  if (envelope.signatures.length === 0 || trusted.length === 0) return [];
  const message = pae(envelope.payloadType, envelope.payload);
  const found = new Map<string, PublicKey>();
  for (const signature of envelope.signatures) {
    const key = verifyingKey(signature, message, trusted, found);
    if (key !== undefined) found.set(key.keyid, key);
  }
  return [...found.values()];
}

// Two passes, the hinted key then the rest: one verification in the common case.
const HINTED_FIRST = [true, false] as const;

/**
 * The first trusted key not yet found that verifies the signature, the hinted key first
 * (verifyBytes skips keys whose type and size could not have made a signature this long).
 */
function verifyingKey(
  signature: EnvelopeSignature,
  message: Buffer,
  trusted: readonly PublicKey[],
  found: ReadonlyMap<string, PublicKey>,
): PublicKey | undefined {
  for (const hinted of HINTED_FIRST) {
    for (const key of trusted) {
      if ((key.keyid === signature.keyid) !== hinted || found.has(key.keyid)) continue;
      if (verifyBytes(key, message, signature.sig)) return key;
    }
  }
  return undefined;
}
