import { type ASTNode, Environment } from '@marcbachmann/cel-js';
import { parseRfc3339 } from '../encoding/rfc3339.js';
import { type CostEstimate, estimateCost, meterEvaluation } from './condition-cost.js';
import { type FieldRead, fieldReads, renderValue, valueAt } from './condition-paths.js';

/** The CEL variables a requirement condition sees (DESIGN.md section 6, step 7). */
export interface ConditionVariables {
  /** JSON values below are prepared with `toCelValue`. */
  readonly predicate: unknown;
  readonly predicateType: string;
  /** The subject that matched the artifact. */
  readonly subject: unknown;
  readonly statement: unknown;
  /** The key being counted. */
  readonly signer: { readonly authority: string; readonly keyid: string };
  readonly now: Date;
}

/** Errors are values here: evaluation never throws (cel-es `CelResult` style). */
export type ConditionResult =
  | { readonly ok: true; readonly value: boolean }
  | { readonly ok: false; readonly error: string };

export interface Condition {
  readonly source: string;
  /** The worst case of its evaluation cost by the size of the attestation. */
  readonly worstCase: CostEstimate;
  /** The fields it reads (outermost selections, comprehension variables followed). */
  readonly reads: readonly FieldRead[];
  /** What it read from these variables, e.g. `predicate.decision = "rejected"`, for messages. */
  describeReads(variables: ConditionVariables): string;
  evaluate(variables: ConditionVariables): ConditionResult;
}

/** Why a condition does not compile; the message is one line. */
export class ConditionCompileError extends Error {
  override readonly name = 'ConditionCompileError';
}

const MAX_CONDITION_LENGTH = 8192;

/** The CEL variables of a condition (DESIGN.md section 6, step 7). */
const VARIABLES: ReadonlySet<string> = new Set([
  'predicate',
  'predicateType',
  'subject',
  'statement',
  'signer',
  'now',
]);
/** Reads a rejection message shows, each cut at about this many characters. */
const MAX_READS_SHOWN = 6;
const MAX_VALUE_CHARS = 80;

// Structural limits well above any real policy condition; they bound compile cost.
const environment = new Environment({
  limits: { maxAstNodes: 2000, maxDepth: 32, maxListElements: 1000, maxMapEntries: 1000 },
})
  .registerVariable('predicate', 'map')
  .registerVariable('predicateType', 'string')
  .registerVariable('subject', 'map')
  .registerVariable('statement', 'map')
  .registerVariable('signer', 'map')
  .registerVariable('now', 'google.protobuf.Timestamp');

// matches() runs a JavaScript RegExp, which backtracks: `"aaaaaaaaaaaaaaaaaaaaaaaaaaaa!"
// .matches("^(a+)+$")` takes seconds. CEL specifies RE2 (linear time); without it, no regexes.
const FORBIDDEN_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  [
    'matches',
    'matches() is not supported (JavaScript regular expressions can backtrack exponentially); use startsWith, endsWith, contains or ==',
  ],
  // A library extension that parses text with JSON.parse: no duplicate-key, depth or
  // `constructor`-key checks, so a predicate string could pose as another CEL type.
  [
    'json',
    'json() is not supported (it parses text without strict JSON checks); read the fields of predicate directly',
  ],
]);

/**
 * The library's timestamp(string) accepts whatever JavaScript's Date parses: zone-less times
 * read in the verifier's local time zone, or "Fri, 20 Nov 2026 10:00:00 GMT". A time from an
 * attestation must be RFC 3339 with a time zone (as for maxAge), or the call is an error.
 */
const GUARDS: ReadonlyMap<string, (operands: readonly unknown[]) => void> = new Map([
  [
    'timestamp',
    (operands: readonly unknown[]) => {
      const [text] = operands;
      if (typeof text === 'string' && parseRfc3339(text) === undefined) {
        throw new Error(
          `timestamp(${JSON.stringify(text.slice(0, 40))}) is not an RFC 3339 time with a time zone`,
        );
      }
    },
  ],
]);

// Why @marcbachmann/cel-js (measured against @bufbuild/cel 0.6.1, 2026-11): a public
// type-checker (conditions must be `bool`, undeclared variables fail at load), no
// dependencies, about ten times less CPU per condition. Its weaknesses are handled here:
// throws become error values, matches() and json() are refused, timestamp() is guarded,
// evaluation is metered (condition-cost.ts).

