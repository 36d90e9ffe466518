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
    text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  } else {
    try {
      text = utf8.decode(input);
    } catch (cause) {
      throw new VouchError('BAD_ENCODING', 'document is not valid UTF-8', { cause });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : 'invalid JSON';
    throw new VouchError('JSON_SYNTAX', detail, { cause });
  }
  scanStructure(text, limits.maxDepth);
  return value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Walks syntactically valid JSON text tracking nesting depth and the keys of each object. */
function scanStructure(text: string, maxDepth: number): void {
  // Each open container: the keys seen so far for objects, null for arrays.
  const stack: (ObjectKeys | null)[] = [];
  const path: (string | number)[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (seenBefore(top, key)) {
          throw new VouchError('JSON_DUPLICATE_KEY', `key "${key}" appears twice`, {
            path: formatPath([...path.slice(0, -1), key]),
            hint: 'each JSON object key must be unique',
          });
        }
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
        stack.push(c === 0x7b ? { list: [], set: undefined } : null);
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
}

/** Keys of one object: a short list (most objects are small), a Set once it grows. */
interface ObjectKeys {
  list: string[];
  set: Set<string> | undefined;
}

const SMALL_OBJECT = 16;

/** True if `key` was already seen in this object; records it otherwise. */
function seenBefore(keys: ObjectKeys, key: string): boolean {
  if (keys.set !== undefined) {
    if (keys.set.has(key)) return true;
    keys.set.add(key);
    return false;
  }
  if (keys.list.includes(key)) return true;
  keys.list.push(key);
  // Linear search stays cheap only while short: a huge object must not cost O(n^2).
  if (keys.list.length > SMALL_OBJECT) keys.set = new Set(keys.list);
  return false;
}

function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    // JSON.parse already accepted the text, so every string is terminated.
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
