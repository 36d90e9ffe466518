/**
 * The cost of evaluating a condition. The CEL library bounds only the size of an expression,
 * not the work of running it: nested comprehensions multiply (`l.all(a, l.all(b, ...))`), and
 * comparisons, `in` and string functions are linear in values a predicate of many megabytes
 * can make large. As cel-go does (ActualCostLimit), every evaluation is metered: each
 * expression node evaluated costs 1, and an operator or function that walks its operands
 * costs their size too. A condition over budget is an evaluation error (not satisfied).
 */

/** Cost units per evaluation: about 0.2 s of work on a slow machine. */
export const CONDITION_BUDGET = 1_000_000;

/** What a budget overrun throws inside the library (allocated once: a stack trace per throw is slow). */
const OVER_BUDGET = new Error(`evaluation cost exceeds the budget of ${CONDITION_BUDGET} steps`);

/** Comprehensions and macros: their steps are metered one by one, their operands not walked. */
const MACROS: ReadonlySet<string> = new Set([
  'all',
  'exists',
  'exists_one',
  'map',
  'filter',
  'has',
  'bind',
]);

/** Operators whose work grows with their operands (deep equality, ordering, concatenation, search). */
const WALKING_OPERATORS: ReadonlySet<string> = new Set([
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  'in',
]);

/** A parsed CEL node's documented shape: its operator and operands. */
export interface CelSyntax {
  readonly op: string;
  readonly args: unknown;
}

/** A parsed CEL node as the library builds it, with the method it evaluates through. */
interface CelNode extends CelSyntax {
  evaluate: (ev: unknown, ast: unknown, ctx: unknown) => unknown;
}

function isNode(value: unknown): value is CelNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/** Direct child nodes of a node, in source order. */
export function childNodes(node: CelSyntax): CelNode[] {
  const out: CelNode[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (isNode(value)) out.push(value);
  };
  if (node.op === 'value' || node.op === 'id') return out;
  visit(node.args);
  return out;
}

/** The called function's name for `call` and `rcall` nodes. */
export function functionName(node: CelSyntax): string | undefined {
  if (node.op !== 'call' && node.op !== 'rcall') return undefined;
  const [name] = node.args as readonly unknown[];
  return typeof name === 'string' ? name : undefined;
}

/** Per-evaluation meter shared by the instrumented nodes of one condition. */
export interface Meter {
  /** Starts a fresh evaluation. */
  reset(): void;
  /** Cost spent since the last reset. */
  readonly spent: number;
  readonly exceeded: boolean;
  readonly message: string;
}

/**
 * Instruments every node of a type-checked expression so that evaluating it charges the meter.
 * The library dispatches each node through `node.evaluate(ev, ast, ctx)` and, on the first
 * call, replaces that method with the node's operator; the accessor below keeps the meter in
 * front of whatever the library installs. The version of the library is pinned, and the cost
 * tests fail if a new version evaluates nodes some other way.
 */
export function meterEvaluation(
  root: unknown,
  options: {
    readonly budget?: number;
    /** Checks of a function's operands after it ran, by name: throw to make it an error. */
    readonly guards?: ReadonlyMap<string, (operands: readonly unknown[]) => void>;
  } = {},
): Meter {
  const budget = options.budget ?? CONDITION_BUDGET;
  let spent = 0;
  const charge = (units: number): void => {
    spent += units;
    if (spent > budget) throw OVER_BUDGET;
  };
  const stops = quantifierBodies(root);
  const visit = (node: CelNode): Slot => {
    const children = childNodes(node).map(visit);
    const stop = stops.get(node);
    const slot: Slot = { last: undefined };
    const walks = walkedOperands(node, children);
    const name = functionName(node);
    const guard = name === undefined ? undefined : options.guards?.get(name);
    const dispatch = Object.getPrototypeOf(node).evaluate as CelNode['evaluate'];
    let installed: CelNode['evaluate'] | undefined;
    const metered = function (this: unknown, ev: unknown, ast: unknown, ctx: unknown): unknown {
      // The first call goes through the library's dispatch, which installs the operator (via
      // the setter below) and calls back here.
      if (installed === undefined) return dispatch.call(node, ev, ast, ctx);
      if (stop === undefined) return run(installed, ev, ast, ctx);
      try {
        return run(installed, ev, ast, ctx);
      } catch (err) {
        if (err === OVER_BUDGET) return stop;
        throw err;
      }
    };
    const run = (
      operator: CelNode['evaluate'],
      ev: unknown,
      ast: unknown,
      ctx: unknown,
    ): unknown => {
      charge(1);
      const value = operator.call(node, ev, ast, ctx);
      slot.last = value;
      if (walks !== undefined) charge(walks());
      if (guard !== undefined) guard(children.map((c) => c.last));
      return value;
    };
    Object.defineProperty(node, 'evaluate', {
      configurable: true,
      get: () => metered,
      set: (operator: CelNode['evaluate']) => {
        installed = operator;
      },
    });
    return slot;
  };
  if (isNode(root)) visit(root);
  return {
    reset() {
      spent = 0;
    },
    get spent() {
      return spent;
    },
    get exceeded() {
      return spent > budget;
    },
    message: OVER_BUDGET.message,
  };
}

