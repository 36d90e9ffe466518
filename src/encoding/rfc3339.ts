import { VouchError } from '../errors.js';

// RFC 3339 section 5.6 date-time: full-date "T" full-time, with a "Z" or numeric offset.
// Lowercase "t"/"z" are allowed by the RFC; a space separator is not. Every field up to the
// seconds has a fixed position, so after this test they are read by position.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

const MS_PER_MINUTE = 60_000;
// 400 Gregorian years are exactly 146,097 days: Date.UTC reads years 0-99 as 1900-1999, so
// such years are computed 400 years later and moved back.
const MS_PER_400_YEARS = 146_097 * 86_400_000;

/**
 * Parses an RFC 3339 date-time (any offset, up to nanosecond fractions, truncated to milliseconds).
 * The offset is mandatory: a time without a zone is ambiguous.
 * Returns undefined for anything else, including impossible dates such as February 30 and
 * leap seconds, which JavaScript time cannot represent.
 */
export function parseRfc3339(text: unknown): Date | undefined {
  const millis = rfc3339Millis(text);
  return millis === undefined ? undefined : new Date(millis);
}

/** parseRfc3339 as epoch milliseconds, without allocating a Date. */
export function rfc3339Millis(text: unknown): number | undefined {
  if (typeof text !== 'string' || !DATE_TIME.test(text)) return undefined;
  const digits = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i++) n = n * 10 + text.charCodeAt(i) - 0x30;
    return n;
  };
  const year = digits(0, 4);
  const month = digits(5, 7);
  const day = digits(8, 10);
  const hour = digits(11, 13);
  const minute = digits(14, 16);
  const second = digits(17, 19);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === 0x2e) {
    // "." then 1-9 digits: keep the first three, as milliseconds.
    const end = text.length - (text.endsWith('Z') || text.endsWith('z') ? 1 : 6);
    millis = digits(at + 1, Math.min(end, at + 4)) * 10 ** Math.max(0, at + 4 - end);
    at = end;
  }
  let offsetMinutes = 0;
  if (at + 6 === text.length) {
    const offsetHours = digits(at + 1, at + 3);
    const offsetMins = digits(at + 4, at + 6);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (text.charCodeAt(at) === 0x2d ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const shift = year < 100 ? MS_PER_400_YEARS : 0;
  const utc = Date.UTC(
    year + (shift === 0 ? 0 : 400),
    month - 1,
    day,
    hour,
    minute,
    second,
    millis,
  );
  return utc - shift - offsetMinutes * MS_PER_MINUTE;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * The in-toto Timestamp form (spec/v1/field_types.md): RFC 3339 in UTC with a "Z",
 * milliseconds only when non-zero, e.g. `2026-11-23T10:00:00Z`.
 */
export function toUtcTimestamp(date: Date | number): string {
  const d = typeof date === 'number' ? new Date(date) : date;
  const year = d.getUTCFullYear();
  // Years outside 0-9999 need the extended form (+YYYYYY) that toISOString writes.
  if (year < 0 || year > 9999 || Number.isNaN(year)) {
    const iso = d.toISOString();
    return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  }
  const ms = d.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
  return `${String(year).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${fraction}Z`;
}

/** A time the caller gave (in the input field `field`) in the in-toto UTC form. */
export function utcTimestampArg(value: string, field: string): string {
  const date = parseRfc3339(value);
  if (date === undefined) {
    throw new VouchError('USAGE', `${JSON.stringify(value)} is not an RFC 3339 time`, {
      field,
      hint: 'e.g. 2026-11-23T10:00:00Z',
    });
  }
  return toUtcTimestamp(date);
}
