// Builds SubjectPublicKeyInfo encodings by hand (DER, RFC 5280 4.1.2.7), so tests can present
// one key in every form a producer might write, and keys node:crypto would never generate.
import type { KeyObject } from 'node:crypto';

/** DER TLV with a definite length. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.byteLength;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const hex = (h: string): Buffer => Buffer.from(h, 'hex');
export const OID_EC_PUBLIC_KEY = hex('06072a8648ce3d0201');
const CURVE_OIDS: ReadonlyMap<string, Buffer> = new Map([
  ['prime256v1', hex('06082a8648ce3d030107')],
  ['secp384r1', hex('06052b81040022')],
  ['secp521r1', hex('06052b81040023')],
]);

/** P-256 as explicit domain parameters (RFC 3279 ECParameters, from openssl -param_enc explicit). */
export const P256_EXPLICIT_PARAMETERS = hex(
  '3081f7020101302c06072a8648ce3d0101022100ffffffff00000001000000000000000000000000ffffffffffffffffffffffff305b0420ffffffff00000001000000000000000000000000fffffffffffffffffffffffc04205ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b031500c49d360886e704936a6678e1139d26b7819f7e900441046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551020101',
);

/** An SPKI from an algorithm identifier's parts and the subjectPublicKey bytes. */
export function spki(algorithm: Buffer, parameters: Buffer | undefined, key: Uint8Array): Buffer {
  const algorithmId = tlv(0x30, algorithm, ...(parameters === undefined ? [] : [parameters]));
  return tlv(0x30, algorithmId, tlv(0x03, Buffer.from([0]), key));
}

export type PointForm = 'uncompressed' | 'compressed' | 'hybrid';

/** SEC 1 2.3.3 encodings of an EC public key's point. */
export function ecPoint(key: KeyObject, form: PointForm): Buffer {
  const jwk = key.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const odd = (y.at(-1) ?? 0) & 1;
  switch (form) {
    case 'uncompressed':
      return Buffer.concat([Buffer.from([4]), x, y]);
    case 'compressed':
      return Buffer.concat([Buffer.from([2 + odd]), x]);
    case 'hybrid':
      return Buffer.concat([Buffer.from([6 + odd]), x, y]);
    default: {
      const never: never = form;
      throw new Error(`unknown form ${String(never)}`);
    }
  }
}

/** An EC key's SPKI with its named curve and its point in the given form. */
export function ecSpki(key: KeyObject, form: PointForm): Buffer {
  const oid = CURVE_OIDS.get(key.asymmetricKeyDetails?.namedCurve ?? '');
  if (oid === undefined) throw new Error('not a P-256, P-384 or P-521 key');
  return spki(OID_EC_PUBLIC_KEY, oid, ecPoint(key, form));
}

/** PEM text of DER bytes under a label, wrapped at `width` columns with `eol` line ends. */
export function toPem(der: Uint8Array, label = 'PUBLIC KEY', width = 64, eol = '\n'): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
  return `-----BEGIN ${label}-----${eol}${lines.join(eol)}${eol}-----END ${label}-----${eol}`;
}

/** The DER SPKI node:crypto exports for a key (what vouch keygen writes). */
export const spkiOf = (key: KeyObject): Buffer => key.export({ format: 'der', type: 'spki' });

/** A PKCS#1 RSAPublicKey (RFC 8017 A.1.1) with any modulus and exponent, however weak. */
export function rsaPkcs1(modulus: Buffer, exponent: bigint): Buffer {
  const integer = (bytes: Buffer): Buffer =>
    tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
  let e = exponent.toString(16);
  if (e.length % 2 === 1) e = `0${e}`;
  return tlv(0x30, integer(modulus), integer(hex(e)));
}

/** The modulus of an RSA key. */
export const rsaModulus = (key: KeyObject): Buffer =>
  Buffer.from(key.export({ format: 'jwk' }).n ?? '', 'base64url');
