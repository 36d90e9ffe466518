import { VouchError } from '../errors.js';

// RFC 3339 section 5.6 date-time: full-date "T" full-time, with a "Z" or numeric offset.
// Lowercase "t"/"z" are allowed by the RFC; a space separator is not.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 date-time (any offset, up to nanosecond fractions, truncated to milliseconds).
 * The offset is mandatory: a time without a zone is ambiguous.
 * Returns undefined for anything else, including impossible dates such as February 30 and
 * leap seconds, which JavaScript time cannot represent.
 */
export function parseRfc3339(text: unknown): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  // February 30 would roll over into March: reject dates that do not exist.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined;
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/**
 * The in-toto Timestamp form (spec/v1/field_types.md): RFC 3339 in UTC with a "Z",
 * milliseconds only when non-zero, e.g. `2026-11-23T10:00:00Z`.
 */
export function toUtcTimestamp(date: Date | number): string {
  const iso = (typeof date === 'number' ? new Date(date) : date).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** A time the user gave (a flag or variable, named by `source`) in the in-toto UTC form. */
export function utcTimestampArg(value: string, source: string): string {
  const date = parseRfc3339(value);
  if (date === undefined) {
    throw new VouchError('USAGE', `${source} ${value} is not an RFC 3339 time`, {
      hint: 'e.g. 2026-11-23T10:00:00Z',
    });
  }
  return toUtcTimestamp(date);
}
