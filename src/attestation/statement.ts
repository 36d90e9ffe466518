import { DEFAULT_JSON_LIMITS, type JsonLimits, parseStrictJson } from '../encoding/strict-json.js';
import { VouchError } from '../errors.js';
import { type DigestSet, parseDigestSet } from './digest-set.js';

export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';

// in-toto specification 4.3 and 4.4: link and layout metadata, `_type` "link" / "layout"
// (also carried as a DSSE payload by in-toto 1.x), are not attestations.
export const IN_TOTO_METADATA_TYPES: ReadonlySet<string> = new Set(['link', 'layout']);

export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest: DigestSet;
  readonly [field: string]: unknown;
}

/** An in-toto Statement (v1; v0.1 read-only), narrowed from untrusted JSON. */
export interface Statement {
  readonly _type: typeof STATEMENT_V1 | typeof STATEMENT_V01;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate: Readonly<Record<string, unknown>>;
}

export function parseStatement(
  bytes: string | Uint8Array,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): Statement {
  return statementFromJson(parseStrictJson(bytes, limits));
}

/**
 * in-toto spec/v1/statement.md: `_type` must be Statement v1 (v0.1 accepted for reading),
 * `subject` non-empty with a digest on every entry, `predicateType` a non-empty string.
 * The spec lets `predicate` be omitted; like the Go and Python bindings we require it, since
 * every predicate Vouch evaluates carries one. Unrecognised fields are ignored, as
 * statement.md requires (Google Cloud Build's v0.1 Statements carry `slsaProvenance`); a
 * policy can still read them through `statement` in CEL.
 */
export function statementFromJson(value: unknown): Statement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VouchError('MALFORMED', 'statement must be a JSON object', { path: '$' });
  }
  const obj = value as Record<string, unknown>;
  const type = obj._type;
  if (typeof type === 'string' && IN_TOTO_METADATA_TYPES.has(type)) {
    throw new VouchError(
      'MALFORMED',
      `the payload is in-toto ${String(type)} metadata, not an attestation`,
      {
        path: '$._type',
        hint: 'an in-toto link records a supply-chain step for in-toto layouts; Vouch reads in-toto Statements (https://in-toto.io/Statement/v1)',
      },
    );
  }
  if (type !== STATEMENT_V1 && type !== STATEMENT_V01) {
    throw new VouchError('MALFORMED', `unsupported statement _type ${JSON.stringify(type)}`, {
      path: '$._type',
      hint: `use ${STATEMENT_V1}`,
    });
  }
  if (!Array.isArray(obj.subject) || obj.subject.length === 0) {
    throw new VouchError('MALFORMED', 'subject must be a non-empty array', { path: '$.subject' });
  }
  const subject = obj.subject.map((s: unknown, i: number) => parseSubject(s, `$.subject[${i}]`));
  if (typeof obj.predicateType !== 'string' || obj.predicateType === '') {
    throw new VouchError('MALFORMED', 'predicateType must be a non-empty string', {
      path: '$.predicateType',
    });
  }
  const predicate = obj.predicate;
  if (typeof predicate !== 'object' || predicate === null || Array.isArray(predicate)) {
    throw new VouchError('MALFORMED', 'predicate must be a JSON object', { path: '$.predicate' });
  }
  return {
    _type: type,
    subject,
    predicateType: obj.predicateType,
    predicate: predicate as Record<string, unknown>,
  };
}

/** A subject is a ResourceDescriptor that must carry a non-empty digest set. */
function parseSubject(value: unknown, path: string): ResourceDescriptor {
  const rd = parseResourceDescriptor(value, path);
  if (Object.keys(rd.digest).length === 0) {
    throw new VouchError('MALFORMED', 'subject needs a non-empty digest', {
      path: `${path}.digest`,
    });
  }
  return rd;
}

/** in-toto spec/v1/resource_descriptor.md: at least one of name, uri, digest; digests checked. */
export function parseResourceDescriptor(value: unknown, path: string): ResourceDescriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VouchError('MALFORMED', 'resource descriptor must be an object', { path });
  }
  const obj = value as Record<string, unknown>;
  for (const field of ['name', 'uri'] as const) {
    if (obj[field] !== undefined && typeof obj[field] !== 'string') {
      throw new VouchError('MALFORMED', `${field} must be a string`, { path: `${path}.${field}` });
    }
  }
  const digest = obj.digest === undefined ? {} : parseDigestSet(obj.digest, `${path}.digest`);
  const named =
    (typeof obj.name === 'string' && obj.name !== '') ||
    (typeof obj.uri === 'string' && obj.uri !== '');
  if (!named && Object.keys(digest).length === 0) {
    throw new VouchError('MALFORMED', 'resource descriptor needs a name, uri or digest', { path });
  }
  return { ...obj, digest };
}

/** Builds an in-toto Statement v1. */
export function buildStatement(
  subject: readonly ResourceDescriptor[],
  predicateType: string,
  predicate: Readonly<Record<string, unknown>>,
): Statement {
  return { _type: STATEMENT_V1, subject, predicateType, predicate };
}
