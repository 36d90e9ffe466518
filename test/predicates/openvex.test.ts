import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENVEX_CONTEXT, parseOpenVex } from '../../src/predicates/openvex.js';
import { vouchErrorOf } from '../support/fixtures.js';
import { describeWithVectors, vector } from '../support/paths.js';

interface SchemaCase {
  file: string;
  '@context': string;
  statements: number;
  'schema_0.2.0': 'valid' | 'invalid';
  schemaErrors: string[];
}
interface GoVexCase {
  name: string;
  file?: string;
  files?: string[];
  expect: string;
  api?: string;
  checks?: { statements: number; 'product@id (all statements)': string; 'vulns(sorted)': string[] };
}

const corpus = () =>
  JSON.parse(readFileSync(vector('openvex', 'cases.json'), 'utf8')) as {
    schemaValidation: { documents: SchemaCase[] };
    goVexExpectations: GoVexCase[];
  };
const read = (file: string): Buffer => readFileSync(vector('openvex', file));

describeWithVectors(
  'when validating the OpenVEX documents of the shared corpus (cases.json)',
  () => {
    const documents = corpus().schemaValidation.documents;

    it('covers the 7 valid and 19 invalid documents the corpus lists', () => {
      expect(documents.filter((d) => d['schema_0.2.0'] === 'valid')).toHaveLength(7);
      expect(documents.filter((d) => d['schema_0.2.0'] === 'invalid')).toHaveLength(19);
    });

    for (const doc of documents.filter((d) => d['schema_0.2.0'] === 'valid')) {
      it(`imports ${doc.file} with its ${doc.statements} statement(s)`, () => {
        const parsed = parseOpenVex(read(doc.file));
        expect(parsed['@context']).toBe(OPENVEX_CONTEXT);
        expect(parsed.statements).toHaveLength(doc.statements);
      });
    }

    for (const doc of documents.filter((d) => d['schema_0.2.0'] === 'invalid')) {
      // An unversioned or v0.0.1 context is another version; a v0.2.0 one breaks the schema.
      const code = doc['@context'] === OPENVEX_CONTEXT ? 'VEX_INVALID' : 'VEX_UNSUPPORTED';
      it(`rejects ${doc.file} with ${code}`, () => {
        const err = vouchErrorOf(() => parseOpenVex(read(doc.file)));
        expect(err.code).toBe(code);
        if (code === 'VEX_INVALID') {
          // the first schema error the corpus recorded names the same field
          const expected = doc.schemaErrors[0] ?? '';
          const field = /'(\w+)'/.exec(expected)?.[1] ?? '';
          expect(err.message).toContain(field);
        }
      });
    }
  },
);

describeWithVectors('when checking the go-vex expectations of the corpus', () => {
  const cases = corpus();
  // go-vex features Vouch does not have, by design: it reads OpenVEX 0.2.0 only.
  const NOT_APPLICABLE: Record<string, string> = {
    'Open with migration': 'Vouch does not migrate v0.0.1 or CSAF documents; it rejects them',
    'v0.0.1 upgrade result': 'no v0.0.1 migration (see above)',
    'CSAF import': 'CSAF is not an input format of vouch review --vex',
    'merge: zero docs': 'Vouch does not merge VEX documents',
    'merge: v001-1 + v001-2': 'Vouch does not merge VEX documents',
    'merge: product filter': 'Vouch does not merge VEX documents',
    'merge: vulnerability filter': 'Vouch does not merge VEX documents',
  };

  it('runs every Parse case and lists the rest as not applicable, with reasons', () => {
    const names = cases.goVexExpectations.map((c) => c.name);
    const parseCases = cases.goVexExpectations.filter((c) => (c.api ?? '').startsWith('vex.Parse'));
    expect(parseCases.map((c) => c.name)).toEqual(['Parse current-version only', 'Parse v0.2.0']);
    expect(names.filter((n) => !parseCases.some((c) => c.name === n)).sort()).toEqual(
      Object.keys(NOT_APPLICABLE).sort(),
    );
  });

  it('rejects a v0.0.1 document like strict vex.Parse', () => {
    expect(() => parseOpenVex(read('go-vex/pkg-vex-testdata/v0.0.1.json'))).toThrowWithCode(
      'VEX_UNSUPPORTED',
      '$["@context"]',
    );
  });

  it('parses v0.2.0.json with the products and vulnerabilities go-vex checks', () => {
    const c = cases.goVexExpectations.find((x) => x.name === 'Parse v0.2.0');
    const doc = parseOpenVex(read(c?.file ?? ''));
    expect(doc.statements).toHaveLength(c?.checks?.statements ?? -1);
    for (const s of doc.statements) {
      expect(s.products?.map((p) => p['@id'])).toEqual([
        c?.checks?.['product@id (all statements)'],
      ]);
    }
    expect(doc.statements.map((s) => s.vulnerability.name).sort()).toEqual(
      c?.checks?.['vulns(sorted)'],
    );
  });
});

