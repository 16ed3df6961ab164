/**
 * SSDP (UPnP device discovery, UDP 1900): HTTP-formatted datagrams. A search ("M-SEARCH * HTTP/1.1"), an
 * announcement ("NOTIFY * HTTP/1.1") or a search response ("HTTP/1.1 200 OK" unicast back to the searcher).
 */
import { startsWithAscii } from './bytes.ts';

export function looksLikeSsdp(buf: Uint8Array, off: number, len: number): boolean {
  const b0 = buf[off];
  if (b0 === 0x4d) return startsWithAscii(buf, off, len, 'M-SEARCH * HTTP/1.');
  if (b0 === 0x4e) return startsWithAscii(buf, off, len, 'NOTIFY * HTTP/1.');
  if (b0 === 0x48) return startsWithAscii(buf, off, len, 'HTTP/1.1 200 ');
  return false;
}
