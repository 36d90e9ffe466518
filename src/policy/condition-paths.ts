import { type CelSyntax, childNodes, functionName } from './condition-cost.js';

/** Stands for "each element" of a list (or each key of a map) a comprehension ranges over. */
export const EACH: unique symbol = Symbol('each');

export type PathSegment = string | number | typeof EACH;

/** A field a condition reads: a variable and the selections below it. */
export interface FieldRead {
  readonly variable: string;
  readonly segments: readonly PathSegment[];
  /** As written for people: `predicate.triage[].status`, `predicate["@id"]`. */
  readonly text: string;
}

type Node = CelSyntax;

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && 'op' in value && 'args' in value;

const COMPREHENSIONS: ReadonlySet<string> = new Set([
  'all',
  'exists',
  'exists_one',
  'map',
  'filter',
]);

/** Where a name in scope points: a field path, or nothing known (a shadowing local). */
type Scope = ReadonlyMap<string, FieldRead | undefined>;

/**
 * The fields a condition reads, outermost selections only (`predicate.a.b`, not also
 * `predicate.a`), with comprehension and `cel.bind` variables followed back to what they
 * range over: in `predicate.triage.all(t, t.status == "x")` the reads are `predicate.triage`
 * and `predicate.triage[].status`.
 */
export function fieldReads(ast: unknown, variables: ReadonlySet<string>): FieldRead[] {
  const reads = new Map<string, FieldRead>();
  const record = (read: FieldRead): void => {
    if (!reads.has(read.text)) reads.set(read.text, read);
  };
  const root: Scope = new Map(
    [...variables].map((v) => [v, { variable: v, segments: [], text: v }] as const),
  );
  const visit = (node: Node, scope: Scope): void => {
    const selected = selection(node, scope);
    if (selected !== undefined) {
      record(selected);
      // Index expressions inside the selection are reads of their own.
      for (const index of indexExpressions(node)) visit(index, scope);
      return;
    }
    const name = functionName(node);
    if (node.op === 'rcall' && name !== undefined) {
      const [, receiver, args] = node.args as [string, unknown, unknown[]];
      const [variable, ...body] = (args ?? []).filter(isNode);
      if (COMPREHENSIONS.has(name) && isNode(receiver) && variable?.op === 'id') {
        visit(receiver, scope);
        const range = selection(receiver, scope);
        const inner = new Map(scope);
        inner.set(String(variable.args), range === undefined ? undefined : extend(range, EACH));
        for (const b of body) visit(b, inner);
        return;
      }
      if (name === 'bind' && variable?.op === 'id') {
        const [value, expression] = body;
        if (value === undefined || expression === undefined) return;
        visit(value, scope);
        const inner = new Map(scope);
        inner.set(String(variable.args), selection(value, scope));
        visit(expression, inner);
        return;
      }
    }
    for (const child of childNodes(node)) visit(child, scope);
  };
  if (isNode(ast)) visit(ast, root);
  return [...reads.values()];
}

/** The field path a selection chain (`a.b["c"][0]`) names, or undefined if it is not one. */
function selection(node: Node, scope: Scope): FieldRead | undefined {
  switch (node.op) {
    case 'id': {
      const name = String(node.args);
      return scope.get(name);
    }
    case '.':
    case '.?': {
      const [target, field] = node.args as [unknown, unknown];
      const base = isNode(target) ? selection(target, scope) : undefined;
      return base === undefined ? undefined : extend(base, String(field));
    }
    case '[]':
    case '[?]': {
      const [target, index] = node.args as [unknown, unknown];
      const base = isNode(target) ? selection(target, scope) : undefined;
      if (base === undefined) return undefined;
      const key = isNode(index) && index.op === 'value' ? index.args : undefined;
      if (typeof key === 'string') return extend(base, key);
      if (typeof key === 'bigint' || typeof key === 'number') return extend(base, Number(key));
      return extend(base, EACH);
    }
    default:
      return undefined;
  }
}

