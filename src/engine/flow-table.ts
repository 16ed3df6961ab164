/**
 * The flow table: bidirectional flows in struct-of-arrays typed storage indexed by slot, found through an
 * open-addressing hash (linear probing, backward-shift deletion) over the key's 32-bit words, so no string is built
 * per packet. A hash entry holds the slot in its low bits and the hash's high bits above them, so a probe rejects
 * another flow's entry without loading that flow's hash or key (one cache line less per packet). Slots are recycled through a free list; storage grows by half up to `maxFlows`.
 *
 * Key (10 words): the lower endpoint's address (4 words), the higher's (4), both ports, and protocol | family << 8 |
 * icmpKind << 16. Endpoints are ordered so both directions find the same slot; a flag records which side initiated.
 * Every flow sits on one of five LRU lists by idle-timeout class (TCP closed/reset, TCP open, UDP, other, ended),
 * touched per packet, so idle eviction pops list heads and the cap evicts the least recently seen head.
 * A flow that ends (idle past its timeout, or a new SYN on its finished 5-tuple) leaves the hash, so its 5-tuple can
 * start a new flow; with `retainEnded` (files) it stays in the table, marked ended, until the cap needs its slot, and
 * otherwise (live) it is evicted once its last packet is older than the closed-TCP timeout (at once, for a flow that
 * ended by going idle).
 * The table is the flow: views keep per-slot state and learn what changed from drainChanged (which also reports
 * removed slots) and from `textVersion`, which bumps whenever anything but the counters changes.
 * What one packet updates of its flow sits together: its counters and times in one Float64Array record per slot
 * (`rec`, REC numbers), its state, flags, list and DPI count in one byte record (`meta`, META bytes), the key words
 * the probe compares, and the LRU links.
 * About 104 bytes per slot plus 8 to 16 bytes of hash table (track mode adds a changed mark, and rates 136 bytes).
 */
import type { PacketInfo } from './packet-decoder.ts';
import { SERVER_A, SERVER_B, serverByPorts } from './service-ports.ts';

export interface IdleTimeouts {
  /** TCP flows closed or reset (seconds of packet time). */
  tcpClosed: number;
  /** TCP flows not yet closed. */
  tcpOpen: number;
  udp: number;
  other: number;
}
export const DEFAULT_IDLE_TIMEOUTS: IdleTimeouts = { tcpClosed: 10, tcpOpen: 3600, udp: 120, other: 120 };
export const DEFAULT_MAX_FLOWS = 200_000;
/** Why a flow left the table: idle timeout (live) or the flow cap. */
export type EvictReason = 'idle' | 'cap';

export const ST_ACTIVE = 0;
export const ST_SYN_SENT = 1;
export const ST_ESTABLISHED = 2;
/** TCP first seen without a SYN: open before the capture began. Below ST_CLOSED, as every open state. */
export const ST_MID_FLOW = 3;
export const ST_CLOSING = 4;
export const ST_CLOSED = 5;
export const ST_RESET = 6;
export const STATE_NAMES = ['active', 'syn_sent', 'established', 'mid-flow', 'closing', 'closed', 'reset'] as const;

export const KEY_WORDS = 10;
/** A slot's numbers in `rec`, at s * REC: packets and bytes initiator → responder (fwd) and back (rev), first and last packet time. */
export const REC = 6;
export const R_PKTS_FWD = 0;
export const R_PKTS_REV = 1;
export const R_BYTES_FWD = 2;
export const R_BYTES_REV = 3;
export const R_FIRST = 4;
export const R_LAST = 5;
/** A slot's bytes in `meta`, at s * META: TCP state, flags (F_*), LRU list, and a byte the engine keeps (its DPI packet count). */
export const META = 4;
export const M_STATE = 0;
export const M_FLAGS = 1;
const M_LIST = 2;
export const M_AUX = 3;
const F_INIT_LOW = 1;
const F_SYNACK = 2;
const F_FIN_INIT = 4;
const F_FIN_RESP = 8;
/** The flow ended: it is out of the hash and on the ended list. */
export const F_ENDED = 16;
/** Owned by the engine: DPI finished for this flow. */
export const F_DPI_DONE = 32;
/** Owned by the engine: the flow's host came from DPI (SNI/HTTP Host), not from the name cache. */
export const F_HOST_DPI = 64;
/** A SYN was seen on the flow (a mid-flow flow has none, whatever FIN or RST later makes of its state). */
const F_SYN_SEEN = 128;