describe('when an OpenVEX document breaks a rule the schema states', () => {
  const base = {
    '@context': OPENVEX_CONTEXT,
    '@id': 'https://example.com/vex/1',
    author: 'Security Team <security@example.com>',
    timestamp: '2026-01-10T10:00:00Z',
    version: 1,
  };
  const statement = (s: Record<string, unknown>) => JSON.stringify({ ...base, statements: [s] });
  const cases: { name: string; doc: string; path: string }[] = [
    {
      name: 'not_affected without justification or impact statement',
      doc: statement({ vulnerability: { name: 'CVE-1' }, status: 'not_affected' }),
      path: '$.statements[0].justification',
    },
    {
      name: 'affected without an action statement',
      doc: statement({ vulnerability: { name: 'CVE-1' }, status: 'affected' }),
      path: '$.statements[0].action_statement',
    },
    {
      name: 'an unknown status',
      doc: statement({ vulnerability: { name: 'CVE-1' }, status: 'wontfix' }),
      path: '$.statements[0].status',
    },
    {
      name: 'an unknown justification',
      doc: statement({
        vulnerability: { name: 'CVE-1' },
        status: 'not_affected',
        justification: 'not_my_problem',
      }),
      path: '$.statements[0].justification',
    },
    {
      name: 'a product without @id or identifiers',
      doc: statement({
        vulnerability: { name: 'CVE-1' },
        status: 'fixed',
        products: [{ hashes: { 'sha-256': 'ab' } }],
      }),
      path: '$.statements[0].products[0]',
    },
    {
      name: 'duplicate statements',
      doc: JSON.stringify({
        ...base,
        statements: [
          { status: 'fixed', vulnerability: { name: 'CVE-1' } },
          { vulnerability: { name: 'CVE-1' }, status: 'fixed' },
        ],
      }),
      path: '$.statements',
    },
    {
      name: 'no statements',
      doc: JSON.stringify({ ...base, statements: [] }),
      path: '$.statements',
    },
    {
      name: 'a timestamp that is not RFC 3339',
      doc: JSON.stringify({ ...base, timestamp: '10/01/2026', statements: [] }),
      path: '$.timestamp',
    },
    {
      name: 'version 0',
      doc: JSON.stringify({
        ...base,
        version: 0,
        statements: [{ vulnerability: { name: 'CVE-1' }, status: 'fixed' }],
      }),
      path: '$.version',
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with VEX_INVALID at ${c.path}`, () => {
      expect(() => parseOpenVex(c.doc)).toThrowWithCode('VEX_INVALID', c.path);
    });
  }

  it('rejects a document that is not JSON or not an object', () => {
    expect(() => parseOpenVex('{')).toThrowWithCode('JSON_SYNTAX');
    expect(() => parseOpenVex('[]')).toThrowWithCode('VEX_INVALID');
  });
});
