/**
 * FlowRecord → one JSON line, the same text JSON.stringify gives (same key order), several times faster: the CLI
 * prints one per flow (`read --json`, `capture --json`) and files can hold hundreds of thousands of flows.
 * FlowJsonWriter writes the lines as UTF-8 straight into large byte chunks, so no string per line, no joining and no
 * encoding pass; fixed text is copied four bytes per store, integers and microsecond times are written two digits
 * at a time, plain ASCII strings byte by byte, and only strings that need escaping go through JSON.stringify.
 * The engine writes its flows from its table through one reused FlowLineValues (`Engine.writeFlowJson`): no record
 * object, and IPv4 addresses straight from the table's key words, so a live capture printing every changed flow
 * each second makes no garbage per line.
 */
import type { FlowRecord } from '../shared/flow.ts';
import { formatAddress } from './address-text.ts';
import { NO_GEO, type GeoInfo } from './geo/geo-info.ts';
import type { ProcessUnknown } from '../shared/flow.ts';

/** The other end's process of a flow between two local ones (a SocketOwner). */
interface PeerValues {
  pid: number | null;
  process: string | null;
  user: string | null;
}

const QUOTE = 0x22;
const encoder = new TextEncoder();
const DEFAULT_CHUNK = 1 << 20;
/** Below 2^32 a double's spacing is under 1e-6, so a value that is a whole number of microseconds prints as that decimal. */
const MICRO_EXACT_BELOW = 2 ** 32;

/** Fixed text as little-endian 32-bit words (the last one zero-padded), copied four bytes per store. */
class Lit {
  readonly length: number;
  readonly words: Uint32Array;
  constructor(s: string) {
    this.length = s.length;
    this.words = new Uint32Array(Math.ceil(s.length / 4));
    for (let i = 0; i < s.length; i++) this.words[i >> 2] |= s.charCodeAt(i) << (8 * (i & 3));
  }
}

/** The record's fixed text, encoded once. */
const T_START = new Lit('{"type":"flow","id":');
const T_PROTO = new Lit(',"proto":"');
const T_SRC = new Lit('","src":');
const T_SPORT = new Lit(',"sport":');
const T_DST = new Lit(',"dst":');
const T_DPORT = new Lit(',"dport":');
const T_SRC_COUNTRY = new Lit(',"src_country":');
const T_DST_COUNTRY = new Lit(',"dst_country":');
const T_SRC_ASN = new Lit(',"src_asn":');
const T_DST_ASN = new Lit(',"dst_asn":');
const T_SRC_AS_NAME = new Lit(',"src_as_name":');
const T_DST_AS_NAME = new Lit(',"dst_as_name":');
const T_PACKETS_FWD = new Lit(',"packets_fwd":');
const T_BYTES_FWD = new Lit(',"bytes_fwd":');
const T_PACKETS_REV = new Lit(',"packets_rev":');
const T_BYTES_REV = new Lit(',"bytes_rev":');
const T_FIRST_SEEN = new Lit(',"first_seen":');
const T_LAST_SEEN = new Lit(',"last_seen":');
const T_STATE = new Lit(',"state":"');
const T_APP = new Lit('","app":');
const T_HOST = new Lit(',"host":');
const T_DNS_QUERIES = new Lit(',"dns_queries":[');
const T_PID = new Lit('],"pid":');
const T_PROCESS = new Lit(',"process":');
const T_TUNNEL = new Lit(',"tunnel":');
const T_DNS_DROPPED = new Lit(',"dns_queries_dropped":');
const T_ICMP_TYPE = new Lit(',"icmp_type":');
const T_ICMP_CODE = new Lit(',"icmp_code":');
const T_DHCP_HOSTNAME = new Lit(',"dhcp_hostname":');
const T_DHCP_VENDOR = new Lit(',"dhcp_vendor_class":');
const T_FTP_CONTROL = new Lit(',"ftp_control":');
const T_USER = new Lit(',"user":');
const T_PEER_PID = new Lit(',"peer_pid":');
const T_PEER_PROCESS = new Lit(',"peer_process":');
const T_PEER_USER = new Lit(',"peer_user":');
const T_PROCESS_UNKNOWN = new Lit(',"process_unknown":"');
const T_QUOTE_END = new Lit('"}\n');
const T_END = new Lit('}\n');
/** Runs of fixed text with the values most lines have (no country or AS; no process, no tunnel), written in one copy. */
const T_NO_OWNER_NO_TUNNEL = new Lit('],"pid":null,"process":null,"tunnel":null');
const T_NO_GEO_PACKETS_FWD = new Lit(',"src_country":null,"dst_country":null,"src_asn":null,"dst_asn":null,"src_as_name":null,"dst_as_name":null,"packets_fwd":');
const T_NO_QUERIES_OWNER_TUNNEL = new Lit(',"dns_queries":[],"pid":null,"process":null,"tunnel":null');
const T_NULL = new Lit('null');

