import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
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
    try {
      return { value: parseStrictJson(source.text), locate: noLocation };
    } catch (err) {
      const e = asVouchError(err);
      throw new VouchError(code, `${e.code}: ${e.message}`, {
        cause: err,
        path: `${source.name}${e.path === undefined ? '' : ` ${e.path}`}`,
        hint: e.hint ?? 'fix the JSON',
      });
    }
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
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new VouchError(code, `YAML: ${asVouchError(err).message}`, {
      cause: err,
      path: source.name,
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
  return { value, locate };
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

/** One error for all issues: the first names file, line and field; the rest follow. */
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
    ...rest.map((issue) => `\n  also at ${where(issue)}: ${issue.message}`),
  ].join('');
  return new VouchError(code, message, {
    path: first === undefined ? source.name : where(first),
    hint: CONFIG_HINTS[code],
  });
}
