/**
 * NetBIOS Name Service (RFC 1002 §4.2, UDP 137): DNS's message layout with NetBIOS names in the question section.
 * A NetBIOS name is 16 bytes (15 name characters, space-padded, and a suffix byte telling the service) carried in
 * the "first-level encoding": each byte as two letters 'A'+high nibble, 'A'+low nibble, a 32-byte label, optionally
 * followed by scope labels. Names come out as tshark writes them, lower-cased: "workgroup<1d>", then ".scope";
 * bytes outside printable ASCII as "<xx>".
 */
import { scratchBytes, scratchText, u16 } from './bytes.ts';

/** Questions looked at per message (real ones ask one). */
const MAX_QUESTIONS = 4;
const MAX_NAME_OCTETS = 255;

/** Cheap header check: opcode a name-service one (query, registration, release, WACK, refresh), counts small. */
export function looksLikeNbns(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 12 + 34) return false;
  const flags = u16(buf, off + 2);
  const opcode = (flags >> 11) & 0xf;
  if (!(opcode === 0 || opcode === 5 || opcode === 6 || opcode === 7 || opcode === 8 || opcode === 9)) return false;
  const qd = u16(buf, off + 4);
  return qd <= MAX_QUESTIONS && u16(buf, off + 6) <= 4 && u16(buf, off + 8) <= 4 && u16(buf, off + 10) <= 4 && buf[off + 12] === 0x20;
}

let end = 0;

const HEX = '0123456789abcdef';

/** Writes "<xx>" for byte c at out[n]; returns the new length. */
function hexByte(out: Uint8Array, n: number, c: number): number {
  out[n] = 0x3c;
  out[n + 1] = HEX.charCodeAt(c >> 4);
  out[n + 2] = HEX.charCodeAt(c & 15);
  out[n + 3] = 0x3e;
  return n + 4;
}

/** Decodes the encoded NetBIOS name at pos (within buf[base, base+len)); null when not well formed. Sets nbnsNameEnd. */
export function readNetbiosName(buf: Uint8Array, base: number, len: number, pos: number): string | null {
  const stop = base + len;
  if (pos + 34 > stop || buf[pos] !== 0x20) return null;
  const out = scratchBytes();
  let n = 0;
  let last = -1;
  const chars: number[] = [];
  for (let i = 0; i < 16; i++) {
    const hi = buf[pos + 1 + 2 * i] - 0x41;
    const lo = buf[pos + 2 + 2 * i] - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return null;
    chars.push((hi << 4) | lo);
  }
  // The 15 name characters, trailing spaces dropped; the 16th is the suffix. "*" (0x2a then NULs) is the wildcard.
  for (let i = 0; i < 15; i++) if (chars[i] !== 0x20) last = i;
  if (chars[0] === 0x2a && chars.slice(1, 15).every((c) => c === 0)) last = 0;
  // Other bytes as "<xx>", as tshark writes them (the browse master's name is "\x01\x02__MSBROWSE__\x02").
  for (let i = 0; i <= last; i++) {
    const c = chars[i];
    if (c >= 0x20 && c <= 0x7e) out[n++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    else n = hexByte(out, n, c);
  }
  if (n === 0) return null;
  n = hexByte(out, n, chars[15]);
  // Scope labels (plain DNS-style labels, no compression in a question), then the root.
  let p = pos + 33;
  let octets = 34;
  for (;;) {
    if (p >= stop) return null;
    const l = buf[p];
    if (l === 0) { p++; break; }
    if (l > 63 || p + 1 + l > stop || (octets += l + 1) > MAX_NAME_OCTETS) return null;
    out[n++] = 0x2e;
    for (let i = p + 1; i <= p + l; i++) {
      const c = buf[i];
      if (c < 0x21 || c > 0x7e) return null;
      out[n++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    p += 1 + l;
  }
  end = p;
  return scratchText(n);
}

/** The offset just past the last name readNetbiosName decoded. */
export function nbnsNameEnd(): number {
  return end;
}

/**
 * The question names of an NBNS message in buf[off, off+len), into `names` (cleared first); false when the header or
 * a question is malformed. Registrations and releases carry the name in the question too.
 */
export function scanNbnsMessage(buf: Uint8Array, off: number, len: number, names: string[]): boolean {
  names.length = 0;
  if (!looksLikeNbns(buf, off, len)) return false;
  const qd = u16(buf, off + 4);
  let p = off + 12;
  for (let i = 0; i < qd; i++) {
    const name = readNetbiosName(buf, off, len, p);
    if (name === null || end + 4 > off + len) return false;
    const type = u16(buf, end);
    // NB (0x20) or NBSTAT (0x21), class IN.
    if ((type !== 0x20 && type !== 0x21) || u16(buf, end + 2) !== 1) return false;
    names.push(name);
    p = end + 4;
  }
  if (qd === 0) {
    // A response: the name is the answer's owner.
    if (u16(buf, off + 6) === 0) return false;
    const name = readNetbiosName(buf, off, len, p);
    if (name === null || end + 10 > off + len) return false;
    names.push(name);
  }
  return true;
}
