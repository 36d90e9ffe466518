/**
 * DSSE v1 Pre-Authentication Encoding (protocol.md):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * where LEN is the ASCII decimal byte length (UTF-8 bytes, not characters).
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const typeLength = Buffer.byteLength(payloadType, 'utf8');
  const header = `DSSEv1 ${typeLength} `;
  const middle = ` ${payload.byteLength} `;
  // One allocation and one write for everything before the body: PAE is built for every
  // verification. header and middle are ASCII, so their lengths are byte counts.
  const bodyAt = header.length + typeLength + middle.length;
  const out = Buffer.allocUnsafe(bodyAt + payload.byteLength);
  out.write(`${header}${payloadType}${middle}`, 0, 'utf8');
  out.set(payload, bodyAt);
  return out;
}