/**
 * all() and exists() absorb errors in their body and go on with the next element (CEL's
 * commutative error semantics), so an overrun would cost one caught error per remaining
 * element. Over budget, their body yields the value that ends the loop instead; the result
 * is discarded anyway, as the meter reports the overrun.
 */
function quantifierBodies(root: unknown): Map<CelNode, boolean> {
  const stops = new Map<CelNode, boolean>();
  const visit = (node: CelNode): void => {
    const name = functionName(node);
    if (node.op === 'rcall' && (name === 'all' || name === 'exists')) {
      const body = ((node.args as unknown[])[2] as unknown[] | undefined)?.[1];
      if (isNode(body)) stops.set(body, name === 'exists');
    }
    for (const child of childNodes(node)) visit(child);
  };
  if (isNode(root)) visit(root);
  return stops;
}

interface Slot {
  /** The node's value in its latest evaluation. */
  last: unknown;
}

/** The extra cost of one evaluation of a node that walks its operands, or undefined. */
function walkedOperands(node: CelNode, children: readonly Slot[]): (() => number) | undefined {
  const name = functionName(node);
  if (name !== undefined) {
    if (MACROS.has(name)) return undefined;
    // size() of a list or map is constant time; of a string it counts code points.
    if (name === 'size')
      return () => sumOf(children, (v) => (typeof v === 'string' ? v.length : 0));
    return () => sumOf(children, walkSize);
  }
  if (!WALKING_OPERATORS.has(node.op)) return undefined;
  if (node.op === 'in') {
    // `x in map` is a lookup; `x in list` compares x with every element.
    const [left, right] = children;
    return () => walkSize(left?.last) + (Array.isArray(right?.last) ? walkSize(right?.last) : 0);
  }
  return () => sumOf(children, walkSize);
}

/** Work beyond the node itself: nothing for a scalar operand. */
const walkSize = (value: unknown): number => valueSize(value) - 1;

function sumOf(slots: readonly Slot[], size: (value: unknown) => number): number {
  let total = 0;
  for (const slot of slots) total += size(slot.last);
  return total;
}

const sizes = new WeakMap<object, number>();

/**
 * How much there is to walk in a value: 1 per scalar, its length for strings and bytes, the sum
 * of its parts for lists and maps. Remembered per object, so a large predicate is measured once.
 */
export function valueSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 1;
  if (typeof value !== 'object' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength + 1;
  if (value instanceof Date) return 1;
  const known = sizes.get(value);
  if (known !== undefined) return known;
  // Iterative post-order walk: predicates may nest as deep as the JSON limit allows.
  const pending: { readonly object: object; expanded: boolean }[] = [
    { object: value, expanded: false },
  ];
  const open = new Set<object>();
  while (pending.length > 0) {
    const top = pending[pending.length - 1] as { readonly object: object; expanded: boolean };
    if (sizes.has(top.object)) {
      pending.pop();
      continue;
    }
    const parts = partsOf(top.object);
    if (!top.expanded) {
      top.expanded = true;
      open.add(top.object);
      for (const part of parts) {
        if (isContainer(part) && !sizes.has(part) && !open.has(part)) {
          pending.push({ object: part, expanded: false });
        }
      }
      continue;
    }
    pending.pop();
    open.delete(top.object);
    let total = 1;
    for (const part of parts) total += isContainer(part) ? (sizes.get(part) ?? 1) : valueSize(part);
    sizes.set(top.object, total);
  }
  return sizes.get(value) ?? 1;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array);
}

function partsOf(value: object): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Map) return [...value.keys(), ...value.values()];
  if (value instanceof Set) return [...value];
  if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    const parts: unknown[] = [];
    for (const key of Object.keys(value)) parts.push(key, (value as Record<string, unknown>)[key]);
    return parts;
  }
  // Timestamps, durations and the library's own scalars.
  return [];
}

/** A cost as a polynomial in n, the size of the attestation's data: coefficients by degree. */
export type Polynomial = readonly number[];

/** The worst case of a condition, from its expression alone (what `policy lint` reports). */
export interface CostEstimate {
  /** How the cost grows with the size of the attestation: 0 constant, 1 linear, 2 quadratic... */
  readonly degree: number;
  /** The worst-case cost for data of size n. */
  at(n: number): number;
}

