/**
 * The AS range table: the ASN database (@ip-location-db/asn, CSV) as build/build.mjs converts it
 * (./asn-table-build.ts) into sorted address ranges the engine binary-searches, with no parse at start-up.
 *
 * Layout, all little-endian u32 (so the file maps onto Uint32Array views as read):
 *   header:  magic 'SPAS', version, n4, n6, nNames, nameBytes
 *   IPv4:    start[n4], end[n4], asn[n4]                (host-order address values)
 *   IPv6:    start[4*n6], end[4*n6], asn[n6]            (four big-endian words per address, most significant first)
 *   names:   asn[nNames] (ascending), offset[nNames + 1], then nameBytes of UTF-8 (padded to 4)
 */

export const ASN_TABLE_MAGIC = 0x53415053; // 'SPAS' read as a little-endian u32
export const ASN_TABLE_VERSION = 1;
export const ASN_TABLE_HEADER_WORDS = 6;

export interface AsnHit {
  asn: number;
  name: string | null;
}

export class AsnTableError extends Error {}

export class AsnTable {
  private readonly start4: Uint32Array;
  private readonly end4: Uint32Array;
  private readonly asn4: Uint32Array;
  private readonly start6: Uint32Array;
  private readonly end6: Uint32Array;
  private readonly asn6: Uint32Array;
  private readonly nameAsn: Uint32Array;
  private readonly nameOff: Uint32Array;
  private readonly nameBytes: Uint8Array;
  private readonly names = new Map<number, string | null>();
  private readonly decoder = new TextDecoder();

  /** `bytes` must start on a 4-byte boundary (a fresh Buffer from readFileSync does). */
  constructor(bytes: Uint8Array) {
    if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
    const words = Math.floor(bytes.byteLength / 4);
    const u = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    if (words < ASN_TABLE_HEADER_WORDS || u[0] !== ASN_TABLE_MAGIC || u[1] !== ASN_TABLE_VERSION) throw new AsnTableError('not a Sandpiper AS range table (or of another version)');
    const n4 = u[2];
    const n6 = u[3];
    const nNames = u[4];
    const nameBytes = u[5];
    let at = ASN_TABLE_HEADER_WORDS;
    const take = (n: number): Uint32Array => {
      if (at + n > words) throw new AsnTableError('AS range table is truncated');
      const v = u.subarray(at, at + n);
      at += n;
      return v;
    };
    this.start4 = take(n4);
    this.end4 = take(n4);
    this.asn4 = take(n4);
    this.start6 = take(4 * n6);
    this.end6 = take(4 * n6);
    this.asn6 = take(n6);
    this.nameAsn = take(nNames);
    this.nameOff = take(nNames + 1);
    const byteAt = bytes.byteOffset + at * 4;
    if (at * 4 + nameBytes > bytes.byteLength) throw new AsnTableError('AS range table is truncated');
    this.nameBytes = new Uint8Array(bytes.buffer, byteAt, nameBytes);
  }

  get ranges4(): number {
    return this.asn4.length;
  }

  get ranges6(): number {
    return this.asn6.length;
  }

  /** The AS announcing an IPv4 address (host-order u32), or null. */
  lookup4(addr: number): AsnHit | null {
    const s = this.start4;
    let lo = 0;
    let hi = s.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= addr) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || this.end4[found] < addr) return null;
    return this.hit(this.asn4[found]);
  }

  /** The AS announcing an IPv6 address given as four big-endian words at `at`, or null. */
  lookup6(words: ArrayLike<number>, at: number): AsnHit | null {
    const s = this.start6;
    let lo = 0;
    let hi = this.asn6.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare6(s, mid * 4, words, at) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || compare6(this.end6, found * 4, words, at) < 0) return null;
    return this.hit(this.asn6[found]);
  }

  private hit(asn: number): AsnHit {
    return { asn, name: this.nameOf(asn) };
  }

  private nameOf(asn: number): string | null {
    let n = this.names.get(asn);
    if (n !== undefined) return n;
    const a = this.nameAsn;
    let lo = 0;
    let hi = a.length - 1;
    n = null;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] === asn) {
        n = this.decoder.decode(this.nameBytes.subarray(this.nameOff[mid], this.nameOff[mid + 1]));
        break;
      }
      if (a[mid] < asn) lo = mid + 1;
      else hi = mid - 1;
    }
    this.names.set(asn, n);
    return n;
  }
}

/** Sign of (table address at i) − (address at j), both four big-endian words. */
function compare6(t: Uint32Array, i: number, w: ArrayLike<number>, j: number): number {
  for (let k = 0; k < 4; k++) {
    const a = t[i + k];
    const b = w[j + k] >>> 0;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}
