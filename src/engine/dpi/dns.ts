/**
 * DNS message parsing (RFC 1035) for DPI: question names, A/AAAA/CNAME answers and the rcode. Names are decoded with
 * compression pointers followed at most MAX_POINTER_HOPS times and never past 255 octets, so pointer loops and
 * hostile lengths end in `null`, never in a hang. Over TCP, messages carry a 2-byte length prefix (RFC 7766); the
 * caller reassembles them with a StreamPrefix and hands complete messages here.
 */
import { formatIPv4, formatIPv6 } from './ip-text.ts';
import { scratchBytes, scratchText, u16 } from './bytes.ts';

const MAX_POINTER_HOPS = 16;
const MAX_NAME_OCTETS = 255;
/** Records examined per message section: a hostile count cannot make us loop long. */
const MAX_RECORDS = 64;

export const DNS_TYPE_A = 1;
export const DNS_TYPE_CNAME = 5;
export const DNS_TYPE_AAAA = 28;

export interface DnsAnswer {
  /** Owner name, as it appears. */
  name: string;
  type: number;
  /** Address text for A/AAAA, target name for CNAME. */
  data: string;
}

export interface DnsMessage {
  id: number;
  isResponse: boolean;
  opcode: number;
  rcode: number;
  questions: { name: string; type: number }[];
  answers: DnsAnswer[];
  complete: boolean;
}

/** Result of readName: the offset just past the name in the original (uncompressed) position. */
let nameEnd = 0;

/**
 * Decodes the name at `pos` of the message msg[base, base+len), lower-cased (names compare case-insensitively).
 * Returns null when malformed. Sets `nameEnd`. The root name is returned as ".". The text is assembled in a scratch
 * buffer and decoded once, so a name costs one flat string.
 */
export function readName(buf: Uint8Array, base: number, len: number, pos: number): string | null {
  const end = base + len;
  const out = scratchBytes();
  let n = 0;
  let p = pos;
  let hops = 0;
  let octets = 0;
  let after = -1;
  for (;;) {
    if (p >= end) return null;
    const b = buf[p];
    if (b === 0) {
      if (after < 0) after = p + 1;
      break;
    }
    const kind = b & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= end || ++hops > MAX_POINTER_HOPS) return null;
      if (after < 0) after = p + 2;
      p = base + (((b & 0x3f) << 8) | buf[p + 1]);
      continue;
    }
    if (kind !== 0) return null; // 0x40/0x80 label types are obsolete or unassigned
    octets += b + 1;
    if (octets > MAX_NAME_OCTETS || p + 1 + b > end) return null;
    // At most 255 octets, each at most 4 output bytes ("\ddd"): always fits the 1024-byte scratch.
    if (n > 0) out[n++] = 0x2e;
    for (let i = p + 1; i <= p + b; i++) {
      const c = buf[i];
      if (c >= 0x41 && c <= 0x5a) out[n++] = c | 0x20;
      else if (c === 0x2e || c === 0x5c) { out[n++] = 0x5c; out[n++] = c; }
      else if (c > 0x20 && c < 0x7f) out[n++] = c;
      else { out[n++] = 0x5c; out[n++] = 0x30 + ((c / 100) | 0); out[n++] = 0x30 + (((c / 10) | 0) % 10); out[n++] = 0x30 + (c % 10); }
    }
    p += 1 + b;
  }
  nameEnd = after;
  return n > 0 ? scratchText(n) : '.';
}

/** Like readName without building the text: true when the name at pos is well formed. Sets `nameEnd`. */
function skipName(buf: Uint8Array, base: number, len: number, pos: number): boolean {
  const end = base + len;
  let p = pos;
  let hops = 0;
  let octets = 0;
  let after = -1;
  for (;;) {
    if (p >= end) return false;
    const b = buf[p];
    if (b === 0) {
      if (after < 0) after = p + 1;
      break;
    }
    const kind = b & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= end || ++hops > MAX_POINTER_HOPS) return false;
      if (after < 0) after = p + 2;
      p = base + (((b & 0x3f) << 8) | buf[p + 1]);
      continue;
    }
    if (kind !== 0) return false;
    octets += b + 1;
    if (octets > MAX_NAME_OCTETS || p + 1 + b > end) return false;
    p += 1 + b;
  }
  nameEnd = after;
  return true;
}

