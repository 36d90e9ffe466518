import { describe, expect, it } from 'vitest';
import {
  type ConditionVariables,
  compileCondition,
  toCelValue,
} from '../../src/policy/condition.js';
import { MISSING, renderValue } from '../../src/policy/condition-paths.js';

function vars(predicate: unknown): ConditionVariables {
  return {
    predicate: toCelValue(predicate),
    predicateType: 'https://slsa.dev/verification_summary/v1',
    subject: { name: 'app', digest: { sha256: 'ab' } },
    statement: { predicate },
    signer: { authority: 'verifier', keyid: 'k1' },
    now: new Date('2026-11-23T10:00:00Z'),
  };
}

const readsOf = (source: string) => compileCondition(source).reads.map((r) => r.text);

describe('the fields a condition reads', () => {
  it.each([
    ['predicate.decision == "approved"', ['predicate.decision']],
    [
      'predicate.verificationResult == "PASSED" && predicate.policy.digest.sha256 == "ab"',
      ['predicate.verificationResult', 'predicate.policy.digest.sha256'],
    ],
    [
      'predicate["@id"] == "x" && predicate.list[0] == 1',
      ['predicate["@id"]', 'predicate.list[0]'],
    ],
    [
      'predicate.triage.all(t, t.status == "not_affected")',
      ['predicate.triage', 'predicate.triage[].status'],
    ],
    [
      'cel.bind(s, predicate.scan, s.scanner.name == "grype")',
      ['predicate.scan', 'predicate.scan.scanner.name'],
    ],
    ['has(predicate.note) && signer.authority == "a"', ['predicate.note', 'signer.authority']],
    ['[1, 2].all(predicate, predicate > 0)', []],
    ['now > timestamp(predicate.reviewedAt)', ['now', 'predicate.reviewedAt']],
    ['predicate.list[predicate.i] == 1', ['predicate.list[]', 'predicate.i']],
  ])('%s reads %j', (source, reads) => {
    expect(readsOf(source)).toEqual(reads);
  });
});

describe('describeReads', () => {
  it('shows each value read, as a JSON literal', () => {
    const c = compileCondition(
      'predicate.verificationResult == "PASSED" && predicate.policy.digest.sha256 == "ab"',
    );
    expect(
      c.describeReads(vars({ verificationResult: 'FAILED', policy: { digest: { sha256: 'cd' } } })),
    ).toBe('predicate.verificationResult = "FAILED", predicate.policy.digest.sha256 = "cd"');
  });

  it('says (missing) for an absent field, and shows the elements a comprehension looked at', () => {
    const c = compileCondition(
      'predicate.triage.all(t, t.status == "not_affected") && has(predicate.x)',
    );
    expect(
      c.describeReads(vars({ triage: [{ status: 'affected' }, { justification: 'x' }] })),
    ).toBe('predicate.triage[].status = ["affected", (missing)], predicate.x = (missing)');
  });

  it('cuts long values and escapes control, C1 and bidi characters', () => {
    const c = compileCondition('predicate.s == "x"');
    const text = c.describeReads(vars({ s: `\u001b[2J\nALLOWED\u009b\u202e${'y'.repeat(500)}` }));
    expect(text).toMatch(/^predicate\.s = "\\u001b\[2J\\nALLOWED\\u009b\\u202ey+…$/);
    expect(text.length).toBeLessThan(120);
    const unsafe = [...text].filter((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x202e;
    });
    expect(unsafe).toEqual([]);
  });

  it('renders a value bounded, whatever its size', () => {
    const big = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(renderValue(big, 30)).toBe('{"k0": 0, "k1": 1, "k2": 2, "k…');
    expect(renderValue([1n, new Date(0), null, true, MISSING])).toBe(
      '[1, 1970-01-01T00:00:00.000Z, null, true, (missing)]',
    );
  });
});
