/**
 * DSSE v1 Pre-Authentication Encoding (protocol.md):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * where LEN is the ASCII decimal byte length (UTF-8 bytes, not characters).
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const header = Buffer.from(`DSSEv1 ${type.byteLength} `, 'ascii');
  const middle = Buffer.from(` ${payload.byteLength} `, 'ascii');
  return Buffer.concat([header, type, middle, payload]);
}
