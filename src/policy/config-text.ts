import { type Document, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type * as z from 'zod';
import { formatPath, parseStrictJson } from '../encoding/strict-json.js';
import { asVouchError, type ErrorCode, VouchError } from '../errors.js';

export type ConfigFormat = 'yaml' | 'json';

/** A configuration document written by a person: a policy or a policy test case. */
export interface ConfigSource {
  /** File name (or other label) used in error messages. */
  readonly name: string;
  readonly text: string | Uint8Array;
  readonly format: ConfigFormat;
}

export type FieldPath = readonly (string | number)[];

export interface ConfigIssue {
  readonly path: FieldPath;
  readonly message: string;
}

/** `line:col` of the node at a field path (or its nearest parent); undefined for JSON. */
export type Locate = (path: FieldPath) => string | undefined;

export type ConfigErrorCode = Extract<
  ErrorCode,
  'POLICY_INVALID' | 'FIXTURE_INVALID' | 'SERVER_CONFIG_INVALID'
>;

const CONFIG_HINTS: Record<ConfigErrorCode, string> = {
  POLICY_INVALID: 'fix the policy file; vouch policy lint checks it',
  FIXTURE_INVALID: 'fix the test case file (docs/policy.md describes the format)',
  SERVER_CONFIG_INVALID: 'fix the server configuration (docs/kubernetes.md describes the format)',
};

const MAX_CONFIG_BYTES = 1024 * 1024;
/** Alias expansions a document may make: a bound on "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;
const noLocation: Locate = () => undefined;

/**
 * Parses YAML (1.2 core schema, a repeated key is an error as in strict JSON, aliases
 * bounded) or strict JSON, with a size limit. Errors carry the file and line.
 */
export function parseConfigText(
  source: ConfigSource,
  code: ConfigErrorCode,
): { value: unknown; locate: Locate } {
  const size =
    typeof source.text === 'string' ? Buffer.byteLength(source.text) : source.text.byteLength;
  if (size > MAX_CONFIG_BYTES) {
    throw configError(source, noLocation, code, [
      { path: [], message: `file is ${size} bytes, limit ${MAX_CONFIG_BYTES}` },
    ]);
  }
  if (source.format === 'json') {
    let value: unknown;
    try {
      value = parseStrictJson(source.text);
    } catch (err) {
      const e = asVouchError(err);
      throw new VouchError(code, `${e.code}: ${e.message}`, {
        cause: err,
        path: `${source.name}${e.path === undefined ? '' : ` ${e.path}`}`,
        hint: e.hint ?? 'fix the JSON',
      });
    }
    const reserved = reservedKeyPath(value);
    if (reserved !== undefined) throw reservedKeyError(source, noLocation, reserved, code);
    return { value, locate: noLocation };
  }
  const text =
    typeof source.text === 'string' ? source.text : Buffer.from(source.text).toString('utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter: lines, prettyErrors: false });
  const [first] = [...doc.errors, ...doc.warnings];
  if (first !== undefined) {
    const pos = lines.linePos(first.pos[0]);
    throw new VouchError(code, `YAML ${first.code}: ${first.message}`, {
      path: `${source.name}:${pos.line}:${pos.col}`,
      hint: 'fix the YAML (each key once, one document per file, no custom tags)',
    });
  }
  const ambiguous = ambiguousKey(doc);
  if (ambiguous !== undefined) {
    const pos = lines.linePos(ambiguous.at);
    throw new VouchError(code, `YAML key ${ambiguous.message}`, {
      path: `${source.name}:${pos.line}:${pos.col}`,
      hint: 'write each key once, as a plain string',
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new VouchError(code, `YAML: ${asVouchError(err).message}`, {
      cause: err,
      path: source.name,
      hint: `write the values out: at most ${MAX_ALIAS_COUNT} alias expansions`,
    });
  }
  const locate: Locate = (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] };
      if (node?.range !== undefined) {
        const pos = lines.linePos(node.range[0]);
        return `${pos.line}:${pos.col}`;
      }
    }
    return undefined;
  };
  const reserved = reservedKeyPath(value);
  if (reserved !== undefined) throw reservedKeyError(source, locate, reserved, code);
  return { value, locate };
}

/**
 * A key that a JavaScript object cannot hold faithfully. Keys become property names: `1` and
 * `"1"`, `true` and `"true"`, `null` and `""` are the same name, and the last would silently
 * win; a collection or alias as a key is stringified; `<<` asks for a YAML 1.1 merge, which
 * the 1.2 core schema reads as an ordinary key.
 */
function ambiguousKey(doc: Document): { at: number; message: string } | undefined {
  let found: { at: number; message: string } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, unknown>();
      for (const { key } of map.items) {
        const at = (key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
        if (!isScalar(key)) {
          found = { at, message: 'is not a plain scalar (a collection, alias or empty key)' };
          return visit.BREAK;
        }
        const name = key.value === null ? '' : String(key.value);
        if (name === '<<') {
          found = { at, message: '"<<" (a merge key) is not supported: write the fields out' };
          return visit.BREAK;
        }
        if (seen.has(name)) {
          found = {
            at,
            message: `${JSON.stringify(name)} appears twice (${describeKey(seen.get(name))} and ${describeKey(key.value)} name the same field)`,
          };
          return visit.BREAK;
        }
        seen.set(name, key.value);
      }
      return undefined;
    },
  });
  return found;
}

