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

  it('writes whole seconds without a fraction', () => {
    expect(toUtcTimestamp(new Date('2026-11-23T10:00:00.000Z'))).toBe('2026-11-23T10:00:00Z');
  });
});