const NO_WORDS = new Uint32Array(0);
/** "00" to "99" as bytes, for writing integers two digits at a time. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 0x30 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));
const NONE: readonly string[] = [];

/**
 * One flow line's values, as the FlowRecord of that flow would hold them, filled in place for each line. Addresses
 * are the flow table's big-endian key words (one word from `srcAt`/`dstAt` for IPv4, four for IPv6), or their text
 * when it is at hand.
 */
export class FlowLineValues {
  id = 0;
  proto: FlowRecord['proto'] = 'other';
  family = 4;
  words: Uint32Array = NO_WORDS;
  srcAt = 0;
  dstAt = 0;
  /** The responder's address as text, when already formatted (else written from `words`). */
  dstText: string | null = null;
  sport = 0;
  dport = 0;
  /** Country and AS of each address (geo/geo-lookup.ts). */
  srcGeo: GeoInfo = NO_GEO;
  dstGeo: GeoInfo = NO_GEO;
  packetsFwd = 0;
  bytesFwd = 0;
  packetsRev = 0;
  bytesRev = 0;
  /** Seconds, already rounded to microseconds as in the record. */
  firstSeen = 0;
  lastSeen = 0;
  state: FlowRecord['state'] = 'active';
  app: string | null = null;
  host: string | null = null;
  dnsQueries: readonly string[] = NONE;
  pid: number | null = null;
  process: string | null = null;
  /** The tunnel's JSON text (ASCII: kinds and addresses), or null. */
  tunnelJson: string | null = null;
  /** Names past the first 32 of dns_queries; 0 leaves the key out, as the record does. */
  dnsQueriesDropped = 0;
  /** ICMP type << 8 | code for an ICMP flow, -1 for others (the keys are left out). */
  icmp = -1;
  /** DHCP's client host name and vendor class; null leaves the key out, as the record does. */
  dhcpHostname: string | null = null;
  dhcpVendorClass: string | null = null;
  /** The FTP control flow's id for a data connection; 0 leaves the key out, as the record does. */
  ftpControl = 0;
  /** The process's user; null leaves the key out. */
  user: string | null = null;
  /** The other end's process when both are local; null leaves the keys out. */
  peer: PeerValues | null = null;
  /** Why there is no process (live captures); null leaves the key out. */
  processUnknown: ProcessUnknown | null = null;
}

