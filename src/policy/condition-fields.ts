import { type FieldShape, PREDICATE_FIELDS } from '../predicates/fields.js';
import { EACH, type FieldRead, type PathSegment } from './condition-paths.js';

/**
 * Fields a condition reads that the predicate type does not define, each said as a sentence:
 * usually a typo (`predicate.decison`), which makes the condition an error on every
 * attestation, so the requirement can never be met. Unknown predicate types are not checked.
 */
export function unknownFields(reads: readonly FieldRead[], predicateType: string): string[] {
  const shape = PREDICATE_FIELDS.get(predicateType);
  if (shape === undefined) return [];
  const problems: string[] = [];
  for (const read of reads) {
    const segments = predicateSegments(read);
    if (segments === undefined) continue;
    const problem = check(shape, segments, read);
    if (problem !== undefined && !problems.includes(problem)) problems.push(problem);
  }
  return problems;
}

/** The part of a read below the predicate, or undefined if it reads something else. */
function predicateSegments(read: FieldRead): readonly PathSegment[] | undefined {
  if (read.variable === 'predicate') return read.segments;
  if (read.variable === 'statement' && read.segments[0] === 'predicate') {
    return read.segments.slice(1);
  }
  return undefined;
}

function check(
  root: FieldShape,
  segments: readonly PathSegment[],
  read: FieldRead,
): string | undefined {
  let shape = root;
  let at = 'the predicate';
  for (const segment of segments) {
    if (shape === 'open') return undefined;
    const name = segment === EACH ? 'its elements' : JSON.stringify(segment);
    if (shape === 'value') return `${read.text}: ${at} is a single value, it has no ${name}`;
    if (isList(shape)) {
      if (typeof segment === 'string') {
        return `${read.text}: ${at} is a list, select an element ([0]) or use a comprehension such as all() before .${segment}`;
      }
      shape = shape[0];
    } else if (segment === EACH) {
      // A comprehension over a map ranges over its keys.
      shape = 'value';
    } else if (typeof segment === 'number') {
      return `${read.text}: ${at} is not a list`;
    } else if (Object.hasOwn(shape, segment)) {
      shape = shape[segment] as FieldShape;
    } else {
      const near = closest(segment, Object.keys(shape));
      return `${read.text}: ${JSON.stringify(segment)} is not a field of ${at}${near === undefined ? '' : ` (did you mean ${near}?)`}`;
    }
    at = segment === EACH ? 'each element' : `field ${JSON.stringify(segment)}`;
  }
  return undefined;
}

function isList(shape: FieldShape): shape is readonly [FieldShape] {
  return Array.isArray(shape);
}

/** The known field within edit distance 2 of a misspelt one, if exactly one is nearest. */
function closest(word: string, fields: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const f of fields) {
    const d = editDistance(word.toLowerCase(), f.toLowerCase());
    if (d < bestDistance) {
      best = f;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
