/**
 * SIP (RFC 3261) over UDP 5060: a status line "SIP/2.0 NNN " or a request line "METHOD sip:…|sips:…|tel:… SIP/2.0",
 * with a method RFC 3261 or its extensions define; the request URI must be on the first line.
 */
import { asciiText, startsWithAscii } from './bytes.ts';

export const SIP_PORT = 5060;

const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE'];

/** The literal at p, wholly before end. */
const at = (buf: Uint8Array, p: number, end: number, text: string): boolean => startsWithAscii(buf, p, end - p, text);

export function looksLikeSip(buf: Uint8Array, off: number, len: number): boolean {
  const end = off + Math.min(len, 512);
  if (at(buf, off, end, 'SIP/2.0 ')) {
    const p = off + 8;
    if (p + 4 > end) return false;
    for (let i = 0; i < 3; i++) if (buf[p + i] < 0x30 || buf[p + i] > 0x39) return false;
    return buf[p] >= 0x31 && buf[p] <= 0x36 && buf[p + 3] === 0x20;
  }
  let p = -1;
  for (const m of METHODS) {
    if (at(buf, off, end, m) && buf[off + m.length] === 0x20) { p = off + m.length + 1; break; }
  }
  if (p < 0 || !(at(buf, p, end, 'sip:') || at(buf, p, end, 'sips:') || at(buf, p, end, 'tel:'))) return false;
  while (p < end && buf[p] !== 0x20 && buf[p] !== 0x0d && buf[p] !== 0x0a) p++;
  return at(buf, p, end, ' SIP/2.0\r\n') || at(buf, p, end, ' SIP/2.0\n');
}

/** SIP messages (with their SDP bodies) this long at most are searched for a media announcement. */
const MAX_SDP_SCAN = 4096;

/** The value of the first line starting `prefix` (after a line break) in buf[off, end), as [start, end), or null. */
function lineAfter(buf: Uint8Array, off: number, end: number, prefix: string): [number, number] | null {
  for (let p = off; p < end; p++) {
    if (buf[p] !== 0x0a || !at(buf, p + 1, end, prefix)) continue;
    const s = p + 1 + prefix.length;
    let e = s;
    while (e < end && buf[e] !== 0x0d && buf[e] !== 0x0a) e++;
    return [s, e];
  }
  return null;
}

/**
 * The media an SDP body in a SIP message announces (RFC 4566): the IPv4 connection address (`c=IN IP4 a.b.c.d`) and
 * the first audio or video port (`m=audio PORT RTP/...`), as "address port"; null when the message has none.
 */
export function sdpMedia(buf: Uint8Array, off: number, len: number): string | null {
  const end = off + Math.min(len, MAX_SDP_SCAN);
  const c = lineAfter(buf, off, end, 'c=IN IP4 ');
  const m = lineAfter(buf, off, end, 'm=audio ') ?? lineAfter(buf, off, end, 'm=video ');
  if (c === null || m === null) return null;
  let port = 0;
  let p = m[0];
  for (; p < m[1] && buf[p] >= 0x30 && buf[p] <= 0x39; p++) port = port * 10 + buf[p] - 0x30;
  if (p === m[0] || p - m[0] > 5 || port < 1024 || port > 65535 || buf[p] !== 0x20 || !at(buf, p + 1, m[1], 'RTP/')) return null;
  // A dotted quad, nothing else (a multicast TTL suffix or a host name is not followed).
  let dots = 0, digits = 0, octet = 0;
  for (let q = c[0]; q < c[1]; q++) {
    const ch = buf[q];
    if (ch === 0x2e && digits > 0) { dots++; digits = 0; octet = 0; continue; }
    if (ch < 0x30 || ch > 0x39 || ++digits > 3 || (octet = octet * 10 + ch - 0x30) > 255) return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return `${asciiText(buf, c[0], c[1] - c[0])} ${port}`;
}