/**
 * Compiles a condition once per policy load: parses, rejects unsupported functions and
 * type-checks against the declared variables. A condition must have static type `bool`: a
 * bare field such as `predicate.approved` is `dyn` and is rejected (write `== true`).
 */
export function compileCondition(source: string): Condition {
  if (source.length > MAX_CONDITION_LENGTH) {
    throw new ConditionCompileError(
      `condition is ${source.length} characters, limit ${MAX_CONDITION_LENGTH}`,
    );
  }
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environment.parse(source);
  } catch (err) {
    throw new ConditionCompileError(`does not parse: ${firstLine(err)}`);
  }
  for (const name of calledFunctions(parsed.ast)) {
    const why = FORBIDDEN_FUNCTIONS.get(name);
    if (why !== undefined) throw new ConditionCompileError(why);
  }
  const checked = parsed.check();
  if (!checked.valid) {
    throw new ConditionCompileError(`does not type-check: ${firstLine(checked.error)}`);
  }
  if (checked.type !== 'bool') {
    throw new ConditionCompileError(
      `has type ${checked.type ?? 'unknown'}, not bool (compare it, e.g. "... == true")`,
    );
  }
  const meter = meterEvaluation(parsed.ast, { guards: GUARDS });
  const reads = fieldReads(parsed.ast, VARIABLES);
  const shown = reads
    .filter(
      (r) =>
        !reads.some(
          (o) => o !== r && /^[.[]/.test(o.text.slice(r.text.length)) && o.text.startsWith(r.text),
        ),
    )
    .slice(0, MAX_READS_SHOWN);
  return {
    source,
    worstCase: estimateCost(parsed.ast),
    reads,
    describeReads(variables: ConditionVariables): string {
      return shown
        .map((r) => {
          const value = valueAt(variableValue(variables, r.variable), r.segments);
          return `${r.text} = ${renderValue(value, MAX_VALUE_CHARS)}`;
        })
        .join(', ');
    },
    evaluate(variables: ConditionVariables): ConditionResult {
      meter.reset();
      let value: unknown;
      try {
        // Read on demand: the library looks up only the variables the expression names.
        value = parsed(variables);
      } catch (err) {
        return { ok: false, error: meter.exceeded ? meter.message : firstLine(err) };
      }
      // CEL absorbs some errors (`false && error`); over budget is an error whatever the value.
      if (meter.exceeded) return { ok: false, error: meter.message };
      // Exactly `true` counts; an error object or any other value is not true.
      if (typeof value !== 'boolean') {
        return { ok: false, error: `result is ${typeof value}, not a boolean` };
      }
      return { ok: true, value };
    },
  };
}

function variableValue(variables: ConditionVariables, name: string): unknown {
  switch (name) {
    case 'predicate':
      return variables.predicate;
    case 'predicateType':
      return variables.predicateType;
    case 'subject':
      return variables.subject;
    case 'statement':
      return variables.statement;
    case 'signer':
      return variables.signer;
    case 'now':
      return variables.now;
    default:
      return undefined;
  }
}

/**
 * Prepares parsed JSON for CEL. The library reads only own properties of plain objects (so
 * `toString` or `__proto__` are never reached through a prototype) but picks a value's CEL type
 * from `value.constructor`, which an own `constructor` key would hijack: a tree holding such a
 * key is converted to Maps. Anything else is passed as is, without copying.
 */
export function toCelValue(value: unknown): unknown {
  return hasConstructorKey(value) ? toMaps(value) : value;
}

function hasConstructorKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasConstructorKey);
  if (typeof value !== 'object' || value === null) return false;
  if (Object.hasOwn(value, 'constructor')) return true;
  for (const key in value) {
    if (Object.hasOwn(value, key) && hasConstructorKey((value as Record<string, unknown>)[key])) {
      return true;
    }
  }
  return false;
}

function toMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toMaps);
  if (typeof value === 'object' && value !== null) {
    const map = new Map<string, unknown>();
    for (const [k, v] of Object.entries(value)) map.set(k, toMaps(v));
    return map;
  }
  return value;
}

function calledFunctions(node: ASTNode): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null || !('op' in value)) return;
    const n = value as ASTNode;
    if ((n.op === 'call' || n.op === 'rcall') && typeof n.args[0] === 'string') {
      names.push(n.args[0]);
    }
    if (typeof n.args === 'object' && n.args !== null) visit(n.args);
  };
  visit(node);
  return names;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}
