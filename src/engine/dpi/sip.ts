/**
 * SIP (RFC 3261) over UDP 5060: a status line "SIP/2.0 NNN " or a request line "METHOD sip:…|sips:…|tel:… SIP/2.0",
 * with a method RFC 3261 or its extensions define; the request URI must be on the first line.
 */
export const SIP_PORT = 5060;

const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE'];

function startsWith(buf: Uint8Array, p: number, end: number, text: string): boolean {
  if (p + text.length > end) return false;
  for (let i = 0; i < text.length; i++) if (buf[p + i] !== text.charCodeAt(i)) return false;
  return true;
}

export function looksLikeSip(buf: Uint8Array, off: number, len: number): boolean {
  const end = off + Math.min(len, 512);
  if (startsWith(buf, off, end, 'SIP/2.0 ')) {
    const p = off + 8;
    if (p + 4 > end) return false;
    for (let i = 0; i < 3; i++) if (buf[p + i] < 0x30 || buf[p + i] > 0x39) return false;
    return buf[p] >= 0x31 && buf[p] <= 0x36 && buf[p + 3] === 0x20;
  }
  let p = -1;
  for (const m of METHODS) {
    if (startsWith(buf, off, end, m) && buf[off + m.length] === 0x20) { p = off + m.length + 1; break; }
  }
  if (p < 0 || !(startsWith(buf, p, end, 'sip:') || startsWith(buf, p, end, 'sips:') || startsWith(buf, p, end, 'tel:'))) return false;
  while (p < end && buf[p] !== 0x20 && buf[p] !== 0x0d && buf[p] !== 0x0a) p++;
  return startsWith(buf, p, end, ' SIP/2.0\r\n') || startsWith(buf, p, end, ' SIP/2.0\n');
}
