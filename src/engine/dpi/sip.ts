/**
 * SIP (RFC 3261) over UDP 5060: a status line "SIP/2.0 NNN " or a request line "METHOD sip:…|sips:…|tel:… SIP/2.0",
 * with a method RFC 3261 or its extensions define; the request URI must be on the first line.
 */
import { startsWithAscii } from './bytes.ts';

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
