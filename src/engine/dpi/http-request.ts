/**
 * HTTP/1.x request head inspection: the method and Host header of the first request on a connection. The caller
 * passes the client's contiguous stream prefix each time it grows, so a request line or headers split across
 * segments are handled; the head is abandoned past MAX_HEAD bytes.
 */
import { asciiText, indexOfLf, startsWithAscii } from './bytes.ts';

export const MAX_HEAD = 16 * 1024;
const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'];

/** The request method the payload starts with ("GET "...), or null. Only needs the first few bytes. */
export function httpMethodAt(buf: Uint8Array, off: number, len: number): string | null {
  const c = buf[off];
  // First-byte filter keeps rejection cheap for the common non-HTTP payload.
  if (len < 4 || !(c === 0x47 || c === 0x50 || c === 0x48 || c === 0x44 || c === 0x4f || c === 0x43 || c === 0x54)) return null;
  for (const m of METHODS) {
    if (len > m.length && startsWithAscii(buf, off, len, m) && buf[off + m.length] === 0x20) return m;
  }
  return null;
}

/** Bytes of the request line we scan when classifying (longer request targets are still accepted, unseen). */
const LINE_SCAN = 2048;

/**
 * True when buf[off, off+len) starts like an HTTP/1.x request: method token, one space, a request target made of
 * visible characters, and, if the line end is within reach, " HTTP/1.x" before it. A line not yet complete must
 * at least be free of control bytes so far.
 */
export function looksLikeHttpRequest(buf: Uint8Array, off: number, len: number): boolean {
  const m = httpMethodAt(buf, off, len);
  if (m === null) return false;
  const t = off + m.length + 1;
  const end = off + Math.min(len, LINE_SCAN);
  if (t >= end) return true; // only "GET " so far
  if (buf[t] <= 0x20 || buf[t] >= 0x7f) return false;
  for (let i = t + 1; i < end; i++) {
    const c = buf[i];
    if (c === 0x0a || c === 0x0d) {
      // The line ends: it must end in " HTTP/1.d".
      return i - t >= 10 && buf[i - 9] === 0x20 && startsWithAscii(buf, i - 8, 7, 'HTTP/1.') && buf[i - 1] >= 0x30 && buf[i - 1] <= 0x39;
    }
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** True when buf[off..] starts like an HTTP/1.x status line: "HTTP/1.d " and a three-digit status. */
export function looksLikeHttpResponse(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 12 || !startsWithAscii(buf, off, len, 'HTTP/1.')) return false;
  const d = (i: number) => buf[off + i] >= 0x30 && buf[off + i] <= 0x39;
  return d(7) && buf[off + 8] === 0x20 && d(9) && d(10) && d(11);
}

export interface HttpHead {
  status: 'more' | 'done' | 'invalid';
  method: string | null;
  host: string | null;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

/** Parses the request head at buf[off, off+len): request line, then headers until Host or the blank line. */
export function parseHttpRequestHead(buf: Uint8Array, off: number, len: number): HttpHead {
  const end = off + Math.min(len, MAX_HEAD);
  const method = httpMethodAt(buf, off, len);
  if (method === null) return { status: 'invalid', method: null, host: null };
  const lineEnd = indexOfLf(buf, off, end);
  if (lineEnd < 0) return { status: len >= MAX_HEAD ? 'invalid' : 'more', method, host: null };
  // The request line must end in an HTTP/1.x version.
  let v = lineEnd;
  if (v > off && buf[v - 1] === 0x0d) v--;
  if (v - off < 9 || !startsWithAscii(buf, v - 8, 8, 'HTTP/1.')) return { status: 'invalid', method, host: null };
  let p = lineEnd + 1;
  for (;;) {
    const lf = indexOfLf(buf, p, end);
    if (lf < 0) return { status: len >= MAX_HEAD ? 'done' : 'more', method, host: null };
    let e = lf;
    if (e > p && buf[e - 1] === 0x0d) e--;
    if (e === p) return { status: 'done', method, host: null }; // blank line: end of head, no Host
    if (e - p >= 5 && (buf[p] | 0x20) === 0x68 && (buf[p + 1] | 0x20) === 0x6f && (buf[p + 2] | 0x20) === 0x73 &&
      (buf[p + 3] | 0x20) === 0x74 && buf[p + 4] === 0x3a) {
      let s = p + 5;
      while (s < e && isSpace(buf[s])) s++;
      let t = e;
      while (t > s && isSpace(buf[t - 1])) t--;
      const host = t > s ? asciiText(buf, s, Math.min(t - s, 255)) : null;
      return { status: 'done', method, host };
    }
    p = lf + 1;
  }
}
