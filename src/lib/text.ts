/**
 * The one sanitiser for text that reaches a terminal. Servers hand authctl strings (error
 * descriptions, user names, URLs, claims) that could carry terminal control sequences: an OSC
 * that retitles the window or plants a hyperlink, a CSI that clears the screen, the single-byte
 * C1 CSI (U+009B) many terminals honour, bidi overrides that reorder what the reader sees
 * (CVE-2021-42574, "Trojan Source"), or CR / U+2028 that fake a line. Leaf module: imports nothing.
 */

/**
 * Characters never written to a terminal: C0 controls except TAB and LF, DEL, C1 controls,
 * bidi embeddings/overrides/isolates (U+202A–U+202E, U+2066–U+2069), and the Unicode line and
 * paragraph separators (U+2028, U+2029).
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** The same set plus TAB and LF: what a one-line server string may not contain. */
const UNSAFE_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]+/g;

/** An SGR (colour/bold) sequence: the only escape sequence authctl writes itself. */
const SGR = /(\u001b\[[0-9;]*m)/;

/**
 * Make text safe for a terminal at the output boundary (every write to stdout or stderr).
 * Newlines and tabs stay; with `keepColour`, SGR colour sequences (authctl's own styling) stay
 * too — they can neither move the cursor nor change anything beyond colour. Everything else in
 * the unsafe set is removed, including the ESC of any other escape sequence.
 */
export function terminalSafe(text: string, keepColour = false): string {
  if (!keepColour) return text.replace(UNSAFE, '');
  return text
    .split(SGR)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(UNSAFE, '')))
    .join('');
}

/**
 * A server-given value as one printable line: HTML tags dropped (error pages), every control or
 * line-breaking character turned into a space, runs of white space folded, at most `max`
 * characters. Non-strings are shown as JSON (`String()` can throw on `{"toString": …}`).
 */
export function serverText(value: unknown, max = 200): string {
  const s =
    typeof value === 'string'
      ? value
      : value === undefined || value === null
        ? ''
        : (JSON.stringify(value) ?? '');
  const flat = s
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(UNSAFE_OR_BREAK, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** True when `value` has nothing `terminalSafe` would remove (for validating saved fields). */
export function isTerminalSafe(value: string): boolean {
  return !new RegExp(UNSAFE.source).test(value);
}
