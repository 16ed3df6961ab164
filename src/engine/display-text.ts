/**
 * Text a local process chooses for itself — its name (comm, argv[0]), the path of its executable — made safe to
 * show beside other text. Control characters (C0, DEL, C1, line and paragraph separators) and invisible format
 * characters (the bidi embeddings, overrides, isolates and marks U+202A–202E, U+2066–2069, U+200E/200F, U+061C;
 * zero-width spaces and joiners; U+FEFF; tag characters) are each replaced by U+FFFD, so a process can neither
 * reorder what is shown around its name (a path that reads backwards, a PID that seems to belong to another row) nor
 * hide characters to pass for another program; the replacement shows that something was there. The renderer also
 * isolates these texts' direction (<bdi>), which keeps right-to-left names readable without letting them move
 * their neighbours.
 */

/** Cc: controls; Cf: format characters (every bidi control, zero-width and tag character); Zl/Zp: separators. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

export const REPLACEMENT = '\uFFFD';

/** `text` with every unsafe character replaced, at most `maxChars` characters (code points) long. */
export function displayText(text: string, maxChars = 4096): string {
  const safe = text.replace(UNSAFE, REPLACEMENT);
  if (safe.length <= maxChars) return safe;
  return Array.from(safe).slice(0, maxChars).join('');
}

/** displayText for a value that may be absent; an empty result is absent too. */
export function displayTextOrNull(text: string | null, maxChars?: number): string | null {
  if (text === null) return null;
  const safe = displayText(text, maxChars);
  return safe === '' ? null : safe;
}
