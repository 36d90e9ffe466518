import { OPENVEX_CONTEXT } from './openvex.js';
import { VSA_PREDICATE_TYPE } from './verification-summary.js';
import { VULN_REVIEW_PREDICATE_TYPE } from './vuln-review.js';

/**
 * The fields a predicate type defines, for `policy lint` to catch misspelt field names in
 * conditions. `value`: a string, number or boolean; `open`: a map whose keys the type leaves
 * free (parameters, digests, annotations); a one-item array: a list of that shape; an object:
 * exactly these fields. Producers may add fields (in-toto ignores unknown ones), so a field
 * outside the shape is a warning, not an error.
 */
export type FieldShape =
  | 'value'
  | 'open'
  | readonly [FieldShape]
  | { readonly [field: string]: FieldShape };

const RESOURCE_DESCRIPTOR: FieldShape = {
  uri: 'value',
  digest: 'open',
  name: 'value',
  downloadLocation: 'value',
  mediaType: 'value',
  content: 'value',
  annotations: 'open',
};

const SEVERITY_SUMMARY: FieldShape = {
  critical: 'value',
  high: 'value',
  medium: 'value',
  low: 'value',
  unknown: 'value',
  total: 'value',
};

const VULNS: FieldShape = {
  scanner: {
    uri: 'value',
    version: 'value',
    db: { uri: 'value', version: 'value', lastUpdate: 'value' },
    result: [
      { id: 'value', severity: [{ method: 'value', score: 'value' }], annotations: ['open'] },
    ],
  },
  metadata: { scanStartedOn: 'value', scanFinishedOn: 'value' },
  summary: SEVERITY_SUMMARY,
};

/** Known predicate types (the table of predicates in docs/policy.md) and their fields. */
export const PREDICATE_FIELDS: ReadonlyMap<string, FieldShape> = new Map<string, FieldShape>([
  [
    'https://slsa.dev/provenance/v1',
    {
      buildDefinition: {
        buildType: 'value',
        externalParameters: 'open',
        internalParameters: 'open',
        resolvedDependencies: [RESOURCE_DESCRIPTOR],
      },
      runDetails: {
        builder: { id: 'value', version: 'open', builderDependencies: [RESOURCE_DESCRIPTOR] },
        metadata: { invocationId: 'value', startedOn: 'value', finishedOn: 'value' },
        byproducts: [RESOURCE_DESCRIPTOR],
      },
    },
  ],
  [
    'https://slsa.dev/provenance/v0.2',
    {
      builder: { id: 'value' },
      buildType: 'value',
      invocation: {
        configSource: { uri: 'value', digest: 'open', entryPoint: 'value' },
        parameters: 'open',
        environment: 'open',
      },
      buildConfig: 'open',
      metadata: {
        buildInvocationId: 'value',
        buildStartedOn: 'value',
        buildFinishedOn: 'value',
        completeness: { parameters: 'value', environment: 'value', materials: 'value' },
        reproducible: 'value',
      },
      materials: [{ uri: 'value', digest: 'open' }],
    },
  ],
  ['https://in-toto.io/attestation/vulns/v0.2', VULNS],
  ['https://in-toto.io/attestation/vulns/v0.1', VULNS],
  [
    VULN_REVIEW_PREDICATE_TYPE,
    {
      reviewer: { id: 'value' },
      reviewedAt: 'value',
      decision: 'value',
      scan: {
        attestation: 'value',
        scanner: { name: 'value', uri: 'value', version: 'value' },
        database: { uri: 'value', version: 'value', lastUpdate: 'value' },
        scanFinishedOn: 'value',
      },
      summary: SEVERITY_SUMMARY,
      triage: [
        {
          vulnerability: 'value',
          status: 'value',
          justification: 'value',
          impact_statement: 'value',
          action_statement: 'value',
          status_notes: 'value',
        },
      ],
      note: 'value',
    },
  ],
  [
    'https://in-toto.io/attestation/test-result/v0.1',
    {
      result: 'value',
      configuration: [RESOURCE_DESCRIPTOR],
      url: 'value',
      passedTests: ['value'],
      warnedTests: ['value'],
      failedTests: ['value'],
    },
  ],
  [
    OPENVEX_CONTEXT,
    {
      '@context': 'value',
      '@id': 'value',
      author: 'value',
      role: 'value',
      timestamp: 'value',
      last_updated: 'value',
      version: 'value',
      tooling: 'value',
      statements: [
        {
          '@id': 'value',
          version: 'value',
          vulnerability: {
            '@id': 'value',
            name: 'value',
            description: 'value',
            aliases: ['value'],
          },
          timestamp: 'value',
          last_updated: 'value',
          products: ['open'],
          status: 'value',
          supplier: 'value',
          status_notes: 'value',
          justification: 'value',
          impact_statement: 'value',
          action_statement: 'value',
          action_statement_timestamp: 'value',
        },
      ],
    },
  ],
  [
    VSA_PREDICATE_TYPE,
    {
      verifier: { id: 'value', version: 'open' },
      timeVerified: 'value',
      resourceUri: 'value',
      policy: RESOURCE_DESCRIPTOR,
      inputAttestations: [RESOURCE_DESCRIPTOR],
      verificationResult: 'value',
      verifiedLevels: ['value'],
      dependencyLevels: 'open',
      slsaVersion: 'value',
    },
  ],
]);
