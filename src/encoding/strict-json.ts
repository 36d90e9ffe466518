import { isAscii } from 'node:buffer';
import { VouchError } from '../errors.js';

export interface JsonLimits {
  maxBytes: number;
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 64 };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses untrusted JSON: size limit, fatal UTF-8, syntax, depth limit and duplicate-key
 * rejection (RFC 8259 leaves duplicates undefined; two parsers may disagree on which wins).
 */
export function parseStrictJson(
  input: string | Uint8Array,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): unknown {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > limits.maxBytes) {
    throw new VouchError('TOO_LARGE', `document is ${size} bytes, limit is ${limits.maxBytes}`, {
      hint: 'split the input or raise the limit',
    });
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (isAscii(input)) {
    // Nearly every attestation is ASCII, which is valid UTF-8 and decodes byte for byte.
    const bytes = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    text = bytes.toString('latin1');
  } else {
    try {
      text = utf8.decode(input);
    } catch (cause) {
      throw new VouchError('BAD_ENCODING', 'document is not valid UTF-8', { cause });
    }
  }
  // The structure is scanned before JSON.parse: truncated text fails here without a parser
  // exception, and JSON.parse never sees nesting deeper than the limit.
  const shape = scanShape(text);
  if (!shape.closed) {
    throw new VouchError('JSON_SYNTAX', 'a string or bracket is left open, or closes unopened', {
      hint: 'the document may be truncated',
    });
  }
  if (shape.depth > limits.maxDepth) locateViolation(text, limits.maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : 'invalid JSON';
    throw new VouchError('JSON_SYNTAX', detail, { cause });
  }
  // In valid JSON every member has exactly one colon outside strings, and JSON.parse keeps one
  // own property per distinct key (last wins): the text repeats a key somewhere iff it has
  // more members than the parsed tree has own keys. No key string is built on this path.
  if (shape.members !== ownKeyCount(value)) locateViolation(text, limits.maxDepth);
  return value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** What a scan of any text finds outside strings; never throws. */
interface Shape {
  /** Colons: one per object member when the text is valid JSON. */
  readonly members: number;
  /** Deepest nesting of brackets. */
  readonly depth: number;
  /** Every string and bracket opened is closed, and no bracket closes before it opens. */
  readonly closed: boolean;
}

function scanShape(text: string): Shape {
  let depth = 0;
  let deepest = 0;
  let members = 0;
  let closed = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i === -1) return { members, depth: deepest, closed: false };
    } else if (c === COLON) {
      members++;
    } else if (c === 0x7b || c === 0x5b) {
      // { [
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) {
      // } ]
      if (--depth < 0) closed = false;
    }
  }
  return { members, depth: deepest, closed: closed && depth === 0 };
}

/** Own keys in a parsed tree (its depth is already bounded by the scan). */
function ownKeyCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += ownKeyCount(item);
    return count;
  }
  // for-in allocates no key array; hasOwn skips anything enumerable on a prototype.
  for (const key in value) {
    if (Object.hasOwn(value, key))
      count += 1 + ownKeyCount((value as Record<string, unknown>)[key]);
  }
  return count;
}

/**
 * Walks closed text the scan refused, tracking the path, and throws for the first violation:
 * too deep, or a key seen before in the same object.
 */
function locateViolation(text: string, maxDepth: number): never {
  // Each open container: the keys seen so far for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  const path: (string | number)[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end === -1) break;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? decodeKey(text.slice(i, end + 1)) : raw;
        if (top.has(key)) {
          throw new VouchError('JSON_DUPLICATE_KEY', `key "${key}" appears twice`, {
            path: formatPath([...path.slice(0, -1), key]),
            hint: 'each JSON object key must be unique',
          });
        }
        top.add(key);
        path[path.length - 1] = key;
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    switch (c) {
      case 0x7b: // {
      case 0x5b: // [
        if (stack.length >= maxDepth) {
          throw new VouchError('JSON_TOO_DEEP', `nesting deeper than ${maxDepth} levels`, {
            path: formatPath(path),
          });
        }
        stack.push(c === 0x7b ? new Set() : null);
        path.push(c === 0x7b ? '' : 0);
        expectKey = c === 0x7b;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        path.pop();
        expectKey = false;
        break;
      case 0x2c: {
        // ,
        const top = stack[stack.length - 1];
        expectKey = top !== null && top !== undefined;
        const last = path[path.length - 1];
        if (typeof last === 'number') path[path.length - 1] = last + 1;
        break;
      }
      default:
        break;
    }
    i++;
  }
  // The scan and this walk apply the same two rules; reaching here is a defect.
  throw new VouchError('INTERNAL', 'strict JSON check failed without finding the violation');
}

/** A quoted key with escapes, decoded; the text may not have passed JSON.parse yet. */
function decodeKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch (cause) {
    throw new VouchError('JSON_SYNTAX', `invalid escape in the key ${quoted}`, { cause });
  }
}

/** Index of the quote that closes the string opened at `start`, or -1 if the text ends first. */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q === -1) return -1;
    // A quote preceded by an odd run of backslashes is escaped.
    let backslashes = 0;
    for (let k = q - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    j = q + 1;
  }
}

/** `$.a.b[0]` style path for error messages. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (const p of path) {
    out +=
      typeof p === 'number'
        ? `[${p}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)
          ? `.${p}`
          : `[${JSON.stringify(p)}]`;
  }
  return out;
}
