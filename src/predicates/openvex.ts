import * as z from 'zod';
import { parseRfc3339, rfc3339Millis } from '../encoding/rfc3339.js';
import { narrow } from '../encoding/shape.js';
import { DEFAULT_JSON_LIMITS, type JsonLimits, parseStrictJson } from '../encoding/strict-json.js';
import { VouchError } from '../errors.js';

/** The only OpenVEX version read; a document without a version is v0.0.1 (OPENVEX-SPEC.md). */
export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

/** OPENVEX-SPEC.md "Status Labels". */
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

/** OPENVEX-SPEC.md "Status Justifications", for not_affected. */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

// The schema's "date-time" format is RFC 3339.
const DateTime = z.string().refine((v) => parseRfc3339(v) !== undefined, {
  message: 'not an RFC 3339 date-time',
});

/** JSON Schema `uniqueItems`: no two items equal as JSON values (key order ignored). */
function uniqueItems<T extends z.ZodType>(item: T) {
  return z.array(item).refine((items) => new Set(items.map(canonical)).size === items.length, {
    message: 'items must be unique',
  });
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// openvex_json_schema.json 0.2.0, $defs.
const Vulnerability = z.strictObject({
  '@id': z.string().optional(),
  name: z.string(),
  description: z.string().optional(),
  aliases: uniqueItems(z.string()).optional(),
});

const Identifiers = z
  .strictObject({
    purl: z.string().optional(),
    cpe22: z.string().optional(),
    cpe23: z.string().optional(),
  })
  .refine((i) => i.purl !== undefined || i.cpe22 !== undefined || i.cpe23 !== undefined, {
    message: 'needs purl, cpe22 or cpe23',
  });

const Hashes = z.strictObject(
  Object.fromEntries(
    [
      'md5',
      'sha1',
      'sha-256',
      'sha-384',
      'sha-512',
      'sha3-224',
      'sha3-256',
      'sha3-384',
      'sha3-512',
      'blake2s-256',
      'blake2b-256',
      'blake2b-512',
    ].map((alg) => [alg, z.string().optional()]),
  ),
);

const identified = (c: { '@id'?: string | undefined; identifiers?: unknown }): boolean =>
  c['@id'] !== undefined || c.identifiers !== undefined;

const Subcomponent = z
  .strictObject({
    '@id': z.string().optional(),
    identifiers: Identifiers.optional(),
    hashes: Hashes.optional(),
  })
  .refine(identified, { message: 'needs @id or identifiers' });

const Component = z
  .strictObject({
    '@id': z.string().optional(),
    identifiers: Identifiers.optional(),
    hashes: Hashes.optional(),
    subcomponents: uniqueItems(Subcomponent).optional(),
  })
  .refine(identified, { message: 'needs @id or identifiers' });

const Statement = z
  .strictObject({
    '@id': z.string().optional(),
    version: z.int().min(1).optional(),
    vulnerability: Vulnerability,
    timestamp: DateTime.optional(),
    last_updated: DateTime.optional(),
    products: uniqueItems(Component).optional(),
    status: z.enum(VEX_STATUSES),
    supplier: z.string().optional(),
    status_notes: z.string().optional(),
    justification: z.enum(VEX_JUSTIFICATIONS).optional(),
    impact_statement: z.string().optional(),
    action_statement: z.string().optional(),
    action_statement_timestamp: DateTime.optional(),
  })
  .superRefine((s, ctx) => {
    // A not_affected statement MUST give a justification or an impact statement; an affected
    // one MUST give an action statement (OPENVEX-SPEC.md, schema allOf).
    if (
      s.status === 'not_affected' &&
      s.justification === undefined &&
      s.impact_statement === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['justification'],
        message: 'not_affected needs a justification or an impact_statement',
      });
    }
    if (s.status === 'affected' && s.action_statement === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['action_statement'],
        message: 'affected needs an action_statement',
      });
    }
  });

const Document = z.strictObject({
  '@context': z.literal(OPENVEX_CONTEXT),
  '@id': z.string(),
  author: z.string(),
  role: z.string().optional(),
  timestamp: DateTime,
  last_updated: DateTime.optional(),
  version: z.int().min(1),
  tooling: z.string().optional(),
  statements: uniqueItems(Statement).min(1),
});

export type OpenVexDocument = z.output<typeof Document>;
export type OpenVexStatement = OpenVexDocument['statements'][number];

/**
 * Parses and validates an OpenVEX 0.2.0 document: strict JSON, then every rule of the
 * published JSON schema (unknown fields rejected) plus RFC 3339 timestamps.
 */
export function parseOpenVex(
  bytes: string | Uint8Array,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): OpenVexDocument {
  const json = parseStrictJson(bytes, limits);
  const context =
    typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)['@context']
      : undefined;
  if (typeof context === 'string' && context !== OPENVEX_CONTEXT) {
    throw new VouchError(
      'VEX_UNSUPPORTED',
      `OpenVEX @context ${JSON.stringify(context)} is not ${OPENVEX_CONTEXT}`,
      {
        path: '$["@context"]',
        hint: 'a context without a version is v0.0.1; upgrade the document to v0.2.0 (e.g. vexctl)',
      },
    );
  }
  return narrow(Document, json, 'VEX_INVALID', 'not a valid OpenVEX 0.2.0 document');
}

/** When a statement's information was known: its own time, else the document's (inheritance). */
export function statementTime(doc: OpenVexDocument, statement: OpenVexStatement): number {
  const text = statement.last_updated ?? statement.timestamp ?? doc.last_updated ?? doc.timestamp;
  return rfc3339Millis(text) ?? 0;
}
