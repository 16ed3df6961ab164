/**
 * What a client sends before the bytes DPI knows how to read: a STARTTLS exchange (SMTP, IMAP, POP3, FTP AUTH TLS,
 * XMPP, LDAP's StartTLS extended operation, PostgreSQL's SSLRequest), RDP's X.224 Connection Request, a PROXY
 * protocol v1/v2 header, a SOCKS4/4a/5 request or an HTTP CONNECT. The scanner reads the client's stream from its
 * start and says where the preamble ends (the caller then reads TLS or HTTP from there) and, for proxies, the target
 * host. Everything is bounded by MAX_PREAMBLE bytes, and anything off the expected shape is 'invalid' (no label).
 */
import { startsWithAscii, u16, u32 } from './bytes.ts';

export const PRE_NONE = 0, PRE_SMTP = 1, PRE_IMAP = 2, PRE_POP3 = 3, PRE_FTP = 4, PRE_XMPP = 5, PRE_LDAP = 6, PRE_PG = 7,
  PRE_RDP = 8, PRE_PROXY = 9, PRE_SOCKS4 = 10, PRE_SOCKS5 = 11, PRE_CONNECT = 12;

/** Client bytes scanned for the end of a preamble before giving up. */
export const MAX_PREAMBLE = 4096;
const MAX_LINE = 1024;

/** The text protocols whose client waits for the server's greeting, by their server port. */
export function starttlsKindForPort(port: number): number {
  switch (port) {
    case 25: case 587: return PRE_SMTP;
    case 143: return PRE_IMAP;
    case 110: return PRE_POP3;
    case 21: return PRE_FTP;
    case 5222: return PRE_XMPP;
    default: return PRE_NONE;
  }
}

/** A server's first bytes that greet a STARTTLS-capable text client of `kind`. */
export function looksLikeGreeting(kind: number, d: Uint8Array, o: number, n: number): boolean {
  switch (kind) {
    case PRE_SMTP: case PRE_FTP: return startsWithAscii(d, o, n, '220');
    case PRE_POP3: return startsWithAscii(d, o, n, '+OK');
    case PRE_IMAP: return startsWithAscii(d, o, n, '* OK') || startsWithAscii(d, o, n, '* PREAUTH');
    case PRE_XMPP: return startsWithAscii(d, o, n, '<?xml') || startsWithAscii(d, o, n, '<stream:stream');
    default: return false;
  }
}

const PG_SSL_REQUEST = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
const SOCKS5_METHODS_MAX = 16;

/**
 * The preamble a client's first bytes (d[o, o+n)) begin, given the port the client talks to: PRE_* when they match
 * one, PRE_NONE when they match none, -1 when too few bytes to tell.
 */
export function clientPreambleKind(serverPort: number, d: Uint8Array, o: number, n: number): number {
  if (n === 0) return -1;
  const b0 = d[o];
  const text = starttlsKindForPort(serverPort);
  if (text !== PRE_NONE && b0 >= 0x20 && b0 < 0x7f) return text;
  if (b0 === 0 && n < 8) return -1;
  if (b0 === 0 && n >= 8) {
    for (let i = 0; i < 8; i++) if (d[o + i] !== PG_SSL_REQUEST[i]) return PRE_NONE;
    return PRE_PG;
  }
  if (b0 === 0x30 && serverPort === 389) return PRE_LDAP;
  if (b0 === 0x03) {
    if (n < 6) return -1;
    return d[o + 1] === 0 && (d[o + 5] & 0xf0) === 0xe0 ? PRE_RDP : PRE_NONE;
  }
  if (b0 === 0x50 || b0 === 0x0d) {
    if (n < 6) return -1;
    if (startsWithAscii(d, o, n, 'PROXY ')) return PRE_PROXY;
    return n >= 12 && u32(d, o) === 0x0d0a0d0a && u32(d, o + 4) === 0x000d0a51 && u32(d, o + 8) === 0x5549540a ? PRE_PROXY : n < 12 ? -1 : PRE_NONE;
  }
  if (b0 === 0x04) return n < 2 ? -1 : d[o + 1] === 1 ? PRE_SOCKS4 : PRE_NONE;
  if (b0 === 0x05) return n < 2 ? -1 : d[o + 1] >= 1 && d[o + 1] <= SOCKS5_METHODS_MAX ? PRE_SOCKS5 : PRE_NONE;
  if (b0 === 0x43) {
    if (n < 8) return -1;
    return startsWithAscii(d, o, n, 'CONNECT ') ? PRE_CONNECT : PRE_NONE;
  }
  return PRE_NONE;
}

