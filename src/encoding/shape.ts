import type * as z from 'zod';
import { type ErrorCode, VouchError } from '../errors.js';
import { formatPath } from './strict-json.js';

const SHOWN_ISSUES = 5;

export interface NarrowOptions {
  /** What the user can do about it. */
  hint?: string;
  /** Where the value sits in its document, prefixed to reported paths. */
  at?: readonly (string | number)[];
}

/**
 * Narrows parsed untrusted JSON to a typed value with a zod schema. Every bad field is
 * collected; one VouchError carries the first field's path and lists the others.
 */
export function narrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: ErrorCode,
  what: string,
  options: NarrowOptions = {},
): z.output<S> {
  const { hint, at = [] } = options;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    // zod reports unknown keys at the object; name the key itself.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = formatPath([...at, ...(issue.path as (string | number)[]), ...keys.slice(0, 1)]);
    return { path, text: `${path}: ${issue.message}` };
  });
  const [first] = issues;
  const more = issues.length > SHOWN_ISSUES ? ` (and ${issues.length - SHOWN_ISSUES} more)` : '';
  throw new VouchError(
    code,
    `${what}: ${issues
      .slice(0, SHOWN_ISSUES)
      .map((i) => i.text)
      .join('; ')}${more}`,
    { path: first?.path ?? '$', ...(hint === undefined ? {} : { hint }) },
  );
}