/** Variables whose values come from the attestation: their size is n. */
const DATA_VARIABLES: ReadonlySet<string> = new Set([
  'predicate',
  'statement',
  'subject',
  'predicateType',
]);

const ONE: Polynomial = [1];
const DATA: Polynomial = [0, 1];

/**
 * Bounds the cost the meter would charge, as a polynomial in the data size: a comprehension
 * multiplies the cost of its body by the size of its range. An element of a range counts as
 * size 1 (the elements of a list share its size, so walking each costs the list once more).
 */
export function estimateCost(root: unknown): CostEstimate {
  const cost = isNode(root) ? estimate(root, new Map()).cost : ONE;
  let degree = 0;
  cost.forEach((c, d) => {
    if (c > 0) degree = d;
  });
  return {
    degree,
    at: (n) => cost.reduce((total, c, d) => total + c * n ** d, 0),
  };
}

interface Estimate {
  readonly cost: Polynomial;
  /** Worst-case size of the node's value. */
  readonly size: Polynomial;
}

function estimate(node: CelNode, scope: ReadonlyMap<string, Polynomial>): Estimate {
  const name = functionName(node);
  if (name !== undefined && MACROS.has(name)) return estimateMacro(node, name, scope);
  if (node.op === 'value') {
    const value = node.args;
    return { cost: ONE, size: [typeof value === 'string' ? value.length + 1 : 1] };
  }
  if (node.op === 'id') {
    const id = String(node.args);
    return { cost: ONE, size: scope.get(id) ?? (DATA_VARIABLES.has(id) ? DATA : ONE) };
  }
  const parts = childNodes(node).map((child) => estimate(child, scope));
  const childCost = add(ONE, ...parts.map((p) => p.cost));
  const operandSize = add([], ...parts.map((p) => p.size));
  switch (node.op) {
    case '.':
    case '.?':
    case '[]':
    case '[?]':
      return { cost: childCost, size: parts[0]?.size ?? ONE };
    case 'list':
    case 'map':
    case '?:':
      return { cost: childCost, size: add(ONE, operandSize) };
    default:
      break;
  }
  if (name !== undefined || WALKING_OPERATORS.has(node.op)) {
    return { cost: add(childCost, operandSize), size: operandSize };
  }
  return { cost: childCost, size: ONE };
}

function estimateMacro(
  node: CelNode,
  name: string,
  scope: ReadonlyMap<string, Polynomial>,
): Estimate {
  const [, receiver, args] = node.op === 'rcall' ? (node.args as unknown[]) : [];
  const operands = (node.op === 'call' ? (node.args as unknown[])[1] : args) as unknown[];
  const [variable, ...body] = operands.filter(isNode);
  if (name === 'has' || variable === undefined) {
    return {
      cost: add(ONE, ...operands.filter(isNode).map((o) => estimate(o, scope).cost)),
      size: ONE,
    };
  }
  const bound = new Map(scope);
  if (name === 'bind') {
    const [value, expression] = body;
    if (value === undefined || expression === undefined) return { cost: ONE, size: ONE };
    const v = estimate(value, scope);
    bound.set(String(variable.args), v.size);
    const e = estimate(expression, bound);
    return { cost: add(ONE, v.cost, e.cost), size: e.size };
  }
  const range = isNode(receiver) ? estimate(receiver, scope) : { cost: ONE, size: ONE };
  bound.set(String(variable.args), ONE);
  const steps = body.map((b) => estimate(b, bound));
  const perElement = add(ONE, ...steps.map((s) => s.cost));
  const cost = add(ONE, range.cost, range.size, multiply(range.size, perElement));
  const last = steps[steps.length - 1];
  const size =
    name === 'map' ? multiply(range.size, last?.size ?? ONE) : name === 'filter' ? range.size : ONE;
  return { cost, size };
}

/** Degrees above this are reported as this (the warning says "at least"). */
const MAX_DEGREE = 8;

function add(...terms: Polynomial[]): Polynomial {
  const out: number[] = [];
  for (const t of terms) {
    t.forEach((c, d) => {
      out[d] = (out[d] ?? 0) + c;
    });
  }
  return Array.from(out, (c) => c ?? 0);
}

function multiply(a: Polynomial, b: Polynomial): Polynomial {
  const out: number[] = [];
  a.forEach((x, i) => {
    b.forEach((y, j) => {
      const d = Math.min(i + j, MAX_DEGREE);
      out[d] = (out[d] ?? 0) + x * y;
    });
  });
  return Array.from(out, (c) => c ?? 0);
}