export const SCAN_MORE = 0, SCAN_END = 1, SCAN_INVALID = 2;

/** Result of scanPreamble (one scratch object: scanning is synchronous). */
export interface PreambleScan {
  status: number;
  /** SCAN_END: offset (from the stream start) where the preamble's bytes end. */
  end: number;
  /** The host a proxy request names (SOCKS, CONNECT), lower-cased; null otherwise. */
  target: string | null;
}
const scan: PreambleScan = { status: SCAN_MORE, end: 0, target: null };

function result(status: number, end = 0, target: string | null = null): PreambleScan {
  scan.status = status;
  scan.end = end;
  scan.target = target;
  return scan;
}

/** Scans the client stream d[o, o+n) (its first bytes) for the end of a preamble of `kind`. */
export function scanPreamble(kind: number, d: Uint8Array, o: number, n: number): PreambleScan {
  if (n <= 0) return result(SCAN_MORE);
  const r = scanKind(kind, d, o, n);
  if (r.status === SCAN_MORE && n >= MAX_PREAMBLE) return result(SCAN_INVALID);
  return r;
}

function scanKind(kind: number, d: Uint8Array, o: number, n: number): PreambleScan {
  switch (kind) {
    case PRE_SMTP: case PRE_IMAP: case PRE_POP3: case PRE_FTP: return scanStarttlsLines(kind, d, o, n);
    case PRE_XMPP: return scanXmpp(d, o, n);
    case PRE_PG: return scanPg(d, o, n);
    case PRE_LDAP: return scanLdap(d, o, n);
    case PRE_RDP: return scanRdp(d, o, n);
    case PRE_PROXY: return scanProxy(d, o, n);
    case PRE_SOCKS4: return scanSocks4(d, o, n);
    case PRE_SOCKS5: return scanSocks5(d, o, n);
    case PRE_CONNECT: return scanConnect(d, o, n);
    default: return result(SCAN_INVALID);
  }
}

function scanPg(d: Uint8Array, o: number, n: number): PreambleScan {
  for (let i = 0; i < 8; i++) {
    if (i >= n) return result(SCAN_MORE);
    if (d[o + i] !== PG_SSL_REQUEST[i]) return result(SCAN_INVALID);
  }
  return result(SCAN_END, 8);
}

/** Case-insensitive: the line d[s, e) (without CRLF) equals `word` or starts with `word` + space. */
function lineIs(d: Uint8Array, s: number, e: number, word: string, prefixOk = false): boolean {
  const len = e - s;
  if (len < word.length || (!prefixOk && len !== word.length) || (prefixOk && len > word.length && d[s + word.length] !== 0x20)) return false;
  for (let i = 0; i < word.length; i++) if ((d[s + i] | 0x20) !== (word.charCodeAt(i) | 0x20)) return false;
  return true;
}

function isStarttlsCommand(kind: number, d: Uint8Array, s: number, e: number): boolean {
  switch (kind) {
    case PRE_SMTP: return lineIs(d, s, e, 'STARTTLS');
    case PRE_POP3: return lineIs(d, s, e, 'STLS');
    case PRE_FTP: return lineIs(d, s, e, 'AUTH TLS') || lineIs(d, s, e, 'AUTH SSL') || lineIs(d, s, e, 'AUTH TLS-C');
    case PRE_IMAP: {
      // "<tag> STARTTLS": a tag of printable non-space characters.
      let p = s;
      while (p < e && d[p] !== 0x20) p++;
      return p > s && lineIs(d, p + 1, e, 'STARTTLS');
    }
    default: return false;
  }
}

/** Command lines of printable ASCII; TLS starts right after a STARTTLS command line (the server said go ahead). */
function scanStarttlsLines(kind: number, d: Uint8Array, o: number, n: number): PreambleScan {
  let p = o;
  const end = o + n;
  while (p < end) {
    let lf = -1;
    for (let i = p; i < end && i < p + MAX_LINE; i++) {
      const c = d[i];
      if (c === 0x0a) { lf = i; break; }
      if ((c < 0x20 || c > 0x7e) && c !== 0x0d && c !== 0x09) return result(SCAN_INVALID);
    }
    if (lf < 0) return result(end - p >= MAX_LINE ? SCAN_INVALID : SCAN_MORE);
    const lineEnd = lf > p && d[lf - 1] === 0x0d ? lf - 1 : lf;
    const lineStart = p;
    p = lf + 1;
    if (isStarttlsCommand(kind, d, lineStart, lineEnd)) {
      if (p === end) return result(SCAN_MORE);
      if (d[p] === 0x16) return result(SCAN_END, p - o);
      // Refused (the client carries on in clear text): keep reading its lines.
    }
  }
  return result(SCAN_MORE);
}

