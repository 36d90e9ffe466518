import { describe, expect, it } from 'vitest';
import {
  ConditionCompileError,
  type ConditionVariables,
  compileCondition,
  toCelValue,
} from '../../src/policy/condition.js';

const predicate = {
  buildDefinition: {
    externalParameters: { workflow: { repository: 'https://github.com/acme/app' } },
  },
  decision: 'approved',
  summary: { critical: 0, high: 2 },
  triage: [{ status: 'not_affected' }, { status: 'not_affected' }],
  approved: true,
  constructor: 'attacker-chosen key',
};

function vars(overrides: Partial<ConditionVariables> = {}): ConditionVariables {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app', digest: { sha256: 'ab' } }],
    predicateType: 'https://vouch.dev/attestation/vuln-review/v1',
    predicate,
  };
  return {
    predicate: toCelValue(predicate),
    predicateType: statement.predicateType,
    subject: toCelValue(statement.subject[0]),
    statement: toCelValue(statement),
    signer: { authority: 'security', keyid: 'k1' },
    now: new Date('2026-11-23T10:00:00Z'),
    ...overrides,
  };
}

describe('compileCondition', () => {
  it.each([
    'predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"',
    'predicate.decision == "approved" && predicate.summary.critical == 0',
    'predicate.summary.high < 3',
    'predicate.triage.all(t, t.status == "not_affected")',
    'predicate.approved == true',
    'predicate.constructor == "attacker-chosen key"',
    'signer.authority == "security" && signer.keyid == "k1"',
    'subject.name == "app" && statement.predicateType == predicateType',
    'now - timestamp("2026-11-20T10:00:00Z") < duration("168h")',
  ])('when the condition is %s it is true for the sample', (source) => {
    expect(compileCondition(source).evaluate(vars())).toEqual({ ok: true, value: true });
  });

  it('when the condition does not hold it is false, not an error', () => {
    const c = compileCondition('predicate.decision == "rejected"');
    expect(c.evaluate(vars())).toEqual({ ok: true, value: false });
  });

  it.each([
    ['a missing field', 'predicate.nope.deeper == "x"'],
    ['a type error at run time', 'predicate.decision + 1 == 2'],
    ['an index out of range', 'predicate.triage[5].status == "x"'],
    ['a division by zero', '1 / 0 == 1'],
    ['an invalid timestamp', 'timestamp(predicate.decision) < now'],
  ])('when evaluation hits %s it returns an error value instead of throwing', (_why, source) => {
    const result = compileCondition(source).evaluate(vars());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).not.toContain('\n');
  });

  it.each([
    ['a bare dyn field', 'predicate.approved'],
    ['an int', 'size(predicate.triage)'],
    ['a string', '"yes"'],
    ['a syntax error', 'predicate.decision =='],
    ['an undeclared variable', 'attestation.decision == "approved"'],
    ['a static type error', '1 + "a" == 2'],
    ['a regular expression', 'predicate.decision.matches("^(a+)+$")'],
    ['a nested regular expression', 'predicate.triage.exists(t, t.status.matches("x"))'],
  ])('when the condition is %s it does not compile', (_why, source) => {
    expect(() => compileCondition(source)).toThrow(ConditionCompileError);
  });

  it.each([
    ['a zone-less time (read in the local time zone)', '2026-11-20T10:00:00.000'],
    ['an RFC 2822 date', 'Fri, 20 Nov 2026 10:00:00 GMT'],
    ['a date with a space', '2026-11-20 10:00:00+00:00'],
    ['an expanded year', '+002026-11-20T10:00:00Z'],
  ])('when timestamp() is given %s it is an error, never a time', (_why, text) => {
    const c = compileCondition('timestamp(predicate.at) < now');
    const result = c.evaluate(vars({ predicate: { at: text } }));
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/not an RFC 3339 time/) });
  });

  it('when timestamp() is given RFC 3339 with a zone it compares as a time', () => {
    const c = compileCondition('timestamp(predicate.at) < now');
    expect(c.evaluate(vars({ predicate: { at: '2026-11-23T11:59:59+02:00' } }))).toEqual({
      ok: true,
      value: true,
    });
  });

  it('when the condition parses text with json() it does not compile (no strict JSON checks)', () => {
    expect(() => compileCondition('bytes(predicate.decision).json().a == 1')).toThrow(
      /json\(\) is not supported/,
    );
  });

  it('when the condition uses matches() the error says why (backtracking regexes)', () => {
    expect(() => compileCondition('predicate.decision.matches("a")')).toThrow(
      /matches\(\) is not supported/,
    );
  });

  it('when the condition is too long it does not compile', () => {
    const long = `${'true && '.repeat(2000)}true`;
    expect(() => compileCondition(long)).toThrow(ConditionCompileError);
  });

  it('when a predicate key names a prototype member it is data, never the prototype', () => {
    const c = compileCondition(
      'has(predicate.toString) || has(predicate.hasOwnProperty) || "valueOf" in predicate',
    );
    expect(c.evaluate(vars())).toEqual({ ok: true, value: false });
    const polluted = JSON.parse('{"__proto__":{"polluted":true}}');
    const p = compileCondition('predicate.__proto__.polluted == true');
    expect(p.evaluate(vars({ predicate: toCelValue(polluted) }))).toEqual({
      ok: true,
      value: true,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('when no object has a constructor key the JSON is passed without copying', () => {
    const plain = { a: [{ b: 1 }], c: { d: 'x' } };
    expect(toCelValue(plain)).toBe(plain);
    const hijack = { a: [{ constructor: 'x' }] };
    expect(toCelValue(hijack)).toBeInstanceOf(Map);
  });
});
