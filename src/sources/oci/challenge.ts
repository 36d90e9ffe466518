/** One `WWW-Authenticate` challenge: scheme (lowercase) and its auth-params (names lowercase). */
export interface Challenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

const MAX_HEADER = 8192;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Parses a `WWW-Authenticate` header (RFC 7235 section 4.1: challenges separated by commas,
 * each a scheme then `name=token` or `name="quoted"` params). Unparseable text ends the parse:
 * what was read so far is returned, and no challenge means no way to authenticate.
 */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (header === undefined || header.length > MAX_HEADER) return [];
  const out: { scheme: string; params: Map<string, string> }[] = [];
  let rest = header.trim();
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (scheme === undefined) break;
    rest = rest.slice(scheme.length);
    // A token followed by `=` is a param of the current challenge, else a new scheme.
    const current = out.at(-1);
    if (rest.trimStart().startsWith('=') && current !== undefined) {
      rest = rest.trimStart().slice(1).trimStart();
      const value = readValue(rest);
      if (value === undefined) break;
      current.params.set(scheme.toLowerCase(), value.value);
      rest = value.rest;
    } else {
      out.push({ scheme: scheme.toLowerCase(), params: new Map() });
      rest = rest.trimStart();
      const param = TOKEN.exec(rest)?.[0];
      if (param !== undefined && rest.slice(param.length).trimStart().startsWith('=')) continue;
    }
    rest = rest.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
  }
  return out;
}

function readValue(text: string): { value: string; rest: string } | undefined {
  if (!text.startsWith('"')) {
    const token = TOKEN.exec(text)?.[0];
    return token === undefined ? undefined : { value: token, rest: text.slice(token.length) };
  }
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      value += text[i + 1] ?? '';
      i++;
    } else if (c === '"') {
      return { value, rest: text.slice(i + 1) };
    } else {
      value += c;
    }
  }
  return undefined;
}
