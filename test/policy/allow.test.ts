import { describe, expect, it } from 'vitest';
import {
  AllowSyntaxError,
  allRequirements,
  foldAllow,
  formatAllow,
  MAX_ALLOW_DEPTH,
  MAX_ALLOW_TERMS,
  parseAllow,
} from '../../src/policy/allow.js';

const names = new Set(['provenance', 'vuln-review', 'tests', 'vex']);
const truth = (satisfied: string[]) => (n: string) => (satisfied.includes(n) ? 1 : 0);

describe('parseAllow', () => {
  it.each([
    ['provenance', 'provenance'],
    ['provenance && vuln-review', 'provenance && vuln-review'],
    ['provenance&&vuln-review&&tests', 'provenance && vuln-review && tests'],
    ['provenance && (vuln-review || vex)', 'provenance && (vuln-review || vex)'],
    ['((provenance))', 'provenance'],
    [
      '(provenance && tests) || (vuln-review && vex)',
      '(provenance && tests) || (vuln-review && vex)',
    ],
  ])('when given %s it reads %s', (text, canonical) => {
    expect(formatAllow(parseAllow(text, names))).toBe(canonical);
  });

  it.each([
    ['negation', '!provenance', 1],
    ['a single &', 'provenance & tests', 12],
    ['an unknown name', 'provenance && nope', 15],
    ['a mix of && and || without parentheses', 'provenance && tests || vex', 21],
    ['an unclosed parenthesis', '(provenance && tests', 21],
    ['a stray parenthesis', 'provenance)', 11],
    ['an empty expression', '', 1],
    ['a trailing operator', 'provenance &&', 14],
    ['a literal', 'true', 1],
    ['a function call', 'provenance(tests)', 11],
    ['a comparison', 'provenance == tests', 12],
  ])('when given %s it is a syntax error with a column', (_why, text, column) => {
    let error: unknown;
    try {
      parseAllow(text, names);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AllowSyntaxError);
    expect((error as AllowSyntaxError).column).toBe(column);
  });
});

describe('allow expression limits', () => {
  const error = (text: string): AllowSyntaxError => {
    try {
      parseAllow(text, names);
    } catch (err) {
      if (err instanceof AllowSyntaxError) return err;
      throw err;
    }
    throw new Error('expected an AllowSyntaxError');
  };

  it('when parentheses nest 5,000 deep it is a syntax error naming the limit, not a stack overflow', () => {
    const e = error(`${'('.repeat(5000)}provenance${')'.repeat(5000)}`);
    expect(e.message).toMatch(/deeper than 32 levels \(the limit\)/);
    expect(e.column).toBe(33);
  });

  it('when parentheses nest to the limit it parses', () => {
    const text = `${'('.repeat(MAX_ALLOW_DEPTH)}provenance${')'.repeat(MAX_ALLOW_DEPTH)}`;
    expect(formatAllow(parseAllow(text, names))).toBe('provenance');
  });

  it('when an expression has 100,000 names it is a syntax error naming the limit', () => {
    const e = error(Array.from({ length: 100_000 }, () => 'provenance').join(' && '));
    expect(e.message).toMatch(/more than 1000 names \(the limit\)/);
  });

  it('when an expression has as many names as the limit it parses and evaluates', () => {
    const text = Array.from({ length: MAX_ALLOW_TERMS }, () => 'vex').join(' || ');
    expect(foldAllow(parseAllow(text, names), truth(['vex']))).toBe(1);
  });
});

describe('foldAllow', () => {
  it('when a node has 500,000 terms it folds without spreading them into arguments', () => {
    const terms = Array.from({ length: 500_000 }, (_, i) => ({
      kind: 'requirement' as const,
      name: i === 400_000 ? 'vex' : 'provenance',
    }));
    expect(foldAllow({ kind: 'all', terms }, truth(['provenance']))).toBe(0);
    expect(foldAllow({ kind: 'any', terms }, truth(['vex']))).toBe(1);
  });

  it('when && is min and || is max it evaluates the expression', () => {
    const expr = parseAllow('provenance && (vuln-review || vex)', names);
    expect(foldAllow(expr, truth(['provenance', 'vex']))).toBe(1);
    expect(foldAllow(expr, truth(['provenance']))).toBe(0);
    expect(foldAllow(expr, truth(['vuln-review', 'vex']))).toBe(0);
  });

  it('when there is no allow every requirement is needed', () => {
    const expr = allRequirements(['provenance', 'tests']);
    expect(formatAllow(expr)).toBe('provenance && tests');
    expect(foldAllow(expr, truth(['provenance']))).toBe(0);
    expect(foldAllow(expr, truth(['provenance', 'tests']))).toBe(1);
    expect(formatAllow(allRequirements(['tests']))).toBe('tests');
  });
});
