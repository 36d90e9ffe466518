/**
 * DSSE v1 Pre-Authentication Encoding (protocol.md):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * where LEN is the ASCII decimal byte length (UTF-8 bytes, not characters).
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const typeLength = Buffer.byteLength(payloadType, 'utf8');
  const header = `DSSEv1 ${typeLength} `;
  const middle = ` ${payload.byteLength} `;
  // One allocation, filled in place: PAE is built for every verification.
  const out = Buffer.allocUnsafe(header.length + typeLength + middle.length + payload.byteLength);
  let at = out.write(header, 0, 'latin1');
  at += out.write(payloadType, at, 'utf8');
  at += out.write(middle, at, 'latin1');
  out.set(payload, at);
  return out;
}