/** XMPP: TLS starts right after the client's <starttls .../> (or <starttls ...></starttls>). */
function scanXmpp(d: Uint8Array, o: number, n: number): PreambleScan {
  const end = o + n;
  for (let i = o; i + 9 <= end; i++) {
    if (d[i] !== 0x3c || !startsWithAscii(d, i, end - i, '<starttls')) continue;
    const c = d[i + 9];
    if (i + 9 < end && c !== 0x20 && c !== 0x2f && c !== 0x3e) continue;
    for (let j = i + 9; j < end; j++) {
      if (d[j] === 0x2f && j + 1 < end && d[j + 1] === 0x3e) return afterXml(d, o, j + 2, end);
      if (d[j] === 0x3e) {
        // Opened: the element closes with </starttls>.
        for (let k = j + 1; k + 11 <= end; k++) if (d[k] === 0x3c && startsWithAscii(d, k, end - k, '</starttls>')) return afterXml(d, o, k + 11, end);
        return result(SCAN_MORE);
      }
    }
    return result(SCAN_MORE);
  }
  return result(SCAN_MORE);
}

function afterXml(d: Uint8Array, o: number, p: number, end: number): PreambleScan {
  while (p < end && (d[p] === 0x20 || d[p] === 0x0a || d[p] === 0x0d || d[p] === 0x09)) p++;
  if (p === end) return result(SCAN_MORE);
  return d[p] === 0x16 ? result(SCAN_END, p - o) : result(SCAN_INVALID);
}

/** A BER length at p: sets berEnd to the first content byte; -1 if it does not fit or is over 4 octets. */
let berEnd = 0;
function berLength(d: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const b = d[p];
  if (b < 0x80) { berEnd = p + 1; return b; }
  const k = b & 0x7f;
  if (k === 0 || k > 3 || p + 1 + k > end) return -1;
  let v = 0;
  for (let i = 1; i <= k; i++) v = v * 256 + d[p + i];
  berEnd = p + 1 + k;
  return v;
}

const LDAP_STARTTLS_OID = '1.3.6.1.4.1.1466.20037';

/** LDAP: the first message is an ExtendedRequest whose name is the StartTLS OID (RFC 4511 §4.14.1). */
function scanLdap(d: Uint8Array, o: number, n: number): PreambleScan {
  const end = o + n;
  if (d[o] !== 0x30) return result(SCAN_INVALID);
  const msgLen = berLength(d, o + 1, end);
  if (msgLen < 0) return result(n < 6 ? SCAN_MORE : SCAN_INVALID);
  const msgEnd = berEnd + msgLen;
  if (msgLen > 256) return result(SCAN_INVALID);
  if (msgEnd > end) return result(SCAN_MORE);
  let p = berEnd;
  if (p >= msgEnd || d[p] !== 0x02) return result(SCAN_INVALID); // messageID INTEGER
  const idLen = berLength(d, p + 1, msgEnd);
  if (idLen < 1 || idLen > 4) return result(SCAN_INVALID);
  p = berEnd + idLen;
  if (p >= msgEnd || d[p] !== 0x77) return result(SCAN_INVALID); // [APPLICATION 23] ExtendedRequest
  const reqLen = berLength(d, p + 1, msgEnd);
  if (reqLen < 0 || berEnd + reqLen > msgEnd) return result(SCAN_INVALID);
  p = berEnd;
  if (p >= msgEnd || d[p] !== 0x80) return result(SCAN_INVALID); // requestName [0]
  const oidLen = berLength(d, p + 1, msgEnd);
  if (oidLen !== LDAP_STARTTLS_OID.length || berEnd + oidLen > msgEnd || !startsWithAscii(d, berEnd, oidLen, LDAP_STARTTLS_OID)) return result(SCAN_INVALID);
  return result(SCAN_END, msgEnd - o);
}

/** RDP: a TPKT (RFC 1006) holding an X.224 Connection Request; TLS follows it. */
function scanRdp(d: Uint8Array, o: number, n: number): PreambleScan {
  if (n < 7) return result(SCAN_MORE);
  if (d[o] !== 0x03 || d[o + 1] !== 0) return result(SCAN_INVALID);
  const len = u16(d, o + 2);
  const li = d[o + 4];
  if (len < 11 || len > 1024 || li + 5 !== len || d[o + 5] !== 0xe0) return result(SCAN_INVALID);
  return len > n ? result(SCAN_MORE) : result(SCAN_END, len);
}

