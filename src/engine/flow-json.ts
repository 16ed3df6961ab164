/**
 * FlowRecord → one JSON line, the same text JSON.stringify gives (same key order), several times faster: the CLI
 * prints one per flow and files can hold hundreds of thousands of flows.
 * - flowRecordJson: the line as a string (live output).
 * - FlowJsonWriter: lines written as UTF-8 straight into large byte chunks (`read --json`), so no string per line,
 *   no joining and no encoding pass; integers and microsecond times are written digit by digit, plain ASCII strings
 *   byte by byte, and only strings that need escaping go through JSON.stringify.
 */
import type { FlowRecord } from '../shared/flow.ts';

function str(s: string | null): string {
  return s === null ? 'null' : JSON.stringify(s);
}

function num(n: number | null): string {
  return n === null || !Number.isFinite(n) ? 'null' : String(n);
}

export function flowRecordJson(r: FlowRecord): string {
  let q = '[';
  for (let i = 0; i < r.dns_queries.length; i++) q += (i ? ',' : '') + JSON.stringify(r.dns_queries[i]);
  q += ']';
  return `{"type":"flow","id":${num(r.id)},"proto":"${r.proto}","src":${str(r.src)},"sport":${num(r.sport)},"dst":${str(r.dst)},"dport":${num(r.dport)},` +
    `"packets_fwd":${num(r.packets_fwd)},"bytes_fwd":${num(r.bytes_fwd)},"packets_rev":${num(r.packets_rev)},"bytes_rev":${num(r.bytes_rev)},` +
    `"first_seen":${num(r.first_seen)},"last_seen":${num(r.last_seen)},"state":"${r.state}","app":${str(r.app)},"host":${str(r.host)},` +
    `"dns_queries":${q},"pid":${num(r.pid)},"process":${str(r.process)}}`;
}

const QUOTE = 0x22;
const encoder = new TextEncoder();
const DEFAULT_CHUNK = 1 << 20;
/** Below 2^32 a double's spacing is under 1e-6, so a value that is a whole number of microseconds prints as that decimal. */
const MICRO_EXACT_BELOW = 2 ** 32;

/** Writes JSON lines as UTF-8 into chunks of `chunkBytes`; each full chunk goes to `emit`, which then owns it. */
export class FlowJsonWriter {
  private buf: Uint8Array;
  private pos = 0;
  private readonly chunkBytes: number;
  private readonly emit: (chunk: Buffer) => void;
  private readonly digits = new Uint8Array(24);

  constructor(emit: (chunk: Buffer) => void, chunkBytes = DEFAULT_CHUNK) {
    this.emit = emit;
    this.chunkBytes = chunkBytes;
    this.buf = new Uint8Array(chunkBytes);
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
    this.pos = 0;
    this.emit(full);
  }

  /** One line of text (a table row, a summary), UTF-8 encoded, with its newline. */
  line(s: string): void {
    this.utf8(s);
    this.byte(0x0a);
  }

  flow(r: FlowRecord): void {
    this.ascii('{"type":"flow","id":');
    this.num(r.id);
    this.ascii(',"proto":"');
    this.ascii(r.proto);
    this.ascii('","src":');
    this.str(r.src);
    this.ascii(',"sport":');
    this.num(r.sport);
    this.ascii(',"dst":');
    this.str(r.dst);
    this.ascii(',"dport":');
    this.num(r.dport);
    this.ascii(',"packets_fwd":');
    this.num(r.packets_fwd);
    this.ascii(',"bytes_fwd":');
    this.num(r.bytes_fwd);
    this.ascii(',"packets_rev":');
    this.num(r.packets_rev);
    this.ascii(',"bytes_rev":');
    this.num(r.bytes_rev);
    this.ascii(',"first_seen":');
    this.num(r.first_seen);
    this.ascii(',"last_seen":');
    this.num(r.last_seen);
    this.ascii(',"state":"');
    this.ascii(r.state);
    this.ascii('","app":');
    this.str(r.app);
    this.ascii(',"host":');
    this.str(r.host);
    this.ascii(',"dns_queries":[');
    const q = r.dns_queries;
    for (let i = 0; i < q.length; i++) {
      if (i > 0) this.byte(0x2c);
      this.str(q[i]);
    }
    this.ascii('],"pid":');
    this.num(r.pid);
    this.ascii(',"process":');
    this.str(r.process);
    this.ascii('}\n');
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(n);
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
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
      this.ascii('null');
      return;
    }
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) {
        this.utf8(JSON.stringify(s));
        return;
      }
    }
    this.room(n + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = QUOTE;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
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
        let frac = us - whole * 1e6;
        this.uint(whole);
        if (frac !== 0) {
          let width = 6;
          while (frac % 10 === 0) {
            frac /= 10;
            width--;
          }
          this.room(1 + width);
          const b = this.buf;
          b[this.pos] = 0x2e;
          let f = frac | 0;
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
    const d = this.digits;
    let k = 0;
    while (n > 0x7fffffff) {
      const q = Math.floor(n / 10);
      d[k++] = 0x30 + (n - q * 10);
      n = q;
    }
    // Small integer arithmetic from here on.
    let m = n | 0;
    do {
      const q = (m / 10) | 0;
      d[k++] = 0x30 + (m - q * 10);
      m = q;
    } while (m > 0);
    this.room(k);
    const b = this.buf;
    let p = this.pos;
    while (k > 0) b[p++] = d[--k];
    this.pos = p;
  }
}