function describeKey(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Keys an object cannot hold as data (`__proto__` would set the prototype, and vanish). */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__']);

/** The path of the first reserved key in a parsed document, or undefined. */
function reservedKeyPath(value: unknown): FieldPath | undefined {
  const pending: { value: unknown; path: FieldPath }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const next = pending.pop() as { value: unknown; path: FieldPath };
    if (Array.isArray(next.value)) {
      next.value.forEach((v, i) => {
        pending.push({ value: v, path: [...next.path, i] });
      });
    } else if (typeof next.value === 'object' && next.value !== null) {
      for (const key of Object.keys(next.value)) {
        if (RESERVED_KEYS.has(key)) return [...next.path, key];
        pending.push({
          value: (next.value as Record<string, unknown>)[key],
          path: [...next.path, key],
        });
      }
    }
  }
  return undefined;
}

function reservedKeyError(
  source: ConfigSource,
  locate: Locate,
  path: FieldPath,
  code: ConfigErrorCode,
): VouchError {
  const key = String(path[path.length - 1]);
  return configError(source, locate, code, [
    { path, message: `"${key}" is reserved and cannot be used as a name or field` },
  ]);
}

/** Validates against a schema, turning every issue into one coded error. */
export function validateConfig<T>(
  source: ConfigSource,
  parsed: { value: unknown; locate: Locate },
  schema: z.ZodType<T>,
  code: ConfigErrorCode,
): T {
  const result = schema.safeParse(parsed.value);
  if (result.success) return result.data;
  throw configError(source, parsed.locate, code, result.error.issues.map(fromZodIssue));
}

function fromZodIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        path: [...path, ...issue.keys.slice(0, 1)],
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
      };
    case 'invalid_value':
      return {
        path,
        message: `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`,
      };
    case 'invalid_type':
      return { path, message: `expected ${issue.expected}` };
    case 'too_small':
      return {
        path,
        message:
          issue.origin === 'array'
            ? `needs at least ${issue.minimum} item(s)`
            : `must be at least ${issue.minimum}`,
      };
    default:
      return { path, message: issue.message };
  }
}

/** One error, on one line, for all issues: the first names file, line and field; the rest follow. */
export function configError(
  source: ConfigSource,
  locate: Locate,
  code: ConfigErrorCode,
  issues: readonly ConfigIssue[],
): VouchError {
  const where = (issue: ConfigIssue): string => {
    const line = locate(issue.path);
    const field = formatPath(issue.path).replace(/^\$\.?/, '') || '(document)';
    return `${source.name}${line === undefined ? '' : `:${line}`} ${field}`;
  };
  const [first, ...rest] = issues;
  const message = [
    first?.message ?? 'invalid file',
    ...rest.map((issue) => `; also at ${where(issue)}: ${issue.message}`),
  ].join('');
  return new VouchError(code, message, {
    path: first === undefined ? source.name : where(first),
    hint: CONFIG_HINTS[code],
  });
}
