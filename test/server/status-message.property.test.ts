import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapedAndCut, printable } from '../../src/server/status-message.js';

/** Characters near every edge of the unsafe set, plus ordinary and astral ones and lone surrogates. */
const character = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\u001f',
    ' ',
    '~',
    '\u007f',
    '\u009f',
    '\u00a0',
    '\u200d',
    '\u200e',
    '\u200f',
    '\u2010',
    '\u2027',
    '\u2028',
    '\u202e',
    '\u202f',
    '\u2065',
    '\u2066',
    '\u2069',
    '\u206a',
    '\ud800',
    '\udfff',
    '😀',
    'é',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

describe('printable', () => {
  it('agrees with the plain path (escape a code point at a time, then cut) on any text', () => {
    fc.assert(
      fc.property(
        fc.array(character, { maxLength: 40 }),
        fc.integer({ min: 0, max: 50 }),
        (cs, max) => {
          const text = cs.join('');
          expect(printable(text, max)).toBe(escapedAndCut(text, max));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with the plain path on every UTF-16 unit, alone and inside text, at short and long cuts', () => {
    // Every unit, not a sample: a range of the fast path's class with a gap would pass a random
    // test that rarely lands inside it.
    for (let unit = 0; unit <= 0xffff; unit++) {
      const c = String.fromCharCode(unit);
      for (const text of [c, `ab${c}cd`, `${c}😀`]) {
        for (const max of [0, 1, 2, 6, 64]) {
          if (printable(text, max) !== escapedAndCut(text, max)) {
            expect.fail(`U+${unit.toString(16)} in ${JSON.stringify(text)} at max ${max}`);
          }
        }
      }
    }
  });

  it('returns clean text as it is and still escapes a bidirectional override', () => {
    const image = 'ghcr.io/acme/app@sha256:0123456789abcdef';
    expect(printable(image, 1024)).toBe(image);
    expect(printable('evil\u202egpj.exe', 100)).toBe('evil\\u{202e}gpj.exe');
    expect(printable('a\nb', 100)).toBe('a\\u{a}b');
    expect(printable('abcdef', 4)).toBe('abc…');
  });
});
