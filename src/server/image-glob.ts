/**
 * An image policy glob over `registry/repository` (DESIGN.md section 11): `*` matches within
 * one path component, `**` across components. Globs come from the operator's configuration.
 */
export interface ImageGlob {
  readonly pattern: string;
  /** Literal characters: more is more specific. */
  readonly literals: number;
  readonly wildcards: number;
  matches(name: string): boolean;
}

export const GLOB_PATTERN = /^[a-z0-9*][a-z0-9._\-/:*]*$/;
export const MAX_GLOB_WILDCARDS = 8;

/** Compiles a validated glob (GLOB_PATTERN, at most MAX_GLOB_WILDCARDS wildcards). */
export function compileImageGlob(pattern: string): ImageGlob {
  const parts = pattern.split(/(\*\*|\*)/);
  let source = '';
  let literals = 0;
  let wildcards = 0;
  for (const part of parts) {
    if (part === '**') {
      source += '.*';
      wildcards++;
    } else if (part === '*') {
      source += '[^/]*';
      wildcards++;
    } else {
      source += part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      literals += part.length;
    }
  }
  const regex = new RegExp(`^${source}$`);
  return { pattern, literals, wildcards, matches: (name) => regex.test(name) };
}

/** Orders globs most specific first: more literal characters, then fewer wildcards. */
export function compareSpecificity(a: ImageGlob, b: ImageGlob): number {
  return b.literals - a.literals || a.wildcards - b.wildcards;
}

/** Counts wildcards as compileImageGlob does (`**` is one). */
export function countWildcards(pattern: string): number {
  return pattern.split(/\*\*|\*/).length - 1;
}