const RDP_COOKIE = 'Cookie: mstshash=';
const RDP_TOKEN = 'Cookie: msts=';

/**
 * A Connection Request (d[o, o+len), as scanRdp ended it) that is RDP's own, not another ISO transport's (S7, ...):
 * it carries the "Cookie: mstshash=" or routing token line, or ends in an RDP Negotiation Request (type 1, length 8).
 */
export function isRdpConnectionRequest(d: Uint8Array, o: number, len: number): boolean {
  const body = o + 11;
  if (len < 11) return false;
  if (startsWithAscii(d, body, len - 11, RDP_COOKIE) || startsWithAscii(d, body, len - 11, RDP_TOKEN)) return true;
  const neg = o + len - 8;
  return neg >= body && d[neg] === 0x01 && d[neg + 2] === 0x08 && d[neg + 3] === 0x00 && (neg === body || (d[neg - 2] === 0x0d && d[neg - 1] === 0x0a));
}

/** PROXY protocol: v1 is one text line of at most 107 bytes; v2 a 16-byte header and its address block. */
function scanProxy(d: Uint8Array, o: number, n: number): PreambleScan {
  if (d[o] === 0x50) {
    if (n < 6) return result(SCAN_MORE);
    if (!startsWithAscii(d, o, n, 'PROXY ')) return result(SCAN_INVALID);
    for (let i = o + 6; i < o + n && i < o + 107; i++) {
      const c = d[i];
      if (c === 0x0a) return i > o && d[i - 1] === 0x0d ? result(SCAN_END, i + 1 - o) : result(SCAN_INVALID);
      if ((c < 0x20 || c > 0x7e) && c !== 0x0d) return result(SCAN_INVALID);
    }
    return result(n >= 107 ? SCAN_INVALID : SCAN_MORE);
  }
  if (n < 16) return result(SCAN_MORE);
  if (u32(d, o) !== 0x0d0a0d0a || u32(d, o + 4) !== 0x000d0a51 || u32(d, o + 8) !== 0x5549540a) return result(SCAN_INVALID);
  const verCmd = d[o + 12];
  if ((verCmd & 0xf0) !== 0x20 || (verCmd & 0x0f) > 1) return result(SCAN_INVALID);
  const total = 16 + u16(d, o + 14);
  if (total > 16 + 1024) return result(SCAN_INVALID);
  return total > n ? result(SCAN_MORE) : result(SCAN_END, total);
}

