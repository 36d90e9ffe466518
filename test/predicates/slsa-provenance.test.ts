import { describe, expect, it } from 'vitest';
import { statementFromJson } from '../../src/attestation/statement.js';
import { parseSlsaProvenanceV1, SLSA_PROVENANCE_V1 } from '../../src/predicates/slsa-provenance.js';
import { describeWithVectors, vectorJson } from '../support/paths.js';

/** A minimal valid predicate with one field replaced. */
function predicate(patch: (p: Record<string, Record<string, unknown>>) => void): unknown {
  const p: Record<string, Record<string, unknown>> = {
    buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: {} },
    runDetails: { builder: { id: 'https://example.com/builder' } },
  };
  patch(p);
  return p;
}

describe('parseSlsaProvenanceV1', () => {
  describeWithVectors(
    'when given the GitHub Actions workflow/v1 example from the SLSA repository',
    () => {
      const example = statementFromJson(
        vectorJson<unknown>(
          'slsa-spec',
          'github-actions-buildtypes',
          'workflow',
          'v1',
          'example.json',
        ),
      );

      it('returns the typed build definition and run details', () => {
        expect(example.predicateType).toBe(SLSA_PROVENANCE_V1);
        const p = parseSlsaProvenanceV1(example.predicate);
        expect(p.buildDefinition.buildType).toBe(
          'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
        );
        expect(p.buildDefinition.externalParameters.workflow).toEqual({
          ref: 'refs/heads/main',
          repository: 'https://github.com/octocat/hello-world',
          path: '.github/workflow/release.yml',
        });
        expect(p.buildDefinition.resolvedDependencies).toHaveLength(2);
        expect(p.buildDefinition.resolvedDependencies[0]?.digest).toEqual({
          gitCommit: 'c27d339ee6075c1f744c5d4b200f7901aad2c369',
        });
        expect(p.runDetails.builder.id).toMatch(/builder_go_slsa3\.yml@refs\/tags\/v0\.0\.1$/);
        expect(p.runDetails.metadata?.startedOn).toBe('2023-01-01T12:34:56Z');
        expect(p.runDetails.byproducts).toEqual([]);
      });
    },
  );

  describe('when a required field is missing or of the wrong type', () => {
    it.each([
      ['buildDefinition', (p) => delete p.buildDefinition, '$.predicate.buildDefinition'],
      [
        'buildType',
        (p) => delete p.buildDefinition?.buildType,
        '$.predicate.buildDefinition.buildType',
      ],
      [
        'externalParameters as array',
        (p) => {
          if (p.buildDefinition) p.buildDefinition.externalParameters = [];
        },
        '$.predicate.buildDefinition.externalParameters',
      ],
      ['runDetails', (p) => delete p.runDetails, '$.predicate.runDetails'],
      [
        'builder.id empty',
        (p) => {
          if (p.runDetails) p.runDetails.builder = { id: '' };
        },
        '$.predicate.runDetails.builder.id',
      ],
    ] as const satisfies readonly (readonly [
      string,
      (p: Record<string, Record<string, unknown>>) => void,
      string,
    ])[])('%s is MALFORMED at its path', (_what, patch, path) => {
      expect(() => parseSlsaProvenanceV1(predicate(patch))).toThrowWithCode('MALFORMED', path);
    });
  });

  describe('when optional fields are present', () => {
    it('checks resource descriptors and reports the element path', () => {
      const bad = predicate((p) => {
        if (p.runDetails) p.runDetails.byproducts = [{ name: 'log' }, { digest: { sha256: 'x' } }];
      });
      expect(() => parseSlsaProvenanceV1(bad)).toThrowWithCode(
        'MALFORMED',
        '$.predicate.runDetails.byproducts[1].digest.sha256',
      );
    });

    it('requires builder.version to map names to strings', () => {
      const bad = predicate((p) => {
        if (p.runDetails) p.runDetails.builder = { id: 'b', version: { go: 1 } };
      });
      expect(() => parseSlsaProvenanceV1(bad)).toThrowWithCode(
        'MALFORMED',
        '$.predicate.runDetails.builder.version.go',
      );
    });

    it.each(['2023-02-30T00:00:00Z', '2023-01-01T00:00:00+01:00', '2023-01-01', 'yesterday'])(
      'rejects the timestamp %s (RFC 3339 UTC only)',
      (finishedOn) => {
        const bad = predicate((p) => {
          if (p.runDetails) p.runDetails.metadata = { finishedOn };
        });
        expect(() => parseSlsaProvenanceV1(bad)).toThrowWithCode(
          'MALFORMED',
          '$.predicate.runDetails.metadata.finishedOn',
        );
      },
    );

    it('accepts fractional seconds and ignores extension fields', () => {
      const ok = predicate((p) => {
        if (p.runDetails) {
          p.runDetails.metadata = { finishedOn: '2024-05-06T07:08:09.123Z' };
          p.runDetails.example_extension = true;
        }
      });
      const parsed = parseSlsaProvenanceV1(ok);
      expect(parsed.runDetails.metadata?.finishedOn).toBe('2024-05-06T07:08:09.123Z');
      expect(parsed.runDetails).not.toHaveProperty('example_extension');
    });
  });
});
