import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentSigners, parseSignedDocument } from '../../src/attestation/attestation.js';
import { envelopeToJson, signEnvelope, verifiedKeys } from '../../src/attestation/dsse.js';
import {
  envelopeFromJson,
  IN_TOTO_PAYLOAD_TYPE,
  parseEnvelope,
} from '../../src/attestation/envelope.js';
import { signStatement } from '../../src/attestation/produce.js';
import { buildStatement, parseStatement } from '../../src/attestation/statement.js';
import type { PrivateKey } from '../../src/crypto/keys.js';
import { encodeBase64 } from '../../src/encoding/base64.js';
import { DEFAULT_JSON_LIMITS } from '../../src/encoding/strict-json.js';
import { type ErrorCode, VouchError } from '../../src/errors.js';
import { makeKey } from '../support/signing.js';

// Hostile input (after sigstore-js malformed.test.ts): every failure is a coded VouchError or
// a verification that yields no key, never a TypeError.

const newKey = (): PrivateKey => makeKey('ecdsa-p256').key;
const signer = newKey();
const other = newKey();
const trusted = [signer.publicKey];

const statement = buildStatement(
  [{ name: 'app.tar.gz', digest: { sha256: 'ab'.repeat(32) } }],
  'https://example.com/predicate/v1',
  { result: 'ok' },
);
const payload = Buffer.from(JSON.stringify(statement));

