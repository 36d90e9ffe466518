import type { PrivateKey, PublicKey } from '../crypto/keys.js';
import { signBytes, verifyBytes } from '../crypto/signature.js';
import { encodeBase64 } from '../encoding/base64.js';
import type { Envelope } from './envelope.js';
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
 * still tried against every trusted key; a key counts once however many signatures it made.
 */
export function verifiedKeys(envelope: Envelope, trusted: readonly PublicKey[]): PublicKey[] {
  if (envelope.signatures.length === 0 || trusted.length === 0) return [];
  const message = pae(envelope.payloadType, envelope.payload);
  const found = new Map<string, PublicKey>();
  for (const signature of envelope.signatures) {
    // Try the key the hint names first: one verification in the common case.
    const hinted = trusted.filter((k) => k.keyid === signature.keyid);
    const rest = hinted.length === 0 ? trusted : trusted.filter((k) => k.keyid !== signature.keyid);
    for (const key of hinted.length === 0 ? rest : [...hinted, ...rest]) {
      if (found.has(key.keyid)) continue;
      if (verifyBytes(key, message, signature.sig)) {
        found.set(key.keyid, key);
        break;
      }
    }
  }
  return [...found.values()];
}
