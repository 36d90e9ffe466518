/**
 * The `allow` expression: requirement names joined by `&&` and `||`, grouped with parentheses.
 * There is no negation, so the decision is monotone in the set of satisfied requirements
 * (DESIGN.md principle 4). Mixing `&&` and `||` without parentheses is an error: operator
 * precedence must never decide a security rule (the in-toto attestation-verifier had a
 * fail-open bug from exactly that).
 */
export type AllowExpr =
  | { readonly kind: 'requirement'; readonly name: string }
  | { readonly kind: 'all' | 'any'; readonly terms: readonly AllowExpr[] };

/** Why an allow expression does not parse; `column` is 1-based. */
export class AllowSyntaxError extends Error {
  override readonly name = 'AllowSyntaxError';
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

type Token =
  | { readonly type: 'name'; readonly text: string; readonly at: number }
  | { readonly type: '&&' | '||' | '(' | ')' | 'end'; readonly at: number };

const NAME_CHAR = /[A-Za-z0-9_.-]/;

/** Parentheses nesting allowed: far beyond any policy, and a bound on the parser's recursion. */
export const MAX_ALLOW_DEPTH = 32;
/** Names an allow expression may contain (a name may appear more than once). */
export const MAX_ALLOW_TERMS = 1000;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let terms = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c, at: i });
      i++;
    } else if (text.startsWith('&&', i) || text.startsWith('||', i)) {
      tokens.push({ type: text.startsWith('&&', i) ? '&&' : '||', at: i });
      i += 2;
    } else if (NAME_CHAR.test(c)) {
      const start = i;
      while (i < text.length && NAME_CHAR.test(text.charAt(i))) i++;
      if (++terms > MAX_ALLOW_TERMS) {
        throw new AllowSyntaxError(
          `more than ${MAX_ALLOW_TERMS} names (the limit): name each requirement once`,
          start + 1,
        );
      }
      tokens.push({ type: 'name', text: text.slice(start, i), at: start });
    } else {
      throw new AllowSyntaxError(
        `unexpected "${c}": only requirement names, &&, || and parentheses are allowed`,
        i + 1,
      );
    }
  }
  tokens.push({ type: 'end', at: text.length });
  return tokens;
}

/** Parses an allow expression; every name must be one of `names`. */
export function parseAllow(text: string, names: ReadonlySet<string>): AllowExpr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { type: 'end', at: text.length };
  const fail = (message: string, token: Token): never => {
    throw new AllowSyntaxError(message, token.at + 1);
  };

  let depth = 0;
  const term = (): AllowExpr => {
    const token = peek();
    pos++;
    if (token.type === 'name') {
      if (!names.has(token.text)) fail(`"${token.text}" is not a requirement name`, token);
      return { kind: 'requirement', name: token.text };
    }
    if (token.type === '(') {
      if (++depth > MAX_ALLOW_DEPTH) {
        fail(`parentheses nest deeper than ${MAX_ALLOW_DEPTH} levels (the limit)`, token);
      }
      const inner = expression();
      depth--;
      const close = peek();
      if (close.type !== ')') fail('missing ")"', close);
      pos++;
      return inner;
    }
    return fail(
      token.type === 'end' ? 'expression ends early' : `expected a name, got "${token.type}"`,
      token,
    );
  };

  const expression = (): AllowExpr => {
    const terms = [term()];
    let op: '&&' | '||' | undefined;
    for (let next = peek(); next.type === '&&' || next.type === '||'; next = peek()) {
      if (op !== undefined && next.type !== op) {
        fail('mixing && and || needs parentheses, e.g. "a && (b || c)"', next);
      }
      op = next.type;
      pos++;
      terms.push(term());
    }
    const [only] = terms;
    if (op === undefined && only !== undefined) return only;
    return { kind: op === '&&' ? 'all' : 'any', terms };
  };

  const expr = expression();
  const rest = peek();
  if (rest.type !== 'end')
    fail(`unexpected "${rest.type === 'name' ? rest.text : rest.type}"`, rest);
  return expr;
}

/** Every requirement, the default when a policy has no `allow`. */
export function allRequirements(names: readonly string[]): AllowExpr {
  const terms = names.map((name): AllowExpr => ({ kind: 'requirement', name }));
  const [only] = terms;
  return terms.length === 1 && only !== undefined ? only : { kind: 'all', terms };
}

/**
 * The expression over a per-requirement value: `&&` as `min`, `||` as `max` (booleans too).
 * A loop, not a spread: `Math.min(...terms)` throws past some 100,000 arguments.
 */
export function foldAllow(expr: AllowExpr, leaf: (name: string) => number): number {
  switch (expr.kind) {
    case 'requirement':
      return leaf(expr.name);
    case 'all':
    case 'any': {
      const pick = expr.kind === 'all' ? Math.min : Math.max;
      let value = expr.kind === 'all' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      for (const t of expr.terms) value = pick(value, foldAllow(t, leaf));
      return value;
    }
    default: {
      const never: never = expr;
      throw new Error(`unknown allow node ${String(never)}`);
    }
  }
}

/** Canonical text: parentheses around every nested group. */
export function formatAllow(expr: AllowExpr, nested = false): string {
  switch (expr.kind) {
    case 'requirement':
      return expr.name;
    case 'all':
    case 'any': {
      const text = expr.terms
        .map((t) => formatAllow(t, true))
        .join(expr.kind === 'all' ? ' && ' : ' || ');
      return nested ? `(${text})` : text;
    }
    default: {
      const never: never = expr;
      throw new Error(`unknown allow node ${String(never)}`);
    }
  }
}