/** Writes JSON lines as UTF-8 into chunks of `chunkBytes`; each full chunk goes to `emit`, which then owns it. */
export class FlowJsonWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private readonly chunkBytes: number;
  private readonly emit: (chunk: Buffer) => void;
  private readonly digits = new Uint8Array(24);

  constructor(emit: (chunk: Buffer) => void, chunkBytes = DEFAULT_CHUNK) {
    this.emit = emit;
    this.chunkBytes = chunkBytes;
    this.buf = new Uint8Array(chunkBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written and not yet handed to emit. */
  get pending(): number {
    return this.pos;
  }

  /** Hands over what is written so far (if anything) as one chunk. */
  flush(): void {
    if (this.pos === 0) return;
    const full = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
    this.buf = new Uint8Array(this.chunkBytes);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
    this.emit(full);
  }

  /** One line of text (a table row, a summary), UTF-8 encoded, with its newline. */
  line(s: string): void {
    this.utf8(s);
    this.byte(0x0a);
  }

  flow(r: FlowRecord): void {
    this.lit(T_START);
    this.num(r.id);
    this.lit(T_PROTO);
    this.ascii(r.proto);
    this.lit(T_SRC);
    this.str(r.src);
    this.lit(T_SPORT);
    this.num(r.sport);
    this.lit(T_DST);
    this.str(r.dst);
    this.lit(T_DPORT);
    this.num(r.dport);
    this.lit(T_SRC_COUNTRY);
    this.str(r.src_country);
    this.lit(T_DST_COUNTRY);
    this.str(r.dst_country);
    this.lit(T_SRC_ASN);
    this.num(r.src_asn);
    this.lit(T_DST_ASN);
    this.num(r.dst_asn);
    this.lit(T_SRC_AS_NAME);
    this.str(r.src_as_name);
    this.lit(T_DST_AS_NAME);
    this.str(r.dst_as_name);
    this.lit(T_PACKETS_FWD);
    this.num(r.packets_fwd);
    this.lit(T_BYTES_FWD);
    this.num(r.bytes_fwd);
    this.lit(T_PACKETS_REV);
    this.num(r.packets_rev);
    this.lit(T_BYTES_REV);
    this.num(r.bytes_rev);
    this.lit(T_FIRST_SEEN);
    this.num(r.first_seen);
    this.lit(T_LAST_SEEN);
    this.num(r.last_seen);
    this.lit(T_STATE);
    this.ascii(r.state);
    this.lit(T_APP);
    this.str(r.app);
    this.lit(T_HOST);
    this.str(r.host);
    this.lit(T_DNS_QUERIES);
    const q = r.dns_queries;
    for (let i = 0; i < q.length; i++) {
      if (i > 0) this.byte(0x2c);
      this.str(q[i]);
    }
    this.lit(T_PID);
    this.num(r.pid);
    this.lit(T_PROCESS);
    this.str(r.process);
    // As JSON.stringify: a record without the key prints without it.
    if (r.tunnel !== undefined) {
      this.lit(T_TUNNEL);
      this.ascii(JSON.stringify(r.tunnel));
    }
    if (r.dns_queries_dropped !== undefined) {
      this.lit(T_DNS_DROPPED);
      this.num(r.dns_queries_dropped);
    }
    if (r.icmp_type !== undefined) {
      this.lit(T_ICMP_TYPE);
      this.num(r.icmp_type);
    }
    if (r.icmp_code !== undefined) {
      this.lit(T_ICMP_CODE);
      this.num(r.icmp_code);
    }
    if (r.dhcp_hostname !== undefined) {
      this.lit(T_DHCP_HOSTNAME);
      this.str(r.dhcp_hostname);
    }
    if (r.dhcp_vendor_class !== undefined) {
      this.lit(T_DHCP_VENDOR);
      this.str(r.dhcp_vendor_class);
    }
    if (r.ftp_control !== undefined) {
      this.lit(T_FTP_CONTROL);
      this.num(r.ftp_control);
    }
    if (r.user !== undefined) {
      this.lit(T_USER);
      this.str(r.user);
    }
    if (r.peer_pid !== undefined) {
      this.lit(T_PEER_PID);
      this.num(r.peer_pid);
    }
    if (r.peer_process !== undefined) {
      this.lit(T_PEER_PROCESS);
      this.str(r.peer_process);
    }
    if (r.peer_user !== undefined) {
      this.lit(T_PEER_USER);
      this.str(r.peer_user);
    }
    if (r.process_unknown !== undefined) {
      this.lit(T_PROCESS_UNKNOWN);
      this.ascii(r.process_unknown);
      this.lit(T_QUOTE_END);
      return;
    }
    this.lit(T_END);
  }

  /** The line `flow` writes for the FlowRecord these values describe. */
  flowValues(v: FlowLineValues): void {
    this.lit(T_START);
    this.num(v.id);
    this.lit(T_PROTO);
    this.ascii(v.proto);
    this.lit(T_SRC);
    this.address(v.words, v.srcAt, v.family);
    this.lit(T_SPORT);
    this.num(v.sport);
    this.lit(T_DST);
    if (v.dstText !== null) this.str(v.dstText);
    else this.address(v.words, v.dstAt, v.family);
    this.lit(T_DPORT);
    this.num(v.dport);
    const sg = v.srcGeo;
    const dg = v.dstGeo;
    if (sg.country === null && sg.asn === null && sg.asName === null && dg.country === null && dg.asn === null && dg.asName === null) {
      this.lit(T_NO_GEO_PACKETS_FWD);
    } else {
      this.lit(T_SRC_COUNTRY);
      this.str(sg.country);
      this.lit(T_DST_COUNTRY);
      this.str(dg.country);
      this.lit(T_SRC_ASN);
      this.num(sg.asn);
      this.lit(T_DST_ASN);
      this.num(dg.asn);
      this.lit(T_SRC_AS_NAME);
      this.str(sg.asName);
      this.lit(T_DST_AS_NAME);
      this.str(dg.asName);
      this.lit(T_PACKETS_FWD);
    }
    this.num(v.packetsFwd);
    this.lit(T_BYTES_FWD);
    this.num(v.bytesFwd);
    this.lit(T_PACKETS_REV);
    this.num(v.packetsRev);
    this.lit(T_BYTES_REV);
    this.num(v.bytesRev);
    this.lit(T_FIRST_SEEN);
    this.num(v.firstSeen);
    this.lit(T_LAST_SEEN);
    this.num(v.lastSeen);
    this.lit(T_STATE);
    this.ascii(v.state);
    this.lit(T_APP);
    this.str(v.app);
    this.lit(T_HOST);
    this.str(v.host);
    const q = v.dnsQueries;
    const plain = v.pid === null && v.process === null && v.tunnelJson === null;
    if (plain && q.length === 0) {
      this.lit(T_NO_QUERIES_OWNER_TUNNEL);
    } else {
      this.lit(T_DNS_QUERIES);
      for (let i = 0; i < q.length; i++) {
        if (i > 0) this.byte(0x2c);
        this.str(q[i]);
      }
      if (plain) {
        this.lit(T_NO_OWNER_NO_TUNNEL);
      } else {
        this.lit(T_PID);
        this.num(v.pid);
        this.lit(T_PROCESS);
        this.str(v.process);
        this.lit(T_TUNNEL);
        this.ascii(v.tunnelJson ?? 'null');
      }
    }
    if (v.dnsQueriesDropped > 0) {
      this.lit(T_DNS_DROPPED);
      this.num(v.dnsQueriesDropped);
    }
    if (v.icmp >= 0) {
      this.lit(T_ICMP_TYPE);
      this.num(v.icmp >>> 8);
      this.lit(T_ICMP_CODE);
      this.num(v.icmp & 255);
    }
    if (v.dhcpHostname !== null) {
      this.lit(T_DHCP_HOSTNAME);
      this.str(v.dhcpHostname);
    }
    if (v.dhcpVendorClass !== null) {
      this.lit(T_DHCP_VENDOR);
      this.str(v.dhcpVendorClass);
    }
    if (v.ftpControl > 0) {
      this.lit(T_FTP_CONTROL);
      this.num(v.ftpControl);
    }
    if (v.user !== null) {
      this.lit(T_USER);
      this.str(v.user);
    }
    const peer = v.peer;
    if (peer !== null) {
      this.lit(T_PEER_PID);
      this.num(peer.pid);
      this.lit(T_PEER_PROCESS);
      this.str(peer.process);
      this.lit(T_PEER_USER);
      this.str(peer.user);
    }
    if (v.processUnknown !== null) {
      this.lit(T_PROCESS_UNKNOWN);
      this.ascii(v.processUnknown);
      this.lit(T_QUOTE_END);
      return;
    }
    this.lit(T_END);
  }

  /** A quoted address: an IPv4 dotted quad digit by digit, anything else as formatAddress gives it. */
  private address(words: Uint32Array, at: number, family: number): void {
    if (family !== 4) {
      this.str(formatAddress(words, at, family));
      return;
    }
    const w = words[at];
    this.room(17);
    this.buf[this.pos++] = QUOTE;
    this.uint(w >>> 24);
    this.buf[this.pos++] = 0x2e;
    this.uint((w >>> 16) & 255);
    this.buf[this.pos++] = 0x2e;
    this.uint((w >>> 8) & 255);
    this.buf[this.pos++] = 0x2e;
    this.uint(w & 255);
    this.buf[this.pos++] = QUOTE;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.view = new DataView(this.buf.buffer);
    }
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  private lit(t: Lit): void {
    const n = t.length;
    // Whole words: up to three bytes past the text, inside the room asked for, written over by what follows.
    this.room(n + 3);
    const v = this.view;
    const w = t.words;
    const p = this.pos;
    for (let i = 0; i < w.length; i++) v.setUint32(p + 4 * i, w[i], true);
    this.pos = p + n;
  }

  /** A string known to be ASCII with nothing to escape (keys, enums). */
  private ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  private utf8(s: string): void {
    this.room(3 * s.length);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  /** A JSON string (or null): printable ASCII without quote or backslash is copied; anything else is escaped by JSON.stringify. */
  private str(s: string | null): void {
    if (s === null) {
      this.lit(T_NULL);
      return;
    }
    const n = s.length;
    this.room(n + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) {
        // Written over what was copied so far: pos has not moved.
        this.utf8(JSON.stringify(s));
        return;
      }
      b[p++] = c;
    }
    b[p++] = QUOTE;
    this.pos = p;
  }

  /** The text String(n) gives (null when not finite), without building it for whole numbers and whole microseconds. */
  private num(n: number | null): void {
    if (n === null || !Number.isFinite(n)) {
      this.ascii('null');
      return;
    }
    if (Number.isSafeInteger(n) && n >= 0) {
      this.uint(n);
      return;
    }
    if (n > 0 && n < MICRO_EXACT_BELOW) {
      const us = Math.round(n * 1e6);
      if (us / 1e6 === n) {
        const whole = Math.floor(us / 1e6);
        // Below 1e6: small-integer arithmetic from here on.
        let f = (us - whole * 1e6) | 0;
        this.uint(whole);
        if (f !== 0) {
          let width = 6;
          for (let q = (f / 10) | 0; f === q * 10; q = (f / 10) | 0) {
            f = q;
            width--;
          }
          this.room(1 + width);
          const b = this.buf;
          b[this.pos] = 0x2e;
          for (let i = width; i >= 1; i--) {
            const q = (f / 10) | 0;
            b[this.pos + i] = 0x30 + (f - q * 10);
            f = q;
          }
          this.pos += 1 + width;
        }
        return;
      }
    }
    this.ascii(String(n));
  }

  private uint(n: number): void {
    if (n > 0x7fffffff) {
      this.bigUint(n);
      return;
    }
    let m = n | 0;
    const len = m < 10 ? 1 : m < 100 ? 2 : m < 1000 ? 3 : m < 10000 ? 4 : m < 100000 ? 5 : m < 1000000 ? 6 : m < 10000000 ? 7 : m < 100000000 ? 8 : m < 1000000000 ? 9 : 10;
    this.room(len);
    const b = this.buf;
    let p = this.pos + len;
    this.pos = p;
    // Two digits per division, from the last.
    while (m >= 100) {
      const q = (m / 100) | 0;
      const r = (m - q * 100) << 1;
      b[--p] = DIGIT_PAIRS[r + 1];
      b[--p] = DIGIT_PAIRS[r];
      m = q;
    }
    if (m >= 10) {
      b[--p] = DIGIT_PAIRS[(m << 1) + 1];
      b[--p] = DIGIT_PAIRS[m << 1];
    } else {
      b[--p] = 0x30 + m;
    }
  }

  /** An integer above 2^31 - 1 (byte counts of long flows), digit by digit. */
  private bigUint(n: number): void {
    const d = this.digits;
    let k = 0;
    while (n > 0) {
      const q = Math.floor(n / 10);
      d[k++] = 0x30 + (n - q * 10);
      n = q;
    }
    this.room(k);
    const b = this.buf;
    let p = this.pos;
    while (k > 0) b[p++] = d[--k];
    this.pos = p;
  }
}
