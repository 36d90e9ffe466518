import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/policy/duration.js';

describe('parseDuration', () => {
  it.each([
    ['168h', 168 * 3600_000],
    ['5m', 300_000],
    ['30s', 30_000],
    ['1h30m', 5_400_000],
    ['1h0m5s', 3_605_000],
    ['0s', 0],
  ])('when given %s it is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '-5m', '1.5h', '5', '5 m', '7d', 'm5', '5m1h', '1h 30m', '999999999h', '+5m'])(
    'when given %j it is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [168 * 3600_000, '168h'],
    [5_400_000, '1h30m'],
    [45_000, '45s'],
    [0, '0s'],
  ])('when given %d ms it prints %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
