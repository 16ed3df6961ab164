/**
 * FTP's data channel announcements on the control connection (port 21): the server's PASV (227) and EPSV (229)
 * replies, the client's PORT and EPRT commands (RFC 959, RFC 2428). Each names the port the data connection will
 * use; the engine links the next TCP flow to that port (and the side's address) to this control flow. A segment is
 * read on its own: these lines are short and sent alone.
 */
import { startsWithAscii } from './bytes.ts';

export const FTP_PORT = 21;
/** What ftpAnnouncement returns with the port: the data connection goes to the server (passive) or the client. */
export const FTP_PASSIVE = 0x10000;
export const FTP_ACTIVE = 0x20000;
const MAX_LINE = 128;

/** Parses n decimal numbers 0..255 separated by commas from d[p, end); the last two make the port. -1 if off shape. */
function commaPort(d: Uint8Array, p: number, end: number): number {
  let count = 0, value = -1, hi = 0;
  for (; p < end; p++) {
    const c = d[p];
    if (c >= 0x30 && c <= 0x39) {
      value = (value < 0 ? 0 : value * 10) + (c - 0x30);
      if (value > 255) return -1;
    } else if (c === 0x2c || c === 0x29 || c === 0x0d || c === 0x0a || c === 0x20) {
      if (value < 0) return c === 0x2c ? -1 : count === 6 ? hi : -1;
      count++;
      if (count === 5) hi = value * 256;
      if (count === 6) hi += value;
      value = -1;
      if (c !== 0x2c) return count === 6 ? hi : -1;
    } else {
      return -1;
    }
  }
  return -1;
}

/** The port of an EPSV reply or EPRT argument: `|af|addr|port|` (EPSV: `|||port|`) at d[p]. */
function delimitedPort(d: Uint8Array, p: number, end: number): number {
  const delim = d[p];
  if (delim < 0x21 || delim > 0x7e) return -1;
  let fields = 0;
  let port = -1;
  for (p++; p < end; p++) {
    const c = d[p];
    if (c === delim) {
      fields++;
      if (fields === 3) return port >= 1 && port <= 65535 ? port : -1;
      port = -1;
    } else if (fields === 2 && c >= 0x30 && c <= 0x39) {
      port = (port < 0 ? 0 : port * 10) + (c - 0x30);
      if (port > 65535) return -1;
    } else if (fields === 2) {
      return -1;
    }
  }
  return -1;
}

/**
 * The data port a control segment d[o, o+n) announces, with FTP_PASSIVE or FTP_ACTIVE added; 0 when none.
 * `fromServer`: the segment comes from port 21's side.
 */
export function ftpAnnouncement(d: Uint8Array, o: number, n: number, fromServer: boolean): number {
  if (n < 8) return 0;
  const end = o + Math.min(n, MAX_LINE);
  let port = -1;
  if (fromServer) {
    if (startsWithAscii(d, o, n, '227 ')) {
      // "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)": the numbers may follow any text.
      let p = o + 4;
      while (p < end && !(d[p] >= 0x30 && d[p] <= 0x39)) p++;
      port = commaPort(d, p, end);
    } else if (startsWithAscii(d, o, n, '229 ')) {
      let p = o + 4;
      while (p < end && d[p] !== 0x28) p++;
      port = p + 1 < end ? delimitedPort(d, p + 1, end) : -1;
    }
    return port > 0 ? port + FTP_PASSIVE : 0;
  }
  if (startsWithAscii(d, o, n, 'PORT ')) port = commaPort(d, o + 5, end);
  else if (startsWithAscii(d, o, n, 'EPRT ')) port = delimitedPort(d, o + 5, end);
  return port > 0 ? port + FTP_ACTIVE : 0;
}