const L_TCP_CLOSED = 0;
const L_TCP_OPEN = 1;
const L_UDP = 2;
const L_OTHER = 3;
const L_ENDED = 4;
const LISTS = 5;

const TCP_FIN = 1;
const TCP_SYN = 2;
const TCP_RST = 4;
const TCP_ACK = 16;

/** Per-second byte buckets per direction for the live rate columns. */
const RATE_BUCKETS = 16;
const INITIAL_CAPACITY = 1024;

export interface FlowTableOptions {
  maxFlows?: number;
  idleTimeouts?: Partial<IdleTimeouts>;
  /** Keep per-second rate buckets and a changed-flow list (live views). */
  track?: boolean;
  /** Keep ended flows (files: every flow of the capture stays visible) instead of evicting them after a while. */
  retainEnded?: boolean;
  onEvict: (slot: number, reason: EvictReason) => void;
}

/**
 * A big-endian word as a signed 32-bit integer. Key words are compared as int32 (keyWords), so they stay small
 * integers to V8: an unsigned word above 2^31 is a double, and the first one seen would deoptimize the code.
 */
function rd32(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/** Unsigned order of two int32 words (flipping the sign bit keeps the comparison in int32). */
function below(a: number, b: number): boolean {
  return (a ^ SIGN) < (b ^ SIGN);
}
const SIGN = -0x80000000;

function mix(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** An IPv4 key's address words 1-3 and 5-7 are always 0, so only its four other words are hashed. The key is k[at, at + KEY_WORDS). */
export function hashKey(k: Uint32Array, v6: boolean, at = 0): number {
  if (!v6) return hashKey4(k[at], k[at + 4], k[at + 8], k[at + 9]);
  let h = mix(mix(0x811c9dc5, k[at]), k[at + 4]);
  h = mix(mix(mix(mix(mix(mix(h, k[at + 1]), k[at + 2]), k[at + 3]), k[at + 5]), k[at + 6]), k[at + 7]);
  return avalanche(mix(mix(h, k[at + 8]), k[at + 9]));
}

/** hashKey of an IPv4 key from its four non-zero words. */
export function hashKey4(lo: number, hi: number, ports: number, w9: number): number {
  return avalanche(mix(mix(mix(mix(0x811c9dc5, lo), hi), ports), w9));
}

function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class FlowTable {
  readonly maxFlows: number;
  readonly timeouts = new Float64Array(LISTS);
  readonly track: boolean;
  readonly retainEnded: boolean;
  private readonly onEvict: (slot: number, reason: EvictReason) => void;

  cap = 0;
  /** Slots below this index have been used at least once. */
  used = 0;
  live = 0;
  keys = new Uint32Array(0);
  /** `keys` as int32, for comparing with words read as int32 (rd32). */
  private keyWords = new Int32Array(0);
  /** Flow id, 0 for a free slot. */
  ids = new Float64Array(0);
  /** REC numbers per slot (R_*). */
  rec = new Float64Array(0);
  /** META bytes per slot (M_*). */
  meta = new Uint8Array(0);
  /** Bumps whenever the flow's text (anything but its counters) changes; see markText. */
  textVersion = new Uint32Array(0);
  /** 1 while the slot is on the changed list (track mode). Kept apart from flags, which eviction clears. */
  private dirty = new Uint8Array(0);
  /** LRU list links, [2s] previous and [2s + 1] next, side by side so moving a flow touches one line per slot. */
  private links = new Int32Array(0);
  /** Hash entries: 0 empty, else (slot + 1) | (hash & tagMask); see slotBits. */
  private table = new Uint32Array(0);
  private mask = 0;
  /** Low bits of an entry that hold slot + 1 (enough for every slot of the current capacity). */
  private slotMask = 0;
  private tagMask = 0;
  private freeHead = -1;
  private readonly heads = new Int32Array(LISTS).fill(-1);
  private readonly tails = new Int32Array(LISTS).fill(-1);
  private rates: Uint32Array | null = null;
  private rateSec: Float64Array | null = null;
  private changed = new Int32Array(0);
  private changedLen = 0;
  private nextId = 1;
  private nextSweep = -Infinity;
  private readonly k = new Uint32Array(KEY_WORDS);

  /** Newest packet time seen (seconds); idle timeouts are measured against it. */
  clock = -Infinity;
  evictedByCap = 0;
  evictedIdle = 0;
  /** Flows that ended (idle or restarted), kept or not. */
  ended = 0;
  /** Set by update(): did the packet travel initiator → responder, and did it create its flow. */
  lastFromInit = false;
  lastCreated = false;

  constructor(o: FlowTableOptions) {
    this.maxFlows = Math.max(1, Math.floor(o.maxFlows ?? DEFAULT_MAX_FLOWS));
    const t = { ...DEFAULT_IDLE_TIMEOUTS, ...o.idleTimeouts };
    this.retainEnded = o.retainEnded ?? false;
    this.timeouts.set([t.tcpClosed, t.tcpOpen, t.udp, t.other, this.retainEnded ? Infinity : t.tcpClosed]);
    this.track = o.track ?? false;
    this.onEvict = o.onEvict;
    this.resize(Math.min(INITIAL_CAPACITY, this.maxFlows));
  }

  /** Counts one decoded IP packet (captured at p.ts) to its flow, creating or restarting the flow as needed; returns its slot. */
  update(buf: Uint8Array, p: PacketInfo, wire: number): number {
    const ts = p.ts;
    if (ts > this.clock) this.advance(ts);
    const k = this.k;
    let s0: number, s1 = 0, s2 = 0, s3 = 0, d0: number, d1 = 0, d2 = 0, d3 = 0;
    const so = p.srcOff;
    const dO = p.dstOff;
    s0 = rd32(buf, so);
    d0 = rd32(buf, dO);
    if (p.family === 6) {
      s1 = rd32(buf, so + 4); s2 = rd32(buf, so + 8); s3 = rd32(buf, so + 12);
      d1 = rd32(buf, dO + 4); d2 = rd32(buf, dO + 8); d3 = rd32(buf, dO + 12);
    }
    const sp = p.sport;
    const dp = p.dport;
    const srcLow = s0 !== d0 ? below(s0, d0) : s1 !== d1 ? below(s1, d1) : s2 !== d2 ? below(s2, d2) : s3 !== d3 ? below(s3, d3) : sp <= dp;
    const ports = srcLow ? (sp << 16) | dp : (dp << 16) | sp;
    const w9 = p.proto | (p.family << 8) | (p.icmpKind << 16);
    const v4 = p.family === 4;
    const lo = srcLow ? s0 : d0;
    const hi = srcLow ? d0 : s0;
    let h: number;
    let s: number;
    if (v4) {
      // IPv4 (most packets): hashed and compared from locals; the key words are written out only for a new flow.
      h = hashKey4(lo, hi, ports, w9);
      s = this.find(h, lo, hi, ports, w9, false);
    } else {
      if (srcLow) {
        k[0] = s0; k[1] = s1; k[2] = s2; k[3] = s3; k[4] = d0; k[5] = d1; k[6] = d2; k[7] = d3;
      } else {
        k[0] = d0; k[1] = d1; k[2] = d2; k[3] = d3; k[4] = s0; k[5] = s1; k[6] = s2; k[7] = s3;
      }
      k[8] = ports;
      k[9] = w9;
      h = hashKey(k, true);
      s = this.find(h, lo, hi, ports, w9, true);
    }
    const tcp = p.proto === 6;
    const tf = p.tcpFlags;
    this.lastCreated = false;
    // A fresh SYN on a finished 5-tuple is a new connection: the old flow ends first.
    if (s >= 0 && tcp && (tf & (TCP_SYN | TCP_ACK)) === TCP_SYN && this.meta[s * META + M_STATE] >= ST_CLOSED) {
      this.end(s);
      s = -1;
    }
    if (s < 0) {
      if (v4) {
        k[0] = lo; k[1] = 0; k[2] = 0; k[3] = 0; k[4] = hi; k[5] = 0; k[6] = 0; k[7] = 0; k[8] = ports; k[9] = w9;
      }
      s = this.create(h, srcLow, tcp, tf, p.proto === 17, ts);
    }
    const fromInit = srcLow === ((this.meta[s * META + M_FLAGS] & F_INIT_LOW) !== 0);
    this.lastFromInit = fromInit;
    this.count(s, fromInit, wire, p);
    if (tcp) this.tcpTransition(s, fromInit, tf);
    return s;
  }

  /**
   * The slot of the flow between two endpoints, in either order, or -1: `w` holds one endpoint's address (words 0-3,
   * IPv4 in word 0 and zeros after), the other's (4-7), their ports (8: first << 16 | second) and protocol | family << 8
   * (9). Finds TCP and UDP flows (no ICMP kind); an ended flow is not found once it left the hash.
   */
  findEndpoints(w: Uint32Array): number {
    const k = this.k;
    const ap = w[8] >>> 16;
    const bp = w[8] & 0xffff;
    const cmp = w[0] !== w[4] ? w[0] - w[4] : w[1] !== w[5] ? w[1] - w[5] : w[2] !== w[6] ? w[2] - w[6] : w[3] !== w[7] ? w[3] - w[7] : ap - bp;
    const lowFirst = cmp <= 0;
    for (let i = 0; i < 4; i++) {
      k[i] = lowFirst ? w[i] : w[4 + i];
      k[4 + i] = lowFirst ? w[4 + i] : w[i];
    }
    k[8] = lowFirst ? w[8] : ((bp << 16) | ap) >>> 0;
    k[9] = w[9] & 0xffff;
    const v6 = ((w[9] >>> 8) & 0xff) === 6;
    return this.find(hashKey(k, v6), k[0] | 0, k[4] | 0, k[8] | 0, k[9], v6);
  }

  /** Counts a packet captured at p.ts (e.g. a later IP fragment) to an existing flow. */
  count(s: number, fromInit: boolean, wire: number, p: PacketInfo): void {
    const ts = p.ts;
    const d = fromInit ? 0 : 1;
    const r = this.rec;
    const b = s * REC;
    r[b + R_PKTS_FWD + d]++;
    r[b + R_BYTES_FWD + d] += wire;
    if (ts > r[b + R_LAST]) r[b + R_LAST] = ts;
    else if (ts < r[b + R_FIRST]) r[b + R_FIRST] = ts;
    this.touch(s);
    if (this.track) {
      if (this.dirty[s] === 0) this.markDirty(s);
      this.addRate(s, d, wire, ts);
    }
  }

  /** Moves the clock to `now` (packet time; a live capture also calls it as wall time passes) and sweeps. */
  advance(now: number): void {
    if (!(now > this.clock)) return;
    this.clock = now;
    if (now >= this.nextSweep) {
      this.nextSweep = now + 1;
      this.sweep(now);
    }
  }

  /** Reports flow s as changed in its text (state, names, process), for views that key or filter on text. */
  markText(s: number): void {
    this.textVersion[s]++;
    this.markChanged(s);
  }

  /** Was a SYN seen on TCP flow s? */
  synSeen(s: number): boolean {
    return (this.meta[s * META + M_FLAGS] & F_SYN_SEEN) !== 0;
  }

  /** Is flow s over (ended by idle time or a new connection on its 5-tuple)? */
  isEnded(s: number): boolean {
    return (this.meta[s * META + M_FLAGS] & F_ENDED) !== 0;
  }

  /** Does an address at buf[off] equal the initiator's address of flow s? */
  isInitiatorAddress(s: number, buf: Uint8Array, off: number, family: number): boolean {
    const base = s * KEY_WORDS + ((this.meta[s * META + M_FLAGS] & F_INIT_LOW) !== 0 ? 0 : 4);
    const n = family === 6 ? 4 : 1;
    for (let i = 0; i < n; i++) if (this.keyWords[base + i] !== rd32(buf, off + 4 * i)) return false;
    return true;
  }

  /** Key word index of the initiator's (src) and responder's (dst) address, and the ports. */
  srcIndex(s: number): number {
    return s * KEY_WORDS + ((this.meta[s * META + M_FLAGS] & F_INIT_LOW) !== 0 ? 0 : 4);
  }
  dstIndex(s: number): number {
    return s * KEY_WORDS + ((this.meta[s * META + M_FLAGS] & F_INIT_LOW) !== 0 ? 4 : 0);
  }
  srcPort(s: number): number {
    const w = this.keys[s * KEY_WORDS + 8];
    return (this.meta[s * META + M_FLAGS] & F_INIT_LOW) !== 0 ? w >>> 16 : w & 0xffff;
  }
  dstPort(s: number): number {
    const w = this.keys[s * KEY_WORDS + 8];
    return (this.meta[s * META + M_FLAGS] & F_INIT_LOW) !== 0 ? w & 0xffff : w >>> 16;
  }
  proto(s: number): number {
    return this.keys[s * KEY_WORDS + 9] & 0xff;
  }
  family(s: number): number {
    return (this.keys[s * KEY_WORDS + 9] >>> 8) & 0xff;
  }

  /** Bytes per second in direction d (0 fwd, 1 rev) over the last `secs` complete seconds before the clock. */
  rate(s: number, d: number, secs: number): number {
    if (!this.rates || !this.rateSec || !(this.clock > -Infinity)) return 0;
    const now = Math.floor(this.clock);
    const newest = this.rateSec[s];
    let sum = 0;
    for (let i = 1; i <= secs; i++) {
      const sec = now - i;
      if (sec > newest || sec <= newest - RATE_BUCKETS) continue;
      sum += this.rates[(s * 2 + d) * RATE_BUCKETS + (sec & (RATE_BUCKETS - 1))];
    }
    return sum / secs;
  }

  /** Ends every flow idle longer than its class's timeout at packet time `now`; evicts ended ones past theirs. */
  sweep(now: number): void {
    for (let l = 0; l < LISTS; l++) {
      const t = this.timeouts[l];
      for (;;) {
        const s = this.heads[l];
        if (s < 0 || !(now - this.rec[s * REC + R_LAST] > t)) break;
        if (l !== L_ENDED) this.end(s);
        else {
          this.evictedIdle++;
          this.evict(s, 'idle');
        }
      }
    }
  }

  /**
   * Calls cb once for each slot changed since the last drain (track mode): counters, text, a new flow, or a removal
   * (then ids[slot] is 0, or another flow's id when the slot was reused meanwhile). Then forgets them.
   */
  drainChanged(cb: (slot: number) => void): void {
    const n = this.changedLen;
    this.changedLen = 0;
    for (let i = 0; i < n; i++) {
      const s = this.changed[i];
      if (this.dirty[s] === 0) continue;
      this.dirty[s] = 0;
      cb(s);
    }
  }

  *slots(): Generator<number> {
    for (let s = 0; s < this.used; s++) if (this.ids[s] !== 0) yield s;
  }

  /** The flow is over: out of the hash (its 5-tuple may start a new flow), onto the ended list, its text changed. */
  private end(s: number): void {
    this.unhash(s);
    this.unlink(s);
    this.meta[s * META + M_FLAGS] |= F_ENDED;
    this.meta[s * META + M_LIST] = L_ENDED;
    this.append(s, L_ENDED);
    this.ended++;
    this.markText(s);
  }

  private evict(s: number, reason: EvictReason): void {
    this.onEvict(s, reason);
    this.unlink(s);
    if ((this.meta[s * META + M_FLAGS] & F_ENDED) === 0) this.unhash(s);
    this.ids[s] = 0;
    this.meta[s * META + M_FLAGS] = 0;
    this.links[2 * s + 1] = this.freeHead;
    this.freeHead = s;
    this.live--;
    this.markChanged(s);
  }

  /**
   * The slot of the key whose words 0, 4, 8 and 9 are given (9 holds the family, so an IPv4 key never matches an IPv6
   * one), or -1, the words as int32. An IPv6 key's other words are compared with this.k; an IPv4 key's are 0.
   */
  private find(h: number, w0: number, w4: number, w8: number, w9: number, v6: boolean): number {
    const t = this.table;
    const keys = this.keyWords;
    const tag = h & this.tagMask;
    let i = h & this.mask;
    for (;;) {
      const e = t[i];
      if (e === 0) return -1;
      if (((e ^ tag) & this.tagMask) === 0) {
        const s = (e & this.slotMask) - 1;
        const b = s * KEY_WORDS;
        if (keys[b] === w0 && keys[b + 4] === w4 && keys[b + 8] === w8 && keys[b + 9] === w9 && (!v6 || this.sameV6Rest(b))) return s;
      }
      i = (i + 1) & this.mask;
    }
  }

  private sameV6Rest(b: number): boolean {
    const keys = this.keys;
    const k = this.k;
    return keys[b + 1] === k[1] && keys[b + 2] === k[2] && keys[b + 3] === k[3] && keys[b + 5] === k[5] && keys[b + 6] === k[6] && keys[b + 7] === k[7];
  }

  private create(h: number, srcLow: boolean, tcp: boolean, tf: number, udp: boolean, ts: number): number {
    if (this.live >= this.maxFlows) this.evictOldest();
    let s = this.freeHead;
    if (s >= 0) this.freeHead = this.links[2 * s + 1];
    else {
      // Grow by half: less idle capacity per flow than doubling, still amortised O(1).
      if (this.used === this.cap) this.resize(Math.min(Math.ceil(this.cap * 1.5), this.maxFlows));
      s = this.used++;
    }
    this.keys.set(this.k, s * KEY_WORDS);
    this.ids[s] = this.nextId++;
    const r = this.rec;
    const b = s * REC;
    r[b + R_PKTS_FWD] = r[b + R_PKTS_REV] = r[b + R_BYTES_FWD] = r[b + R_BYTES_REV] = 0;
    r[b + R_FIRST] = r[b + R_LAST] = ts;
    this.meta[s * META + M_AUX] = 0;
    this.textVersion[s]++;
    // The initiator is the packet's sender, except that a SYN-ACK seen first was sent by the responder, and that
    // without a SYN (the connection was open before the capture began) the ports tell the server when they can.
    let initLow = srcLow;
    if (tcp) {
      if ((tf & TCP_SYN) === 0) {
        const server = serverByPorts(this.k[8] >>> 16, this.k[8] & 0xffff);
        if (server === SERVER_A) initLow = false;
        else if (server === SERVER_B) initLow = true;
      } else if ((tf & TCP_ACK) !== 0) {
        initLow = !srcLow;
      }
    }
    this.meta[s * META + M_FLAGS] = (initLow ? F_INIT_LOW : 0) | (tcp && (tf & TCP_SYN) !== 0 ? F_SYN_SEEN : 0);
    this.meta[s * META + M_STATE] = tcp ? ((tf & TCP_SYN) !== 0 ? ST_SYN_SENT : ST_MID_FLOW) : ST_ACTIVE;
    const l = tcp ? L_TCP_OPEN : udp ? L_UDP : L_OTHER;
    this.meta[s * META + M_LIST] = l;
    this.append(s, l);
    this.insertHash(s, h);
    this.live++;
    if (this.rates && this.rateSec) {
      this.rates.fill(0, s * 2 * RATE_BUCKETS, (s + 1) * 2 * RATE_BUCKETS);
      this.rateSec[s] = Math.floor(ts);
    }
    this.lastCreated = true;
    return s;
  }

  private tcpTransition(s: number, fromInit: boolean, tf: number): void {
    let st = this.meta[s * META + M_STATE];
    let fl = this.meta[s * META + M_FLAGS];
    if (tf & TCP_RST) st = ST_RESET;
    else if (st < ST_CLOSED) {
      if (tf & TCP_SYN) {
        fl |= F_SYN_SEEN;
        if (tf & TCP_ACK && !fromInit) fl |= F_SYNACK;
      } else if (st === ST_SYN_SENT && fromInit && (fl & F_SYNACK) !== 0 && (tf & TCP_ACK) !== 0) {
        st = ST_ESTABLISHED;
      }
      if (tf & TCP_FIN) {
        fl |= fromInit ? F_FIN_INIT : F_FIN_RESP;
        st = (fl & (F_FIN_INIT | F_FIN_RESP)) === (F_FIN_INIT | F_FIN_RESP) ? ST_CLOSED : ST_CLOSING;
      }
    }
    this.meta[s * META + M_FLAGS] = fl;
    if (st !== this.meta[s * META + M_STATE]) {
      this.meta[s * META + M_STATE] = st;
      this.textVersion[s]++;
      if (st >= ST_CLOSED && this.meta[s * META + M_LIST] !== L_TCP_CLOSED) {
        this.unlink(s);
        this.meta[s * META + M_LIST] = L_TCP_CLOSED;
        this.append(s, L_TCP_CLOSED);
      }
    }
  }

  private evictOldest(): void {
    let best = -1;
    for (let l = 0; l < LISTS; l++) {
      const s = this.heads[l];
      if (s >= 0 && (best < 0 || this.rec[s * REC + R_LAST] < this.rec[best * REC + R_LAST])) best = s;
    }
    if (best < 0) return;
    this.evictedByCap++;
    this.evict(best, 'cap');
  }

  /** Moves flow s to the tail of its list (the most recently seen). */
  private touch(s: number): void {
    const l = this.meta[s * META + M_LIST];
    if (this.tails[l] === s) return;
    this.unlink(s);
    this.append(s, l);
  }

  private append(s: number, l: number): void {
    const ln = this.links;
    const t = this.tails[l];
    ln[2 * s] = t;
    ln[2 * s + 1] = -1;
    if (t >= 0) ln[2 * t + 1] = s;
    else this.heads[l] = s;
    this.tails[l] = s;
  }

  private unlink(s: number): void {
    const ln = this.links;
    const l = this.meta[s * META + M_LIST];
    const p = ln[2 * s];
    const n = ln[2 * s + 1];
    if (p >= 0) ln[2 * p + 1] = n;
    else this.heads[l] = n;
    if (n >= 0) ln[2 * n] = p;
    else this.tails[l] = p;
  }

  private insertHash(s: number, h: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = ((h & this.tagMask) | (s + 1)) >>> 0;
  }

  private unhash(s: number): void {
    const t = this.table;
    const mask = this.mask;
    const slotMask = this.slotMask;
    let i = this.hashOf(s) & mask;
    while ((t[i] & slotMask) !== s + 1) i = (i + 1) & mask;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = t[j];
      if (e === 0) break;
      const home = this.hashOf((e & slotMask) - 1) & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      t[i] = e;
      i = j;
    }
    t[i] = 0;
  }

  /** The hash of slot s's key, recomputed rather than stored (a flow leaves the hash once; a resize is rare). */
  private hashOf(s: number): number {
    return hashKey(this.keys, ((this.keys[s * KEY_WORDS + 9] >>> 8) & 0xff) === 6, s * KEY_WORDS);
  }

  /** Reports flow s in the next drainChanged (track mode) though no packet touched it. */
  markChanged(s: number): void {
    if (this.track && this.dirty[s] === 0) this.markDirty(s);
  }

  private markDirty(s: number): void {
    // A slot is on the list at most once (dirty), so the list never holds more than the slots there are.
    this.dirty[s] = 1;
    this.changed[this.changedLen++] = s;
  }

  private addRate(s: number, d: number, wire: number, ts: number): void {
    const rates = this.rates;
    const rateSec = this.rateSec;
    if (!rates || !rateSec) return;
    const sec = Math.floor(ts);
    const newest = rateSec[s];
    const base = (s * 2) * RATE_BUCKETS;
    if (sec > newest) {
      const gap = Math.min(sec - newest, RATE_BUCKETS);
      for (let i = 1; i <= gap; i++) {
        const b = (newest + i) & (RATE_BUCKETS - 1);
        rates[base + b] = 0;
        rates[base + RATE_BUCKETS + b] = 0;
      }
      rateSec[s] = sec;
    } else if (sec <= newest - RATE_BUCKETS) {
      return;
    }
    rates[base + d * RATE_BUCKETS + (sec & (RATE_BUCKETS - 1))] += wire;
  }

  private resize(cap: number): void {
    const old = this.cap;
    const copy = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, make: (n: number) => T, per: number): T => {
      const b = make(cap * per);
      b.set(a.subarray(0, old * per) as never);
      return b;
    };
    this.keys = copy(this.keys, (n) => new Uint32Array(n), KEY_WORDS);
    this.keyWords = new Int32Array(this.keys.buffer);
    this.ids = copy(this.ids, (n) => new Float64Array(n), 1);
    this.rec = copy(this.rec, (n) => new Float64Array(n), REC);
    this.meta = copy(this.meta, (n) => new Uint8Array(n), META);
    this.textVersion = copy(this.textVersion, (n) => new Uint32Array(n), 1);
    this.links = copy(this.links, (n) => new Int32Array(n), 2);
    if (this.track) {
      this.dirty = copy(this.dirty, (n) => new Uint8Array(n), 1);
      this.rates = copy(this.rates ?? new Uint32Array(0), (n) => new Uint32Array(n), 2 * RATE_BUCKETS);
      this.rateSec = copy(this.rateSec ?? new Float64Array(0), (n) => new Float64Array(n), 1);
      const ch = new Int32Array(cap);
      ch.set(this.changed.subarray(0, this.changedLen));
      this.changed = ch;
    }
    this.cap = cap;
    let size = 16;
    while (size < cap * 2) size *= 2;
    this.table = new Uint32Array(size);
    this.mask = size - 1;
    // slot + 1 <= cap must fit below the tag.
    const slotBits = 32 - Math.clz32(cap);
    this.slotMask = slotBits >= 32 ? 0xffffffff : 2 ** slotBits - 1;
    this.tagMask = ~this.slotMask >>> 0;
    for (let s = 0; s < this.used; s++) {
      // Ended flows are out of the hash: their 5-tuple may belong to a newer flow.
      if (this.ids[s] === 0 || (this.meta[s * META + M_FLAGS] & F_ENDED) !== 0) continue;
      this.insertHash(s, this.hashOf(s));
    }
  }
}