/** Host name characters (letters, digits, '-', '.', '_'), lower-cased into a string; null if any other. */
function hostText(d: Uint8Array, s: number, e: number): string | null {
  if (e <= s || e - s > 255) return null;
  let out = '';
  for (let i = s; i < e; i++) {
    const c = d[i];
    const lower = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (!((lower >= 0x61 && lower <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f)) return null;
    out += String.fromCharCode(lower);
  }
  return out;
}

function ipv4Text(d: Uint8Array, p: number): string {
  return `${d[p]}.${d[p + 1]}.${d[p + 2]}.${d[p + 3]}`;
}

function ipv6Text(d: Uint8Array, p: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(d, p + 2 * i).toString(16));
  // RFC 5952: the longest run (of two or more) of zero groups becomes "::".
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Index of the first 0 byte in d[p, end) within `max` bytes, else -1 (-2 when more bytes may still bring it). */
function nulAt(d: Uint8Array, p: number, end: number, max: number): number {
  for (let i = p; i < end && i < p + max; i++) if (d[i] === 0) return i;
  return end - p >= max ? -1 : -2;
}

/** SOCKS4 CONNECT: VN 4, CD 1, port, IPv4, user id NUL; SOCKS4a puts 0.0.0.x (x ≠ 0) and a host name NUL after. */
function scanSocks4(d: Uint8Array, o: number, n: number): PreambleScan {
  const end = o + n;
  if (n < 9) return result(SCAN_MORE);
  if (d[o] !== 0x04 || d[o + 1] !== 0x01) return result(SCAN_INVALID);
  const user = nulAt(d, o + 8, end, 256);
  if (user === -1) return result(SCAN_INVALID);
  if (user === -2) return result(SCAN_MORE);
  const is4a = d[o + 4] === 0 && d[o + 5] === 0 && d[o + 6] === 0 && d[o + 7] !== 0;
  if (!is4a) return result(SCAN_END, user + 1 - o, ipv4Text(d, o + 4));
  const hostEnd = nulAt(d, user + 1, end, 256);
  if (hostEnd === -1) return result(SCAN_INVALID);
  if (hostEnd === -2) return result(SCAN_MORE);
  const host = hostText(d, user + 1, hostEnd);
  return host === null ? result(SCAN_INVALID) : result(SCAN_END, hostEnd + 1 - o, host);
}

/**
 * SOCKS5 (RFC 1928): the method greeting, an optional username/password exchange (RFC 1929), then the CONNECT
 * request with an IPv4 address, a domain name or an IPv6 address.
 */
function scanSocks5(d: Uint8Array, o: number, n: number): PreambleScan {
  const end = o + n;
  if (n < 2) return result(SCAN_MORE);
  const nm = d[o + 1];
  if (d[o] !== 0x05 || nm < 1 || nm > SOCKS5_METHODS_MAX) return result(SCAN_INVALID);
  let p = o + 2 + nm;
  if (p > end) return result(SCAN_MORE);
  let userPass = false;
  for (let i = o + 2; i < p; i++) {
    const m = d[i];
    if (m === 0x02) userPass = true;
    else if (m > 0x09 && m < 0x80 || m === 0xff) return result(SCAN_INVALID);
  }
  if (p === end) return result(SCAN_MORE);
  if (d[p] === 0x01 && userPass) {
    // Username/password sub-negotiation: VER 1, ULEN, UNAME, PLEN, PASSWD.
    if (p + 2 > end) return result(SCAN_MORE);
    const plenAt = p + 2 + d[p + 1];
    if (plenAt >= end) return result(SCAN_MORE);
    p = plenAt + 1 + d[plenAt];
    if (p >= end) return result(SCAN_MORE);
  }
  if (p + 5 > end) return result(SCAN_MORE);
  if (d[p] !== 0x05 || d[p + 1] !== 0x01 || d[p + 2] !== 0x00) return result(SCAN_INVALID);
  const atyp = d[p + 3];
  if (atyp === 0x01) return p + 10 > end ? result(SCAN_MORE) : result(SCAN_END, p + 10 - o, ipv4Text(d, p + 4));
  if (atyp === 0x04) return p + 22 > end ? result(SCAN_MORE) : result(SCAN_END, p + 22 - o, ipv6Text(d, p + 4));
  if (atyp !== 0x03) return result(SCAN_INVALID);
  const len = d[p + 4];
  if (p + 5 + len + 2 > end) return result(SCAN_MORE);
  const host = hostText(d, p + 5, p + 5 + len);
  return host === null ? result(SCAN_INVALID) : result(SCAN_END, p + 7 + len - o, host);
}

/** HTTP CONNECT: the request line's authority (host:port, [v6]:port) names the target; the head ends at CRLFCRLF. */
function scanConnect(d: Uint8Array, o: number, n: number): PreambleScan {
  const end = o + n;
  if (n < 8) return result(SCAN_MORE);
  if (!startsWithAscii(d, o, n, 'CONNECT ')) return result(SCAN_INVALID);
  let sp = -1;
  for (let i = o + 8; i < end && i < o + 8 + 300; i++) if (d[i] === 0x20) { sp = i; break; }
  if (sp < 0) return result(n >= 308 ? SCAN_INVALID : SCAN_MORE);
  let hostS = o + 8, hostE = sp;
  if (d[hostS] === 0x5b) {
    hostS++;
    while (hostE > hostS && d[hostE - 1] !== 0x5d) hostE--;
    if (hostE <= hostS) return result(SCAN_INVALID);
    hostE--;
    for (let i = hostS; i < hostE; i++) {
      const c = d[i] | 0x20;
      if (!((c >= 0x30 && c <= 0x3a) || (c >= 0x61 && c <= 0x66) || c === 0x2e)) return result(SCAN_INVALID);
    }
  } else {
    while (hostE > hostS && d[hostE - 1] !== 0x3a) hostE--;
    if (hostE <= hostS) return result(SCAN_INVALID);
    hostE--;
  }
  let host = '';
  if (d[o + 8] === 0x5b) for (let i = hostS; i < hostE; i++) host += String.fromCharCode(d[i] | 0x20);
  else {
    const h = hostText(d, hostS, hostE);
    if (h === null) return result(SCAN_INVALID);
    host = h;
  }
  if (!startsWithAscii(d, sp + 1, end - sp - 1, 'HTTP/1.')) return result(end - sp - 1 < 8 ? SCAN_MORE : SCAN_INVALID);
  for (let i = sp + 1; i + 3 < end; i++) {
    if (d[i] === 0x0d && d[i + 1] === 0x0a && d[i + 2] === 0x0d && d[i + 3] === 0x0a) return result(SCAN_END, i + 4 - o, host);
  }
  return result(SCAN_MORE);
}
