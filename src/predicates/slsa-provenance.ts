import { parseResourceDescriptor, type ResourceDescriptor } from '../attestation/statement.js';
import { parseRfc3339 } from '../encoding/rfc3339.js';
import { VouchError } from '../errors.js';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** SLSA Build provenance v1 (slsa.dev/spec/v1.0/provenance), narrowed from untrusted JSON. */
export interface SlsaProvenanceV1 {
  readonly buildDefinition: {
    readonly buildType: string;
    readonly externalParameters: Readonly<Record<string, unknown>>;
    readonly internalParameters?: Readonly<Record<string, unknown>>;
    readonly resolvedDependencies: readonly ResourceDescriptor[];
  };
  readonly runDetails: {
    readonly builder: {
      readonly id: string;
      readonly version?: Readonly<Record<string, string>>;
      readonly builderDependencies: readonly ResourceDescriptor[];
    };
    readonly metadata?: {
      readonly invocationId?: string;
      readonly startedOn?: string;
      readonly finishedOn?: string;
    };
    readonly byproducts: readonly ResourceDescriptor[];
  };
}

/**
 * Validates a SLSA v1 provenance predicate. Required (SLSA Build L1): buildDefinition.buildType,
 * buildDefinition.externalParameters, runDetails.builder.id. Extension fields are allowed by
 * the spec and must not change the meaning of the others, so they are not returned.
 */
export function parseSlsaProvenanceV1(value: unknown, at = '$.predicate'): SlsaProvenanceV1 {
  const predicate = object(value, at);
  const def = object(predicate.buildDefinition, `${at}.buildDefinition`);
  const run = object(predicate.runDetails, `${at}.runDetails`);
  const builder = object(run.builder, `${at}.runDetails.builder`);
  const internalParameters = optional(def.internalParameters, (v) =>
    object(v, `${at}.buildDefinition.internalParameters`),
  );
  const version = optional(builder.version, (v) =>
    stringMap(v, `${at}.runDetails.builder.version`),
  );
  const metadata = optional(run.metadata, (v) => buildMetadata(v, `${at}.runDetails.metadata`));
  return {
    buildDefinition: {
      buildType: string(def.buildType, `${at}.buildDefinition.buildType`),
      externalParameters: object(
        def.externalParameters,
        `${at}.buildDefinition.externalParameters`,
      ),
      ...(internalParameters === undefined ? {} : { internalParameters }),
      resolvedDependencies: descriptors(
        def.resolvedDependencies,
        `${at}.buildDefinition.resolvedDependencies`,
      ),
    },
    runDetails: {
      builder: {
        id: string(builder.id, `${at}.runDetails.builder.id`),
        ...(version === undefined ? {} : { version }),
        builderDependencies: descriptors(
          builder.builderDependencies,
          `${at}.runDetails.builder.builderDependencies`,
        ),
      },
      ...(metadata === undefined ? {} : { metadata }),
      byproducts: descriptors(run.byproducts, `${at}.runDetails.byproducts`),
    },
  };
}

function buildMetadata(
  value: unknown,
  at: string,
): NonNullable<SlsaProvenanceV1['runDetails']['metadata']> {
  const obj = object(value, at);
  const invocationId = optional(obj.invocationId, (v) => string(v, `${at}.invocationId`));
  const startedOn = optional(obj.startedOn, (v) => timestamp(v, `${at}.startedOn`));
  const finishedOn = optional(obj.finishedOn, (v) => timestamp(v, `${at}.finishedOn`));
  return {
    ...(invocationId === undefined ? {} : { invocationId }),
    ...(startedOn === undefined ? {} : { startedOn }),
    ...(finishedOn === undefined ? {} : { finishedOn }),
  };
}

function optional<T>(value: unknown, narrow: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : narrow(value);
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VouchError('MALFORMED', 'expected a JSON object', {
      path,
      hint: 'see slsa.dev/spec/v1.0/provenance for the required fields',
    });
  }
  return value as Record<string, unknown>;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new VouchError('MALFORMED', 'expected a non-empty string', { path });
  }
  return value;
}

function stringMap(value: unknown, path: string): Record<string, string> {
  const obj = object(value, path);
  for (const [key, v] of Object.entries(obj)) {
    if (typeof v !== 'string') {
      throw new VouchError('MALFORMED', 'expected a string', { path: `${path}.${key}` });
    }
  }
  return obj as Record<string, string>;
}

function descriptors(value: unknown, path: string): ResourceDescriptor[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new VouchError('MALFORMED', 'expected an array of resource descriptors', { path });
  }
  return value.map((rd: unknown, i: number) => parseResourceDescriptor(rd, `${path}[${i}]`));
}

// in-toto field_types.md Timestamp: RFC 3339 in UTC ("Z").
function timestamp(value: unknown, path: string): string {
  const text = string(value, path);
  if (!/[Zz]$/.test(text) || parseRfc3339(text) === undefined) {
    throw new VouchError('MALFORMED', `${JSON.stringify(text)} is not an RFC 3339 UTC timestamp`, {
      path,
      hint: 'write it as YYYY-MM-DDThh:mm:ssZ',
    });
  }
  return text;
}
