/**
 * SSH identification strings (RFC 4253 §4.2): "SSH-protoversion-softwareversion SP comments CR LF", at most 255
 * bytes. A server may send other lines before its identification; up to MAX_PRE_LINES of them are skipped.
 */
import { asciiText, indexOfLf, startsWithAscii } from './bytes.ts';

export const MAX_BANNER = 255;
const MAX_PRE_LINES = 8;
export const SSH_SCAN_LIMIT = MAX_BANNER * (MAX_PRE_LINES + 1);

/** "SSH-" and the first digit of the protocol version ("2.0", "1.99"); fewer bytes is "not yet". */
export function looksLikeSsh(buf: Uint8Array, off: number, len: number): boolean {
  return len >= 5 && startsWithAscii(buf, off, len, 'SSH-') && buf[off + 4] >= 0x30 && buf[off + 4] <= 0x39;
}

export interface SshBanner {
  status: 'more' | 'done' | 'invalid';
  banner: string | null;
}

/** Finds the identification line in the stream prefix buf[off, off+len). */
export function parseSshBanner(buf: Uint8Array, off: number, len: number): SshBanner {
  const end = off + Math.min(len, SSH_SCAN_LIMIT);
  let p = off;
  for (let line = 0; line <= MAX_PRE_LINES; line++) {
    const lf = indexOfLf(buf, p, Math.min(end, p + MAX_BANNER + 1));
    const isId = startsWithAscii(buf, p, end - p, 'SSH-');
    if (lf < 0) {
      // No line end yet: wait unless the line is already too long to be an identification string.
      const tooLong = end - p > MAX_BANNER || len >= SSH_SCAN_LIMIT;
      return { status: tooLong ? 'invalid' : 'more', banner: null };
    }
    if (isId) {
      let e = lf;
      if (e > p && buf[e - 1] === 0x0d) e--;
      return { status: 'done', banner: asciiText(buf, p, e - p) };
    }
    p = lf + 1;
  }
  return { status: 'invalid', banner: null };
}
