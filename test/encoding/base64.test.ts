import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from '../../src/encoding/base64.js';
import { VouchError } from '../../src/errors.js';

const decode = (value: string): Buffer => decodeBase64Strict(value, '$.x');

describe('decodeBase64Strict', () => {
  describe('when the value is well-formed', () => {
    it('decodes standard, URL-safe, padded and unpadded forms of any bytes (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          const standard = encodeBase64(bytes);
          const url = Buffer.from(bytes).toString('base64url');
          for (const form of [
            standard,
            standard.replace(/=+$/, ''),
            url,
            `${url}${'='.repeat((4 - (url.length % 4)) % 4)}`,
          ]) {
            expect(decode(form).equals(Buffer.from(bytes))).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('decodes the empty string to no bytes', () => {
      expect(decode('').byteLength).toBe(0);
    });

    it('encodes a subarray view without the bytes around it', () => {
      const whole = Buffer.from('xxhiyy');
      expect(encodeBase64(whole.subarray(2, 4))).toBe('aGk=');
    });
  });

  describe('when the value is junk', () => {
    it.each([
      ['whitespace', 'aGk= '],
      ['an inner newline', 'aG\nk='],
      ['a star', 'aG*k'],
      ['mixed alphabets', 'a+b_'],
      ['padding inside', 'aG=k'],
      ['three padding characters', 'a==='],
      ['wrong padding', 'aGk=='],
      ['padding on a full quantum', 'aGVs='],
      ['an impossible length', 'aGVsb'],
      ['non-zero trailing bits', 'aGl='],
      ['non-zero trailing bits (URL-safe)', 'aG_'],
    ])('rejects %s as BAD_BASE64 at the field path', (_what, value) => {
      expect(() => decode(value)).toThrowWithCode('BAD_BASE64', '$.x');
    });

    it('accepts at most one encoding per byte string (property)', () => {
      const char = fc.constantFrom(...'AQgw+/-_='.split(''));
      fc.assert(
        fc.property(fc.array(char, { maxLength: 12 }), (chars) => {
          const value = chars.join('');
          let bytes: Buffer;
          try {
            bytes = decode(value);
          } catch (err) {
            return err instanceof VouchError && err.code === 'BAD_BASE64';
          }
          // Accepted: it is the canonical encoding, up to alphabet and optional padding.
          const canonical = (s: string) =>
            s.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
          return canonical(bytes.toString('base64')) === canonical(value);
        }),
        { numRuns: 2000 },
      );
    });
  });
});