// Names decoded in the current message, by position: a compression pointer to one of them (an answer's owner
// pointing at the question, an A record's owner at the CNAME target) reuses its string instead of decoding again.
const MAX_SEEN = 8;
const seenPos = new Int32Array(MAX_SEEN);
const seenName: string[] = [];
let seenCount = 0;

/** readName for parseDnsMessage: pointer targets already decoded in this message are not decoded twice. */
function nameAt(buf: Uint8Array, base: number, len: number, pos: number): string | null {
  if ((buf[pos] & 0xc0) === 0xc0 && pos + 1 < base + len) {
    const target = base + (((buf[pos] & 0x3f) << 8) | buf[pos + 1]);
    for (let i = 0; i < seenCount; i++) {
      if (seenPos[i] === target) {
        nameEnd = pos + 2;
        return seenName[i];
      }
    }
  }
  const name = readName(buf, base, len, pos);
  if (name !== null && seenCount < MAX_SEEN) {
    seenPos[seenCount] = pos;
    seenName[seenCount++] = name;
  }
  return name;
}

/**
 * One DNS message's facts in reusable storage, for the per-packet path: scanning a message allocates only its strings.
 * Entries [0, questionCount) / [0, answerCount) are valid until the next scan.
 */
export class DnsScan {
  id = 0;
  isResponse = false;
  opcode = 0;
  rcode = 0;
  complete = false;
  questionCount = 0;
  readonly questionNames: string[] = [];
  readonly questionTypes: number[] = [];
  answerCount = 0;
  readonly answerNames: string[] = [];
  readonly answerTypes: number[] = [];
  readonly answerData: string[] = [];
  /** A query's known-answer owner names (mDNS, RFC 6762 §7.1), when scanned with knownAnswers. */
  knownCount = 0;
  readonly knownNames: string[] = [];

  /**
   * The name the client asked that answer i (A/AAAA) belongs to, following CNAME chains backwards (question www.a
   * → CNAME edge.b → A 1.2.3.4 gives www.a), at most 8 steps; the last CNAME naming a target wins. Names are
   * lower-case already (readName), so they compare directly; answers are few, so a scan beats building maps.
   */
  askedName(i: number): string {
    let n = this.answerNames[i];
    for (let step = 0; step < 8; step++) {
      let prev: string | null = null;
      for (let j = this.answerCount - 1; j >= 0; j--) {
        if (this.answerTypes[j] === DNS_TYPE_CNAME && this.answerData[j] === n) { prev = this.answerNames[j]; break; }
      }
      if (prev === null || prev === n) break;
      n = prev;
    }
    return n;
  }
}

/**
 * Scans one DNS message in buf[off, off+len) into out; false when the header or a question is malformed. Answers
 * are best effort; `complete` says every record of every section parsed and the message ended exactly at len.
 */
export function scanDnsMessage(buf: Uint8Array, off: number, len: number, out: DnsScan, knownAnswers = false): boolean {
  if (len < 12) return false;
  const flags = u16(buf, off + 2);
  const qd = u16(buf, off + 4);
  if (qd > MAX_RECORDS) return false;
  out.id = u16(buf, off);
  out.isResponse = (flags & 0x8000) !== 0;
  out.opcode = (flags >> 11) & 0xf;
  out.rcode = flags & 0xf;
  out.complete = false;
  out.questionCount = 0;
  out.answerCount = 0;
  out.knownCount = 0;
  const end = off + len;
  let p = off + 12;
  seenCount = 0;
  for (let i = 0; i < qd; i++) {
    const name = nameAt(buf, off, len, p);
    if (name === null || nameEnd + 4 > end) return false;
    p = nameEnd;
    out.questionNames[i] = name;
    out.questionTypes[i] = u16(buf, p);
    out.questionCount = i + 1;
    p += 4;
  }
  for (let section = 0; section < 3; section++) {
    const n = u16(buf, off + 6 + 2 * section);
    if (n > MAX_RECORDS) return true;
    for (let i = 0; i < n; i++) {
      const owner = p;
      if (!skipName(buf, off, len, p) || nameEnd + 10 > end) return true;
      p = nameEnd;
      const type = u16(buf, p);
      const rdlen = u16(buf, p + 8);
      const rd = p + 10;
      if (rd + rdlen > end) return true;
      if (knownAnswers && section === 0 && !out.isResponse) {
        const name = nameAt(buf, off, len, owner);
        if (name !== null) out.knownNames[out.knownCount++] = name;
      }
      // Only answers of these types are kept; other owner names are never turned into strings.
      if (section === 0 && (type === DNS_TYPE_A || type === DNS_TYPE_AAAA || type === DNS_TYPE_CNAME)) {
        let data: string | null = null;
        if (type === DNS_TYPE_A) data = rdlen === 4 ? formatIPv4(buf, rd) : null;
        else if (type === DNS_TYPE_AAAA) data = rdlen === 16 ? formatIPv6(buf, rd) : null;
        else {
          data = nameAt(buf, off, len, rd);
          if (data !== null && nameEnd > rd + rdlen) data = null;
        }
        const name = data === null ? null : nameAt(buf, off, len, owner);
        if (name !== null && data !== null) {
          const k = out.answerCount++;
          out.answerNames[k] = name;
          out.answerTypes[k] = type;
          out.answerData[k] = data;
        }
      }
      p = rd + rdlen;
    }
  }
  out.complete = p === end;
  return true;
}

