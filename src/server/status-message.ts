/**
 * C0 and C1 controls, line and paragraph separators, and bidirectional marks and overrides:
 * characters that could rewrite what a person reads in `kubectl` output.
 */
function unsafe(cp: number): boolean {
  return (
    cp <= 0x1f ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x200e ||
    cp === 0x200f ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  );
}

/**
 * The UTF-16 units of the code points `unsafe` accepts: all lie in the BMP outside the surrogates,
 * so a unit matches exactly when the code point it begins is unsafe.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const UNSAFE_UNIT = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/**
 * Untrusted text (attestation fields quoted in reasons, image names) made safe and short for an
 * admission status message, warning or annotation: unsafe characters as `\u{..}`, cut at `max`.
 */
export function printable(text: string, max: number): string {
  // Most text (image names, the evaluator's messages) needs neither: returned as it is, without
  // the copy a character at a time that the decision log paid for on every admission (profile).
  return text.length <= max && !UNSAFE_UNIT.test(text) ? text : escapedAndCut(text, max);
}

/** printable's plain path, which the fast path must agree with (property-tested). */
export function escapedAndCut(text: string, max: number): string {
  let safe = '';
  for (const c of text) {
    const cp = c.codePointAt(0) ?? 0;
    safe += unsafe(cp) ? `\\u{${cp.toString(16)}}` : c;
    if (safe.length > max) break;
  }
  return safe.length <= max ? safe : `${safe.slice(0, max - 1)}…`;
}