interface EnvelopeJson {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

function envelopeJson(
  keys: readonly PrivateKey[] = [signer],
  body: Buffer = payload,
): EnvelopeJson {
  return envelopeToJson(signEnvelope(IN_TOTO_PAYLOAD_TYPE, body, keys)) as unknown as EnvelopeJson;
}

const good = envelopeJson();
const goodSig = good.signatures[0]?.sig ?? '';

/** Distinct trusted keys that verify the envelope text (parsing strictly first). */
const signersOf = (text: string | Uint8Array, keys = trusted): string[] =>
  verifiedKeys(parseEnvelope(text), keys).map((k) => k.keyid);

const withPayload = (p: string): string => JSON.stringify({ ...good, payload: p });
const withSig = (sig: string): string =>
  JSON.stringify({ ...good, signatures: [{ ...good.signatures[0], sig }] });

describe('hostile envelopes', () => {
  it('accepts the untampered envelope (the baseline every case below departs from)', () => {
    expect(signersOf(JSON.stringify(good))).toEqual([signer.publicKey.keyid]);
  });

  describe('when signed content is tampered', () => {
    it('yields no key for any single flipped payload bit', () => {
      for (let i = 0; i < payload.byteLength; i += 7) {
        const tampered = Buffer.from(payload);
        tampered[i] = (tampered[i] ?? 0) ^ 0x20;
        expect(signersOf(withPayload(encodeBase64(tampered)))).toEqual([]);
      }
    });

    it('yields no key for a changed payloadType (PAE authenticates it)', () => {
      for (const payloadType of [
        'application/vnd.in-toto+jsonx',
        'text/plain',
        'application/json',
      ]) {
        expect(signersOf(JSON.stringify({ ...good, payloadType }))).toEqual([]);
      }
    });

    it('yields no key for a flipped, truncated or extended signature', () => {
      const sig = Buffer.from(goodSig, 'base64');
      const variants = [
        Buffer.concat([sig.subarray(0, -1), Buffer.from([(sig.at(-1) ?? 0) ^ 1])]),
        sig.subarray(0, -1),
        Buffer.concat([sig, Buffer.from([0])]),
        Buffer.alloc(64, 0),
        Buffer.alloc(1, 0x30),
      ];
      for (const v of variants) expect(signersOf(withSig(encodeBase64(v)))).toEqual([]);
    });

    it('yields no key for a valid signature by an untrusted key, whatever keyid it claims', () => {
      const forged = envelopeJson([other]);
      for (const keyid of [signer.publicKey.keyid, other.publicKey.keyid, '']) {
        const sigs = forged.signatures.map((s) => ({ ...s, keyid }));
        expect(signersOf(JSON.stringify({ ...forged, signatures: sigs }))).toEqual([]);
      }
    });
  });

  describe('when signatures repeat or are missing', () => {
    it('counts the same key once however many signatures it made', () => {
      const twice = envelopeJson([signer, signer]);
      expect(twice.signatures).toHaveLength(2);
      expect(signersOf(JSON.stringify(twice))).toEqual([signer.publicKey.keyid]);
      const copied = { ...good, signatures: [good.signatures[0], good.signatures[0]] };
      expect(signersOf(JSON.stringify(copied))).toHaveLength(1);
    });

    it('counts two distinct trusted keys as two', () => {
      const both = JSON.stringify(envelopeJson([signer, other]));
      expect(signersOf(both, [signer.publicKey, other.publicKey])).toHaveLength(2);
    });

    it('yields no key for an empty signature list', () => {
      expect(signersOf(JSON.stringify({ ...good, signatures: [] }))).toEqual([]);
    });

    it('rejects a signature whose sig is empty', () => {
      expect(() => parseEnvelope(withSig(''))).toThrowWithCode('MALFORMED', '$.signatures[0].sig');
    });
  });

  describe('when base64 is not strict', () => {
    // Each junk value is tried as payload and as signature.
    const junk: readonly (readonly [string, string])[] = [
      ['a space', `${goodSig.slice(0, 8)} ${goodSig.slice(8)}`],
      ['a newline', `${goodSig.slice(0, 8)}\n${goodSig.slice(8)}`],
      ['a trailing newline', `${goodSig}\n`],
      ['a star', `*${goodSig}`],
      ['both alphabets', 'ab+_cd/-'],
      ['padding in the middle', 'ab=cdefg'],
      ['three padding chars', 'a==='],
      ['padding on a complete quantum', 'abcd=='],
      ['wrong padding length', 'abc=='],
      ['an impossible length', 'abcde'],
      ['non-zero trailing bits', 'aGl='],
      ['non-zero trailing bits unpadded', 'aGl'],
      ['padding only', '=='],
      ['a non-ASCII letter', 'aGVsbG8é'],
    ];
    it.each(junk)('rejects a payload with %s as BAD_BASE64', (_what, value) => {
      expect(() => parseEnvelope(withPayload(value))).toThrowWithCode('BAD_BASE64', '$.payload');
    });
    it.each(junk)('rejects a signature with %s as BAD_BASE64', (_what, value) => {
      expect(() => parseEnvelope(withSig(value))).toThrowWithCode(
        'BAD_BASE64',
        '$.signatures[0].sig',
      );
    });

    it('accepts URL-safe and unpadded encodings of the same bytes (DSSE protocol.md)', () => {
      const urlSafe = Buffer.from(goodSig, 'base64').toString('base64url');
      expect(signersOf(withSig(urlSafe))).toEqual([signer.publicKey.keyid]);
      expect(signersOf(withSig(goodSig.replace(/=+$/, '')))).toEqual([signer.publicKey.keyid]);
    });
  });

  describe('when JSON keys repeat', () => {
    const text = JSON.stringify(good);
    it.each([
      [
        'a top-level key',
        text.replace('{"payloadType"', '{"payload":"e30=","payloadType"'),
        '$.payload',
      ],
      [
        'a key spelt with a \\u escape',
        text.replace('{"payloadType"', '{"\\u0070ayload":"e30=","payloadType"'),
        '$.payload',
      ],
      [
        'a key inside a signature',
        text.replace('"sig":', '"sig":"AAAA","sig":'),
        '$.signatures[0].sig',
      ],
      [
        'a key spelt with escapes inside a signature',
        text.replace('"sig":', '"\\u0073\\u0069g":"AAAA","sig":'),
        '$.signatures[0].sig',
      ],
    ])('rejects %s as JSON_DUPLICATE_KEY', (_what, hostile, path) => {
      expect(() => parseEnvelope(hostile)).toThrowWithCode('JSON_DUPLICATE_KEY', path);
    });

    it('rejects a duplicate key inside the signed Statement when it is read', () => {
      const body = Buffer.from(
        JSON.stringify(statement).replace('"result":"ok"', '"result":"ok","result":"bad"'),
      );
      const envelope = parseEnvelope(JSON.stringify(envelopeJson([signer], body)));
      expect(verifiedKeys(envelope, trusted)).toHaveLength(1);
      expect(() => parseStatement(envelope.payload)).toThrowWithCode(
        'JSON_DUPLICATE_KEY',
        '$.predicate.result',
      );
    });
  });

  describe('when the document is deep, huge or not UTF-8', () => {
    it('rejects 100,000 levels of [ as JSON_TOO_DEEP when balanced, JSON_SYNTAX when not', () => {
      const n = 100_000;
      expect(() => parseEnvelope('['.repeat(n) + ']'.repeat(n))).toThrowWithCode('JSON_TOO_DEEP');
      expect(() => parseEnvelope('['.repeat(n))).toThrowWithCode('JSON_SYNTAX');
      const deepInField = `{"payloadType":${'['.repeat(n)}${']'.repeat(n)}}`;
      expect(() => parseEnvelope(deepInField)).toThrowWithCode('JSON_TOO_DEEP');
    });

    it('rejects a deeply nested Statement payload', () => {
      const depth = DEFAULT_JSON_LIMITS.maxDepth + 1;
      const deep = Buffer.from(
        JSON.stringify({ ...statement, predicate: {} }).replace(
          '"predicate":{}',
          `"predicate":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        ),
      );
      const envelope = parseEnvelope(JSON.stringify(envelopeJson([signer], deep)));
      expect(() => parseStatement(envelope.payload)).toThrowWithCode('JSON_TOO_DEEP');
    });

    it('rejects a document over the 16 MiB limit as TOO_LARGE before parsing it', () => {
      const huge = Buffer.alloc(DEFAULT_JSON_LIMITS.maxBytes + 1, 0x20);
      huge.write(JSON.stringify(good));
      expect(() => parseEnvelope(huge)).toThrowWithCode('TOO_LARGE');
      expect(() => parseSignedDocument(huge)).toThrowWithCode('TOO_LARGE');
    });

    it.each([
      ['a 0xff byte', Buffer.from([0xff])],
      ['an overlong encoding of /', Buffer.from([0xc0, 0xaf])],
      ['an encoded UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80])],
      ['a truncated sequence', Buffer.from([0xe2, 0x82])],
    ])('rejects %s in a string value as BAD_ENCODING', (_what, bytes) => {
      const text = JSON.stringify({ ...good, payloadType: 'X' });
      const at = text.indexOf('"X"') + 1;
      const hostile = Buffer.concat([
        Buffer.from(text.slice(0, at)),
        bytes,
        Buffer.from(text.slice(at + 1)),
      ]);
      expect(() => parseEnvelope(hostile)).toThrowWithCode('BAD_ENCODING');
    });
  });

  describe('when the shape is wrong', () => {
    it.each([
      [
        'a missing payload',
        { payloadType: good.payloadType, signatures: good.signatures },
        '$.payload',
      ],
      ['an empty payload', { ...good, payload: '' }, '$.payload'],
      ['a numeric payloadType', { ...good, payloadType: 5 }, '$.payloadType'],
      ['an empty payloadType', { ...good, payloadType: '' }, '$.payloadType'],
      ['signatures as an object', { ...good, signatures: {} }, '$.signatures'],
      ['a null signature', { ...good, signatures: [null] }, '$.signatures[0]'],
      ['a string signature', { ...good, signatures: [goodSig] }, '$.signatures[0]'],
      [
        'a numeric keyid',
        { ...good, signatures: [{ ...good.signatures[0], keyid: 1 }] },
        '$.signatures[0].keyid',
      ],
      ['an array', [good], '$'],
      ['a string', 'envelope', '$'],
      ['a number', 42, '$'],
      ['null', null, '$'],
      ['true', true, '$'],
    ] as const)('rejects %s as MALFORMED', (_what, value, path) => {
      expect(() => parseEnvelope(JSON.stringify(value))).toThrowWithCode('MALFORMED', path);
    });

    it('ignores unrecognised fields (DSSE envelope.md), top-level and in signatures', () => {
      const extra = { ...good, extra: 1, signatures: [{ ...good.signatures[0], cert: 'x' }] };
      expect(signersOf(JSON.stringify(extra))).toEqual([signer.publicKey.keyid]);
    });

    it.each([
      ['empty input', ''],
      ['truncated JSON', JSON.stringify(good).slice(0, -1)],
      ['trailing garbage', `${JSON.stringify(good)}x`],
      ['two documents', `${JSON.stringify(good)}${JSON.stringify(good)}`],
      ['a byte-order mark', `\ufeff${JSON.stringify(good)}`],
      ['single quotes', "{'payload':'e30='}"],
    ])('rejects %s as JSON_SYNTAX', (_what, text) => {
      expect(() => parseEnvelope(text)).toThrowWithCode('JSON_SYNTAX');
    });
  });

  describe('when a Sigstore bundle is hostile', () => {
    const bundle = JSON.parse(signStatement(statement, signer, 'bundle')) as {
      mediaType: string;
      dsseEnvelope: EnvelopeJson;
      verificationMaterial: unknown;
    };
    const signers = (value: unknown): string[] =>
      documentSigners(parseSignedDocument(JSON.stringify(value)), trusted).map((k) => k.keyid);

    it('verifies the untampered bundle', () => {
      expect(signers(bundle)).toEqual([signer.publicKey.keyid]);
    });

    it('yields no key when its payload is tampered', () => {
      const tampered = Buffer.from(payload);
      tampered[10] = (tampered[10] ?? 0) ^ 1;
      const dsseEnvelope = { ...bundle.dsseEnvelope, payload: encodeBase64(tampered) };
      expect(signers({ ...bundle, dsseEnvelope })).toEqual([]);
    });

    it.each([
      [
        'an unknown version',
        { ...bundle, mediaType: 'application/vnd.dev.sigstore.bundle.v0.4+json' },
        'UNSUPPORTED_BUNDLE',
      ],
      ['a non-string mediaType', { ...bundle, mediaType: 3 }, 'UNSUPPORTED_BUNDLE'],
      ['no verification material', { ...bundle, verificationMaterial: undefined }, 'MALFORMED'],
      [
        'verification material of the wrong type',
        { ...bundle, verificationMaterial: 7 },
        'MALFORMED',
      ],
      [
        'two DSSE signatures',
        {
          ...bundle,
          dsseEnvelope: {
            ...bundle.dsseEnvelope,
            signatures: [...bundle.dsseEnvelope.signatures, ...bundle.dsseEnvelope.signatures],
          },
        },
        'MALFORMED',
      ],
      [
        'junk base64 in the envelope',
        { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: '*' } },
        // The envelope is narrowed by the bare-envelope rules first: the same code as DSSE.
        'BAD_BASE64',
      ],
    ] as const satisfies readonly (readonly [string, unknown, ErrorCode])[])(
      'rejects %s with a coded error',
      (_what, value, code) => {
        expect(() => parseSignedDocument(JSON.stringify(value))).toThrowWithCode(code);
      },
    );
  });

  describe('when input is arbitrary (property)', () => {
    const onlyVouchErrors = (run: () => unknown): boolean => {
      try {
        run();
        return true;
      } catch (err) {
        return err instanceof VouchError;
      }
    };

    it('any JSON value narrows to an envelope or a VouchError', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => onlyVouchErrors(() => envelopeFromJson(value, '$'))),
        { numRuns: 500 },
      );
    });

    it('any byte mutation of a signed envelope parses to a VouchError or verifies coherently', () => {
      const text = Buffer.from(JSON.stringify(good));
      fc.assert(
        fc.property(
          fc.nat({ max: text.byteLength - 1 }),
          fc.integer({ min: 1, max: 255 }),
          (at, xor) => {
            const hostile = Buffer.from(text);
            hostile[at] = (hostile[at] ?? 0) ^ xor;
            return onlyVouchErrors(() => {
              const envelope = parseEnvelope(hostile);
              const keys = verifiedKeys(envelope, trusted);
              // Only a mutation that leaves payloadType, payload and sig bytes intact (e.g. in
              // the keyid hint) may still verify.
              if (keys.length > 0) {
                expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
                expect(envelope.payload.equals(payload)).toBe(true);
              }
            });
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('any object claiming a bundle mediaType parses to a bundle or a VouchError', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(
            'application/vnd.dev.sigstore.bundle+json;version=0.1',
            'application/vnd.dev.sigstore.bundle+json;version=0.2',
            'application/vnd.dev.sigstore.bundle.v0.3+json',
          ),
          fc.dictionary(
            fc.constantFrom('verificationMaterial', 'dsseEnvelope', 'messageSignature', 'x'),
            fc.jsonValue(),
          ),
          (mediaType, fields) =>
            onlyVouchErrors(() => {
              const doc = parseSignedDocument(JSON.stringify({ ...fields, mediaType }));
              documentSigners(doc, trusted);
            }),
        ),
        { numRuns: 500 },
      );
    });
  });
});