const scan = new DnsScan();

/** Parses one DNS message into fresh objects (see scanDnsMessage); null when the header or a question is malformed. */
export function parseDnsMessage(buf: Uint8Array, off: number, len: number): DnsMessage | null {
  if (!scanDnsMessage(buf, off, len, scan)) return null;
  const msg: DnsMessage = {
    id: scan.id, isResponse: scan.isResponse, opcode: scan.opcode, rcode: scan.rcode, questions: [], answers: [], complete: scan.complete,
  };
  for (let i = 0; i < scan.questionCount; i++) msg.questions.push({ name: scan.questionNames[i], type: scan.questionTypes[i] });
  for (let i = 0; i < scan.answerCount; i++) msg.answers.push({ name: scan.answerNames[i], type: scan.answerTypes[i], data: scan.answerData[i] });
  return msg;
}

/** Questions a plausible message asks: real resolvers ask exactly one; a few more are tolerated. */
const MAX_QUESTIONS = 4;

/**
 * Cheap check that buf[off, off+len) could be a DNS message: header fields in plausible ranges. A query asks 1..4
 * questions (`maxQuestions`: mDNS queries ask many) and carries no rcode; a response asks at most 4 (mDNS responses ask none but then answer something).
 * Callers still parse the questions before believing it.
 */
export function looksLikeDns(buf: Uint8Array, off: number, len: number, maxQuestions = MAX_QUESTIONS): boolean {
  if (len < 12) return false;
  const flags = u16(buf, off + 2);
  const opcode = (flags >> 11) & 0xf;
  if (opcode > 6 || opcode === 3) return false;
  if ((flags & 0x0040) !== 0) return false; // Z bit must be zero
  const qd = u16(buf, off + 4);
  const an = u16(buf, off + 6);
  const rcode = flags & 0xf;
  if ((flags & 0x8000) === 0) {
    if (qd < 1 || qd > maxQuestions || rcode !== 0) return false;
  } else if (qd > maxQuestions || rcode > 10 || (qd === 0 && an === 0)) {
    return false;
  }
  return an <= 256 && u16(buf, off + 8) <= 256 && u16(buf, off + 10) <= 256;
}

/**
 * Maps every A/AAAA answer address to the name the client originally asked, following CNAME chains backwards
 * (question www.a → CNAME edge.b → A 1.2.3.4 labels 1.2.3.4 as www.a). Chains are followed at most 8 steps. Names
 * are already lower-case (readName), so they compare directly; answers are few, so a scan beats building maps.
 */
export function addressNames(msg: DnsMessage): { address: string; name: string }[] {
  const out: { address: string; name: string }[] = [];
  const answers = msg.answers;
  for (const a of answers) {
    if (a.type !== DNS_TYPE_A && a.type !== DNS_TYPE_AAAA) continue;
    let n = a.name;
    for (let i = 0; i < 8; i++) {
      let prev: string | null = null;
      // The last CNAME naming n as its target wins, as a map filled in order would have it.
      for (let j = answers.length - 1; j >= 0; j--) {
        const c = answers[j];
        if (c.type === DNS_TYPE_CNAME && c.data === n) { prev = c.name; break; }
      }
      if (prev === null || prev === n) break;
      n = prev;
    }
    out.push({ address: a.data, name: n });
  }
  return out;
}
