import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTriageArg, triageFromVex } from '../../src/evidence/triage.js';
import { OPENVEX_CONTEXT, parseOpenVex } from '../../src/predicates/openvex.js';
import { itWithVectors, vector } from '../support/paths.js';

describe('when parsing --triage ID=status[:detail]', () => {
  it('reads a justification label as a justification and other text as an impact statement', () => {
    expect(
      parseTriageArg('CVE-2023-0286=not_affected:vulnerable_code_not_in_execute_path'),
    ).toEqual({
      vulnerability: 'CVE-2023-0286',
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    });
    expect(parseTriageArg('CVE-1=not_affected:we never parse X.400: names')).toEqual({
      vulnerability: 'CVE-1',
      status: 'not_affected',
      impact_statement: 'we never parse X.400: names',
    });
  });

  it('needs an action statement for affected and takes notes for fixed', () => {
    expect(parseTriageArg('GHSA-c2qf-rxjj-qqgw=affected:upgrade semver in 1.4.3')).toEqual({
      vulnerability: 'GHSA-c2qf-rxjj-qqgw',
      status: 'affected',
      action_statement: 'upgrade semver in 1.4.3',
    });
    expect(parseTriageArg('CVE-1=fixed')).toEqual({ vulnerability: 'CVE-1', status: 'fixed' });
    expect(parseTriageArg('CVE-1=under_investigation:ticket SEC-12')).toEqual({
      vulnerability: 'CVE-1',
      status: 'under_investigation',
      status_notes: 'ticket SEC-12',
    });
  });

  it('rejects malformed entries, unknown statuses and missing details with USAGE', () => {
    for (const bad of [
      'CVE-1',
      'CVE-1=',
      '=fixed',
      'CVE-1=wontfix',
      'CVE-1=not_affected',
      'CVE-1=not_affected:  ',
      'CVE-1=affected',
    ]) {
      expect(() => parseTriageArg(bad), bad).toThrowWithCode('USAGE');
    }
  });
});

describe('when importing an OpenVEX document as triage', () => {
  const targets = [
    { id: 'CVE-2023-1255', aliases: [] },
    { id: 'GHSA-xxxx-2650', aliases: ['CVE-2023-2650'] },
    { id: 'CVE-2023-3446', aliases: [] },
    { id: 'CVE-2099-0001', aliases: [] },
  ];

  itWithVectors(
    'maps statements to the findings they name, by id or alias, and reports the rest',
    () => {
      const doc = parseOpenVex(
        readFileSync(vector('openvex', 'go-vex/pkg-vex-testdata/v0.2.0.json')),
      );
      const { triage, unmatched } = triageFromVex(doc, targets);
      expect(triage).toEqual([
        { vulnerability: 'CVE-2023-1255', status: 'fixed' },
        { vulnerability: 'GHSA-xxxx-2650', status: 'fixed' },
        {
          vulnerability: 'CVE-2023-3446',
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
          impact_statement: 'affected functions were removed before packaging',
        },
      ]);
      expect([...unmatched].sort()).toEqual(['CVE-2023-2975', 'CVE-2023-3817']);
    },
  );

  it('keeps the latest statement about a vulnerability, whatever the order', () => {
    const older = {
      vulnerability: { name: 'CVE-2099-0001' },
      timestamp: '2026-01-01T00:00:00Z',
      status: 'under_investigation',
    };
    const newer = {
      vulnerability: { name: 'CVE-2099-0001' },
      timestamp: '2026-01-02T00:00:00-05:00',
      status: 'not_affected',
      justification: 'component_not_present',
    };
    for (const statements of [
      [older, newer],
      [newer, older],
    ]) {
      const doc = parseOpenVex(
        JSON.stringify({
          '@context': OPENVEX_CONTEXT,
          '@id': 'https://example.com/vex/2',
          author: 'sec@example.com',
          timestamp: '2026-01-03T00:00:00Z',
          version: 2,
          statements,
        }),
      );
      expect(triageFromVex(doc, targets).triage).toEqual([
        {
          vulnerability: 'CVE-2099-0001',
          status: 'not_affected',
          justification: 'component_not_present',
        },
      ]);
    }
  });
});
