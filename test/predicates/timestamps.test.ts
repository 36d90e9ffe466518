import { describe, expect, it } from 'vitest';
import {
  attestationTime,
  defaultTimestampPath,
  isPerishable,
  parseTimestampPath,
  valueAtPath,
} from '../../src/predicates/timestamps.js';

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
