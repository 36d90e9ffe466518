import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ConditionVariables, compileCondition } from '../../src/policy/condition.js';
import { CONDITION_BUDGET, estimateCost, valueSize } from '../../src/policy/condition-cost.js';

const HUNDRED = `[${Array.from({ length: 100 }, (_, i) => i).join(', ')}]`;
// A long list in a predicate: attacker-sized input a real scan report can reach.
const BIG = Array.from({ length: 200_000 }, (_, i) => i);

function vars(predicate: unknown): ConditionVariables {
  return {
    predicate,
    predicateType: 'https://example.com/t',
    subject: { digest: { sha256: 'ab' } },
    statement: { predicate },
    signer: { authority: 'a', keyid: 'k' },
    now: new Date('2026-11-23T10:00:00Z'),
  };
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

const OVER = /exceeds the budget/;

describe('condition evaluation cost', () => {
  it('when comprehensions nest five deep over 100 elements the evaluation stops over budget', () => {
    const c = compileCondition(
      `cel.bind(l, ${HUNDRED}, l.all(a, l.all(b, l.all(c, l.all(d, l.all(e, true))))))`,
    );
    const { value, ms } = timed(() => c.evaluate(vars({})));
    expect(value).toEqual({ ok: false, error: expect.stringMatching(OVER) });
    expect(ms).toBeLessThan(3000);
  });

  it.each([
    ['an all() over a list', 'predicate.a.all(x, predicate.a.all(y, x <= y || true))'],
    ['an exists() that never matches', 'predicate.a.exists(x, predicate.a.exists(y, y == -1))'],
    ['a search of a list per element', 'predicate.a.all(x, x in predicate.a)'],
    ['a map of maps', 'predicate.a.map(x, predicate.a.map(y, y)).size() == 0'],
    [
      'a filter inside exists_one',
      'predicate.a.exists_one(x, predicate.a.filter(y, y == x).size() == 1)',
    ],
    ['deep equality per element', 'predicate.a.all(x, predicate.a == predicate.a)'],
    ['concatenation per element', 'predicate.a.all(x, size(predicate.a + predicate.a) > 0)'],
  ])(
    'when a quadratic condition meets a long list (%s) it is an error, and quick',
    (_why, source) => {
      const c = compileCondition(source);
      const { value, ms } = timed(() => c.evaluate(vars({ a: BIG })));
      expect(value).toEqual({ ok: false, error: expect.stringMatching(OVER) });
      expect(ms).toBeLessThan(3000);
    },
  );

  it('when the error is absorbed by || the overrun still makes it an error, never true', () => {
    const c = compileCondition(
      `cel.bind(l, ${HUNDRED}, l.all(a, l.all(b, l.all(c, true)))) || true`,
    );
    expect(c.evaluate(vars({}))).toEqual({ ok: false, error: expect.stringMatching(OVER) });
  });

  it('when a linear condition reads a long list it completes within budget', () => {
    const c = compileCondition('predicate.a.all(x, x >= 0) && predicate.a.exists(x, x == 99999)');
    expect(c.evaluate(vars({ a: BIG.slice(0, 100_000) }))).toEqual({ ok: true, value: true });
  });

  it('when the same condition runs again the meter starts from zero', () => {
    const c = compileCondition('predicate.a.all(x, x >= 0)');
    const a = BIG.slice(0, 200_000);
    for (let i = 0; i < 3; i++) expect(c.evaluate(vars({ a }))).toEqual({ ok: true, value: true });
  });

  it('the static estimate reports how the cost grows with the attestation', () => {
    const degree = (source: string): number => compileCondition(source).worstCase.degree;
    expect(degree('predicate.decision == "approved"')).toBe(1);
    expect(degree('signer.authority == "a"')).toBe(0);
    expect(degree('predicate.triage.all(t, t.status == "not_affected")')).toBe(1);
    expect(degree('predicate.a.all(x, x in predicate.b)')).toBe(2);
    expect(degree('predicate.a.all(x, predicate.b.all(y, predicate.c.all(z, x == z)))')).toBe(3);
    const nested = compileCondition(
      `cel.bind(l, ${HUNDRED}, l.all(a, l.all(b, l.all(c, l.all(d, l.all(e, true))))))`,
    ).worstCase;
    expect(nested.degree).toBe(0);
    expect(nested.at(0)).toBeGreaterThan(CONDITION_BUDGET);
    expect(estimateCost(undefined).at(10)).toBe(1);
  });

  it('value sizes count every part once, for lists, maps and strings', () => {
    expect(valueSize('abc')).toBe(4);
    expect(valueSize([1, 2, 3])).toBe(4);
    expect(valueSize({ a: 'xy' })).toBe(1 + 2 + 3);
    expect(valueSize(new Map([['a', [1]]]))).toBe(1 + 2 + 2);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(valueSize(deep)).toBe(100_001);
  });
});

// Random conditions of nested comprehensions, bodies and ranges: each evaluation ends quickly.
const range = fc.constantFrom('predicate.a', 'predicate.b', HUNDRED, '[1, 2, 3]', 'l');
const leaf = (v: string) =>
  fc.constantFrom(
    'true',
    `${v} == 7`,
    `${v} in predicate.a`,
    `predicate.a == predicate.b`,
    `size(predicate.s + predicate.s) > 0`,
    `predicate.s.contains("zz")`,
  );
const body = (depth: number, vars: readonly string[]): fc.Arbitrary<string> => {
  const v = vars[vars.length - 1] ?? '1';
  if (depth === 0) return leaf(v);
  const next = `v${depth}`;
  return fc.oneof(
    leaf(v),
    fc
      .tuple(
        fc.constantFrom('all', 'exists', 'exists_one'),
        range,
        body(depth - 1, [...vars, next]),
      )
      .map(([m, r, b]) => `${r}.${m}(${next}, ${b})`),
    fc
      .tuple(fc.constantFrom('map', 'filter'), range, body(depth - 1, [...vars, next]))
      .map(
        ([m, r, b]) =>
          `${r}.${m}(${next}, ${m === 'map' ? next : b}).size() >= 0 && ${b.replaceAll(next, '1')}`,
      ),
  );
};

describe('random nested comprehensions', () => {
  it('finish within the time bound, and over budget is never true', () => {
    const predicate = {
      a: BIG.slice(0, 50_000),
      b: BIG.slice(0, 50_000),
      s: 'x'.repeat(1_000_000),
    };
    fc.assert(
      fc.property(body(5, []), (inner) => {
        const c = compileCondition(`cel.bind(l, predicate.a, ${inner})`);
        const { value, ms } = timed(() => c.evaluate(vars(predicate)));
        expect(ms).toBeLessThan(3000);
        if (!value.ok) expect(value.error).not.toContain('\n');
      }),
      { numRuns: 40, seed: 8006 },
    );
  }, 120_000);
});
