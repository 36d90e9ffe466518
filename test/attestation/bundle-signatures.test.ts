import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { documentSigners, parseSignedDocument } from '../../src/attestation/attestation.js';
import { OUTPUT_FORMATS, signStatement } from '../../src/attestation/produce.js';
import { buildStatement } from '../../src/attestation/statement.js';
import { loadPrivateKey } from '../../src/crypto/keys.js';
import { tamperPayload, tamperSignature } from '../support/dsse-json.js';

// Issue 8 item 12: every supported key type signs and verifies the same in a bare DSSE
// envelope and in a keyed Sigstore bundle (the ECDSA hash follows the curve in both).
const KEY_TYPES: readonly [string, () => KeyObject][] = [
  ['ECDSA P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
  ['ECDSA P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey],
  ['ECDSA P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey],
  ['Ed25519', () => generateKeyPairSync('ed25519').privateKey],
  ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
  ['RSA 3072', () => generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey],
];

const statement = buildStatement(
  [{ name: 'app', digest: { sha256: 'ab'.repeat(32) } }],
  'https://slsa.dev/provenance/v1',
  { ok: true },
);

type Json = { dsseEnvelope?: Parameters<typeof tamperPayload>[0] } & Parameters<
  typeof tamperPayload
>[0];

/** The document with its envelope (bare, or inside the bundle) changed. */
function tampered(text: string, tamper: typeof tamperPayload): string {
  const json = JSON.parse(text) as Json;
  return JSON.stringify(
    json.dsseEnvelope === undefined
      ? tamper(json)
      : { ...json, dsseEnvelope: tamper(json.dsseEnvelope) },
  );
}

describe.each(KEY_TYPES)('when a %s key signs', (_name, make) => {
  const key = loadPrivateKey(make().export({ format: 'pem', type: 'pkcs8' }).toString());
  const other = loadPrivateKey(make().export({ format: 'pem', type: 'pkcs8' }).toString());

  it.each(OUTPUT_FORMATS)('its %s verifies with its key, and only with it', (format) => {
    const text = signStatement(statement, key, format);
    const doc = parseSignedDocument(text);
    expect(doc.format).toBe(format);
    expect(documentSigners(doc, [other.publicKey, key.publicKey]).map((k) => k.keyid)).toEqual([
      key.publicKey.keyid,
    ]);
    expect(documentSigners(doc, [other.publicKey])).toEqual([]);
  });

  it.each(OUTPUT_FORMATS)('its %s does not verify once tampered', (format) => {
    const text = signStatement(statement, key, format);
    for (const tamper of [tamperPayload, tamperSignature]) {
      expect(documentSigners(parseSignedDocument(tampered(text, tamper)), [key.publicKey])).toEqual(
        [],
      );
    }
  });
});
