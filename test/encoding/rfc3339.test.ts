import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRfc3339, toUtcTimestamp } from '../../src/encoding/rfc3339.js';

describe('when parsing RFC 3339 date-times', () => {
  it('applies the offset and truncates fractions to milliseconds', () => {
    expect(parseRfc3339('2023-07-17T18:28:47.696004345-06:00')?.toISOString()).toBe(
      '2023-07-18T00:28:47.696Z',
    );
    expect(parseRfc3339('2021-08-06T17:45:50.52Z')?.toISOString()).toBe('2021-08-06T17:45:50.520Z');
    expect(parseRfc3339('2024-02-29t23:59:59z')?.toISOString()).toBe('2024-02-29T23:59:59.000Z');
  });

  it('rejects what RFC 3339 or the calendar does not allow', () => {
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2023-04-31T00:00:00Z',
      '2023-01-01 00:00:00Z',
      '2023-01-01T24:00:00Z',
      '2023-01-01T00:00:60Z',
      '2023-01-01T00:00:00',
      '2023-01-01T00:00:00+2400',
      '2023-01-01T00:00:00+24:00',
      '2023-1-01T00:00:00Z',
      '2023-01-01',
      ' 2023-01-01T00:00:00Z',
    ]) {
      expect(parseRfc3339(bad), bad).toBeUndefined();
    }
  });

  it('round-trips any instant through the in-toto UTC form', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const text = toUtcTimestamp(date);
          expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
          expect(parseRfc3339(text)?.getTime()).toBe(date.getTime());
        },
      ),
    );
  });

  it('reads every field, fraction and offset as Date.parse does (property)', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0100-01-02T00:00:00Z'),
          max: new Date('9999-12-30T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 9 }),
        fc.option(fc.tuple(fc.constantFrom('+', '-'), fc.nat({ max: 23 }), fc.nat({ max: 59 }))),
        (date, fraction, offset) => {
          const base = date.toISOString().slice(0, 19);
          const zone = offset === null ? 'Z' : `${offset[0]}${two(offset[1])}:${two(offset[2])}`;
          const text = `${base}${fraction === '' ? '' : `.${fraction}`}${zone}`;
          // Date.parse reads at most milliseconds: give it the same three digits.
          const reference = `${base}${fraction === '' ? '' : `.${fraction.slice(0, 3).padEnd(3, '0')}`}${zone}`;
          expect(parseRfc3339(text)?.getTime()).toBe(Date.parse(reference));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('writes whole seconds without a fraction', () => {
    expect(toUtcTimestamp(new Date('2026-11-23T10:00:00.000Z'))).toBe('2026-11-23T10:00:00Z');
  });
});

describe('parseRfc3339 (policy time fields)', () => {
  it.each([
    ['2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z'],
    ['2026-11-23t10:00:00z', '2026-11-23T10:00:00Z'],
    ['2026-11-23T12:30:00+02:30', '2026-11-23T10:00:00Z'],
    ['2026-11-23T05:00:00-05:00', '2026-11-23T10:00:00Z'],
    ['2026-11-23T10:00:00.5Z', '2026-11-23T10:00:00.500Z'],
    ['2026-11-23T10:00:00.123456789Z', '2026-11-23T10:00:00.123Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
  ])('when given %s it reads %s', (text, expected) => {
    const date = parseRfc3339(text);
    expect(date).toBeDefined();
    expect(toUtcTimestamp(date ?? 0)).toBe(expected);
  });

  it.each([
    ['no timezone', '2026-11-23T10:00:00'],
    ['a space instead of T', '2026-11-23 10:00:00Z'],
    ['a date only', '2026-11-23'],
    ['February 30', '2026-02-30T00:00:00Z'],
    ['February 29 in a common year', '2026-02-29T00:00:00Z'],
    ['1900 is not a leap year', '1900-02-29T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-11-00T00:00:00Z'],
    ['hour 24', '2026-11-23T24:00:00Z'],
    ['minute 60', '2026-11-23T10:60:00Z'],
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['offset hour 24', '2026-11-23T10:00:00+24:00'],
    ['offset without colon', '2026-11-23T10:00:00+0200'],
    ['an empty fraction', '2026-11-23T10:00:00.Z'],
    ['trailing text', '2026-11-23T10:00:00Z junk'],
    ['a number', 1763892000000],
    ['null', null],
    ['a Date-parsable English date', 'Mon, 23 Nov 2026 10:00:00 GMT'],
  ])('when given %s it has no time', (_why, value) => {
    expect(parseRfc3339(value)).toBeUndefined();
  });
});

describe('toUtcTimestamp of epoch milliseconds', () => {
  it('when there is no fraction it prints none', () => {
    expect(toUtcTimestamp(Date.UTC(2026, 10, 23, 10))).toBe('2026-11-23T10:00:00Z');
  });
});
