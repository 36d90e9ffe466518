import { describe, expect, it } from 'vitest';
import {
  attestationTime,
  defaultTimestampPath,
  formatRfc3339,
  isPerishable,
  parseRfc3339,
  parseTimestampPath,
  valueAtPath,
} from '../../src/predicates/timestamps.js';

describe('parseRfc3339', () => {
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
    const millis = parseRfc3339(text);
    expect(millis).toBeDefined();
    expect(formatRfc3339(millis ?? 0)).toBe(expected);
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

describe('formatRfc3339', () => {
  it('when there is no fraction it prints none', () => {
    expect(formatRfc3339(Date.UTC(2026, 10, 23, 10))).toBe('2026-11-23T10:00:00Z');
  });
});

describe('predicate time fields', () => {
  it('when the type is in DESIGN.md section 8 it has its default path', () => {
    expect(defaultTimestampPath('https://slsa.dev/provenance/v1')).toBe(
      'runDetails.metadata.finishedOn',
    );
    expect(defaultTimestampPath('https://slsa.dev/provenance/v0.2')).toBe(
      'metadata.buildFinishedOn',
    );
    expect(defaultTimestampPath('https://in-toto.io/attestation/vulns/v0.1')).toBe(
      'metadata.scanFinishedOn',
    );
    expect(defaultTimestampPath('https://vouch.dev/attestation/vuln-review/v1')).toBe('reviewedAt');
    expect(defaultTimestampPath('https://openvex.dev/ns/v0.2.0')).toBe('timestamp');
    expect(defaultTimestampPath('https://slsa.dev/verification_summary/v1')).toBe('timeVerified');
  });

  it('when the type has no time field (test results) it has no default', () => {
    expect(defaultTimestampPath('https://in-toto.io/attestation/test-result/v0.1')).toBeUndefined();
    expect(defaultTimestampPath('https://example.com/custom')).toBeUndefined();
  });

  it('when the claim goes stale (reviews, scans, VEX, VSA) it is perishable', () => {
    expect(isPerishable('https://vouch.dev/attestation/vuln-review/v1')).toBe(true);
    expect(isPerishable('https://in-toto.io/attestation/vulns/v0.2')).toBe(true);
    expect(isPerishable('https://openvex.dev/ns/v0.2.0')).toBe(true);
    expect(isPerishable('https://slsa.dev/verification_summary/v1')).toBe(true);
    expect(isPerishable('https://slsa.dev/provenance/v1')).toBe(false);
  });

  it('when a path has an empty segment it is rejected', () => {
    expect(parseTimestampPath('a.b')).toEqual(['a', 'b']);
    expect(parseTimestampPath('a..b')).toBeUndefined();
    expect(parseTimestampPath('.a')).toBeUndefined();
    expect(parseTimestampPath('')).toBeUndefined();
  });

  it('when following a path it reads own properties only', () => {
    const predicate = JSON.parse('{"a":{"b":"2026-11-23T10:00:00Z"},"list":["x"]}');
    expect(valueAtPath(predicate, ['a', 'b'])).toBe('2026-11-23T10:00:00Z');
    expect(valueAtPath(predicate, ['constructor'])).toBeUndefined();
    expect(valueAtPath(predicate, ['a', '__proto__'])).toBeUndefined();
    expect(valueAtPath(predicate, ['list', '0'])).toBeUndefined();
    expect(valueAtPath(predicate, ['a', 'b', 'c'])).toBeUndefined();
  });

  it('when the field holds a valid time it is the attestation time', () => {
    const predicate = { metadata: { scanFinishedOn: '2026-11-23T10:00:00+01:00' } };
    expect(attestationTime(predicate, ['metadata', 'scanFinishedOn'])).toBe(
      Date.UTC(2026, 10, 23, 9),
    );
    expect(attestationTime(predicate, ['metadata', 'missing'])).toBeUndefined();
    expect(attestationTime({ reviewedAt: '2026-11-23T10:00:00' }, ['reviewedAt'])).toBeUndefined();
  });
});
