import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/policy/decision.js';
import { explainDecision } from '../../src/policy/explain.js';

const base: Omit<Decision, 'allowed' | 'requirements' | 'expiresAt'> = {
  schemaVersion: 'vouch.dev/decision/v1',
  vouchVersion: '0.1.0',
  policy: 'production',
  policyDigest: { sha256: 'c'.repeat(64) },
  evaluatedAt: '2026-11-23T10:00:00Z',
  artifact: { name: 'app.tar.gz', digest: { sha256: 'ab'.repeat(32) } },
};
const d1 = `sha256:${'1'.repeat(64)}`;
const d2 = `sha256:${'2'.repeat(64)}`;

describe('explainDecision', () => {
  it('lists the entries not read and the sources that failed, escaped, after the requirements', () => {
    const text = explainDecision({
      ...base,
      allowed: false,
      expiresAt: null,
      requirements: [
        { name: 'provenance', satisfied: false, satisfiedBy: [], rejected: [], missing: 'x' },
      ],
      skipped: [{ source: 'att/fifo', reason: 'not a regular file (FIFO)' }],
      sourceFailures: [
        {
          source: 'oci://r.example/app@sha256:ab (cosign-att)',
          code: 'REGISTRY_UNAVAILABLE',
          message: 'gave up\u001b[2J after 4 attempts',
        },
      ],
    });
    expect(text).toContain(
      '  skipped 1 entry (not read):\n      att/fifo: not a regular file (FIFO)\n',
    );
    expect(text).toContain(
      '  1 source(s) could not be read (what they hold did not count):\n      oci://r.example/app@sha256:ab (cosign-att): REGISTRY_UNAVAILABLE: gave up',
    );
    expect(text).not.toContain('\u001b');
  });

  it('when denied it says what is missing and lists the nearest misses first', () => {
    const text = explainDecision({
      ...base,
      allowed: false,
      expiresAt: null,
      requirements: [
        {
          name: 'vuln-review',
          satisfied: false,
          satisfiedBy: [],
          rejected: [
            {
              attestation: d1,
              source: null,
              code: 'UNTRUSTED_SIGNER',
              message: 'signed by builder',
            },
            {
              attestation: d2,
              source: 'reviews/old.dsse.json',
              code: 'EXPIRED',
              message: 'reviewedAt ... expired 2026-11-08',
            },
          ],
          missing: 'no attestation of type X signed by security counts for this artifact',
        },
      ],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe(`DENIED: app.tar.gz sha256:${'ab'.repeat(32)}`);
    expect(text).toContain('[NOT satisfied] vuln-review');
    expect(text).toContain('missing: no attestation of type X signed by security');
    const expired = lines.findIndex((l) => l.includes('EXPIRED'));
    const untrusted = lines.findIndex((l) => l.includes('UNTRUSTED_SIGNER'));
    expect(expired).toBeLessThan(untrusted);
    expect(lines[expired]).toContain('(reviews/old.dsse.json)');
    expect(lines[untrusted]).toBe(
      `      UNTRUSTED_SIGNER sha256:${'1'.repeat(16)}: signed by builder`,
    );
  });

  it('when there are many rejections it shows the first ones and a count', () => {
    const rejected = Array.from({ length: 15 }, (_, i) => ({
      attestation: `sha256:${i.toString(16).padStart(64, '0')}`,
      source: `bad/${i}.json`,
      code: 'MALFORMED' as const,
      message: 'not json',
    }));
    const text = explainDecision({
      ...base,
      allowed: false,
      expiresAt: null,
      requirements: [{ name: 'r', satisfied: false, satisfiedBy: [], rejected, missing: 'x' }],
    });
    expect(text.match(/MALFORMED/g)).toHaveLength(10);
    expect(text).toContain('... and 5 more (the JSON decision lists every one)');
  });

  it('when allowed it names who signed and warns about what expires within a day', () => {
    const text = explainDecision({
      ...base,
      allowed: true,
      expiresAt: '2026-11-24T08:00:00Z',
      requirements: [
        {
          name: 'vuln-review',
          satisfied: true,
          satisfiedBy: [
            {
              attestation: d1,
              source: 'reviews/alice.dsse.json',
              signer: { authority: 'security', kind: 'key', id: 'f'.repeat(64) },
              time: '2026-11-17T08:00:00Z',
              expiresAt: '2026-11-24T08:00:00Z',
            },
            {
              attestation: d2,
              source: 'reviews.intoto.jsonl#L2',
              signer: { authority: 'security', kind: 'key', id: 'e'.repeat(64) },
              time: '2026-11-22T08:00:00Z',
              expiresAt: '2026-11-29T08:00:00Z',
            },
          ],
          rejected: [],
        },
      ],
    });
    expect(text.split('\n')[0]).toBe(`ALLOWED: app.tar.gz sha256:${'ab'.repeat(32)}`);
    expect(text).toContain(
      `security key ${'f'.repeat(16)} signed sha256:${'1'.repeat(16)} (reviews/alice.dsse.json), time 2026-11-17T08:00:00Z`,
    );
    expect(text).toContain('decision expires 2026-11-24T08:00:00Z (in 22h)');
    expect(text).toContain(`expires soon: vuln-review attestation sha256:${'1'.repeat(16)}`);
    expect(text).not.toContain(`expires soon: vuln-review attestation sha256:${'2'.repeat(16)}`);
  });
});