function indexExpressions(node: Node): Node[] {
  if (node.op !== '.' && node.op !== '.?' && node.op !== '[]' && node.op !== '[?]') return [];
  const [target, index] = node.args as [unknown, unknown];
  const inner = isNode(target) ? indexExpressions(target) : [];
  const own = (node.op === '[]' || node.op === '[?]') && isNode(index) && index.op !== 'value';
  return own && isNode(index) ? [...inner, index] : inner;
}

const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

function extend(read: FieldRead, segment: PathSegment): FieldRead {
  const text =
    segment === EACH
      ? `${read.text}[]`
      : typeof segment === 'number'
        ? `${read.text}[${segment}]`
        : PLAIN_FIELD.test(segment)
          ? `${read.text}.${segment}`
          : `${read.text}[${JSON.stringify(segment)}]`;
  return { variable: read.variable, segments: [...read.segments, segment], text };
}

/** The value at a read's path, for messages; MISSING where a field or element is absent. */
export const MISSING: unique symbol = Symbol('missing');

/** Elements of a list shown for a `[]` path before "…". */
const MAX_ELEMENTS = 8;

export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let value = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    if (segment === EACH) {
      const rest = segments.slice(i + 1);
      if (Array.isArray(value)) {
        const shown = value.slice(0, MAX_ELEMENTS).map((v) => valueAt(v, rest));
        return value.length > MAX_ELEMENTS ? [...shown, ELLIPSIS] : shown;
      }
      if (value instanceof Map) return [...value.keys()];
      if (isRecord(value)) return Object.keys(value);
      return MISSING;
    }
    value = child(value, segment);
    if (value === MISSING) return MISSING;
  }
  return value;
}

const ELLIPSIS: unique symbol = Symbol('ellipsis');

function child(value: unknown, segment: string | number): unknown {
  if (typeof segment === 'number') {
    return Array.isArray(value) && segment >= 0 && segment < value.length
      ? value[segment]
      : MISSING;
  }
  if (value instanceof Map) return value.has(segment) ? value.get(segment) : MISSING;
  if (isRecord(value) && Object.hasOwn(value, segment)) return value[segment];
  return MISSING;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value as a short JSON-like literal for a message: strings quoted with control, C1 and
 * bidirectional characters escaped (a predicate's text must not drive a terminal), long
 * strings, lists and maps cut with "…" at about `limit` characters.
 */
export function renderValue(value: unknown, limit = 80): string {
  let out = '';
  let cut = false;
  const emit = (text: string): boolean => {
    if (out.length + text.length > limit) {
      out += text.slice(0, Math.max(0, limit - out.length));
      cut = true;
      return false;
    }
    out += text;
    return true;
  };
  const visit = (v: unknown): boolean => {
    if (v === MISSING) return emit('(missing)');
    if (v === ELLIPSIS) return emit('…');
    if (typeof v === 'string') return emit(quote(v.length > limit ? v.slice(0, limit) : v));
    if (typeof v === 'bigint') return emit(String(v));
    if (v instanceof Date)
      return emit(Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString());
    if (v instanceof Uint8Array)
      return emit(`b"${Buffer.from(v.slice(0, limit)).toString('hex')}"`);
    if (typeof v !== 'object' || v === null) return emit(String(v));
    if (!emit(Array.isArray(v) ? '[' : '{')) return false;
    let first = true;
    for (const [key, e] of entriesOf(v)) {
      if (!first && !emit(', ')) return false;
      first = false;
      if (key !== undefined && !emit(`${quote(key)}: `)) return false;
      if (!visit(e)) return false;
    }
    return emit(Array.isArray(v) ? ']' : '}');
  };
  visit(value);
  return cut ? `${out}…` : out;
}

/** Entries one at a time, so a huge list or map is not copied to show its start. */
function* entriesOf(v: object): Generator<[string | undefined, unknown]> {
  if (Array.isArray(v)) {
    for (const e of v) yield [undefined, e];
  } else if (v instanceof Map) {
    for (const [k, e] of v) yield [String(k), e];
  } else {
    for (const k in v) if (Object.hasOwn(v, k)) yield [k, (v as Record<string, unknown>)[k]];
  }
}

// JSON.stringify escapes C0 controls, quotes and backslashes; these pass through it.
const UNSAFE = /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

function quote(text: string): string {
  return JSON.stringify(text).replace(
    UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
