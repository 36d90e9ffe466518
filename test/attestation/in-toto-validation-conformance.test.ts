import { describe, expect, it } from 'vitest';
import { parseResourceDescriptor, statementFromJson } from '../../src/attestation/statement.js';
import { VouchError } from '../../src/errors.js';
import { parseSlsaProvenanceV1 } from '../../src/predicates/slsa-provenance.js';
import { vectorJson } from '../support/paths.js';

// ../shared/vectors/in-toto-attestation/validation-cases.json: cases transcribed from the
// in-toto Go and Python binding tests.
interface ValidationCase {
  name: string;
  input: unknown;
  expect: string;
  why: string;
}

type Section = 'statement' | 'resourceDescriptor' | 'slsaProvenanceV1Predicate';

const cases = vectorJson<Record<Section, ValidationCase[]>>(
  'in-toto-attestation',
  'validation-cases.json',
);

const PARSERS: Readonly<Record<Section, (input: unknown) => unknown>> = {
  statement: statementFromJson,
  resourceDescriptor: (input) => parseResourceDescriptor(input, '$'),
  slsaProvenanceV1Predicate: (input) => parseSlsaProvenanceV1(input),
};

/**
 * Cases whose `expect` is a sentence, decided for Vouch:
 * - missing-predicate: in-toto statement.md makes `predicate` optional, the Go and Python
 *   bindings require it; Vouch requires it too (every predicate it evaluates has one), so fail.
 * Nothing is skipped.
 */
const DECIDED: Readonly<Record<string, 'pass' | 'fail'>> = {
  'missing-predicate': 'fail',
};

function expected(c: ValidationCase): 'pass' | 'fail' {
  if (c.expect === 'pass' || c.expect === 'fail') return c.expect;
  const decided = DECIDED[c.name];
  if (decided === undefined) throw new Error(`case ${c.name} has an undecided expectation`);
  return decided;
}

function outcome(section: Section, input: unknown): 'pass' | 'fail' {
  try {
    PARSERS[section](input);
    return 'pass';
  } catch (err) {
    // Rejections must be coded MALFORMED with a path; anything else fails the test.
    if (err instanceof VouchError && err.code === 'MALFORMED' && err.path !== undefined) {
      return 'fail';
    }
    throw err;
  }
}

const SECTIONS: readonly (readonly [Section, number])[] = [
  ['statement', 13],
  ['resourceDescriptor', 10],
  ['slsaProvenanceV1Predicate', 7],
];

describe('in-toto validation cases (in-toto-attestation/validation-cases.json)', () => {
  it('runs all 30 cases and decides every sentence-valued one', () => {
    for (const [section, count] of SECTIONS) expect(cases[section]).toHaveLength(count);
    const sentences = SECTIONS.flatMap(([s]) => cases[s]).filter(
      (c) => c.expect !== 'pass' && c.expect !== 'fail',
    );
    expect(sentences.map((c) => c.name).sort()).toEqual(Object.keys(DECIDED).sort());
  });

  describe.each(SECTIONS.map(([s]) => s))('%s', (section) => {
    it.each(cases[section].map((c) => [c.name, expected(c), c] as const))(
      '%s -> %s',
      (_name, want, c) => {
        expect(outcome(section, c.input)).toBe(want);
      },
    );
  });
});
