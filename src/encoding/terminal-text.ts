// Characters a terminal acts on rather than shows: C0 controls (newline, carriage return, ESC
// that starts ANSI sequences), DEL, C1 controls (0x9b is a one-byte CSI), and the Unicode format
// characters that reorder or hide text (bidi embeddings, overrides and isolates, the Arabic
// letter mark, zero-width characters, line and paragraph separators, the BOM).
const NAMED = new Map([
  [0x09, '\\t'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x1b, '\\e'],
]);

function unsafe(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2069) ||
    code === 0xfeff
  );
}

/**
 * Untrusted text made safe to print on one terminal line: every control or format character
 * becomes a visible escape (`\n`, `\e`, `\u202e`), so it can neither start a new line, move the
 * cursor, recolour or erase output, nor reorder what is shown. Applied to every line of text output
 * that can carry a field, name or message from a document, a file name or a scanner report
 * (JSON output needs none: it is escaped by JSON.stringify and read by programs).
 */
export function escapeTerminal(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!unsafe(code)) continue;
    out += text.slice(start, i);
    out += NAMED.get(code) ?? `\\u${code.toString(16).padStart(4, '0')}`;
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}
