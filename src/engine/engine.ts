/**
 * The engine: capture bytes in, flows out.
 *
 *   const engine = createEngine({ detail: false });
 *   engine.onFlowEvicted((flow, reason) => print(engine.toRecord(flow)));
 *   for await (const chunk of stream) engine.push(chunk);   // pcap or pcapng, chunks of any size
 *   engine.end();                                            // throws CaptureFormatError if truncated
 *   for (const flow of engine.flows()) print(engine.toRecord(flow));
 *
 * - push/end throw CaptureFormatError (byte `offset`, `reason`) for a non-capture, corrupt or truncated stream;
 *   everything counted before the error stays available.
 * - A FlowRef is a table slot: valid until the next push/end/advance (slots are recycled), so turn it into a record
 *   or row right away. In onFlowEvicted it is valid only during the callback.
 * - The engine's table is the only place a flow lives. Views keep per-slot state of their own (see
 *   src/engine-host/view) and follow it with drainChanged (changed, new and removed slots), textVersion and
 *   numberKey; a row object is built only for a row that is shown or printed.
 * - detail (default true): keep the full DPI facts and per-second rates, and track changed slots for drainChanged
 *   (the desktop's updates, the live CLI's flow lines). `read` turns it off to keep flows small.
 * - retainEnded (files): a flow that ends (idle, or a new connection on its 5-tuple) stays in the table, marked
 *   ended, so a file shows every flow it holds; live captures evict ended flows (counted in stats.expired).
 * - attributor: live captures only; asked once when a TCP/UDP flow is created, and again for unattributed young
 *   flows at most every 250 ms of packet time, never per packet.
 * - socketAttribution: live captures with the helper's socket events (pushSocketEvents): an event names the flow
 *   of its 5-tuple at once, or waits there for the flow's first packet (socket-attribution.ts); both ends of a flow
 *   between two local processes are named (owner and peer). The attributor then only names what no event did.
 * - DPI (dpi/index.ts) sees a TCP/UDP flow's payload until it says done, for at most maxDpiPackets payload packets,
 *   and only while the flow is young (dropped after 5 s of quiet); the flow then keeps only app, host and DNS
 *   queries (plus the full facts in detail mode).
 * - Idle timeouts run on packet time; a live capture calls advance(nowSeconds) as wall time passes, so rates fall
 *   and quiet flows end even when no packet arrives.
 * - A timeline of bytes per capture second (towards this host and from it) feeds the traffic chart.
 */
import type { FlowApp, FlowRecord, FlowRow, FlowTunnel, ReadSummary } from '../shared/flow.ts';
import { FLOW_APPS } from '../shared/flow.ts';
import type { ColumnId } from '../shared/flows/columns.ts';
import { CaptureReader } from './capture-reader.ts';
import { RecordHeader } from './packet-sink.ts';
import { createDpiGuard, createNameCache, FlowDpiPool, type DpiGuard, type DpiLimits, type DpiRefusals } from './dpi/index.ts';
import { FTP_PASSIVE, FTP_PORT } from './dpi/ftp.ts';
import type { DpiFacts, FlowDpi, NameCache, PayloadContext } from './dpi/types.ts';
import type { DhcpInfo } from './dpi/dhcp.ts';
import { formatAddress } from './address-text.ts';
import { FlowLineValues, type FlowJsonWriter } from './flow-json.ts';
import { FragmentMap } from './fragment-map.ts';
import { ExpectedEndpoints } from './expected-endpoints.ts';
import { FlowTable, F_DPI_DONE, F_HOST_DPI, META, M_AUX, M_FLAGS, M_STATE, REC, R_BYTES_FWD, R_BYTES_REV, R_FIRST, R_LAST, R_PKTS_FWD, R_PKTS_REV, STATE_NAMES, type EvictReason, type IdleTimeouts } from './flow-table.ts';
import { Timeline } from './timeline.ts';
import { NO_GEO, type GeoInfo } from './geo/geo-info.ts';
import { defaultGeo, type GeoLookup } from './geo/geo-lookup.ts';
import { DECODED_ARP, DECODED_FRAGMENT, DECODED_IP, PacketInfo, decodePacket, isDecodedLinkType } from './packet-decoder.ts';
import { TunnelTable } from './tunnel-table.ts';
import { linkTypeName } from './link-type-names.ts';

export { CaptureFormatError } from './capture-format-error.ts';
export type { EvictReason, IdleTimeouts } from './flow-table.ts';
export { DEFAULT_IDLE_TIMEOUTS, DEFAULT_MAX_FLOWS } from './flow-table.ts';

import type { SocketOwner } from './process-attribution.ts';
import type { SocketAttribution, SocketEventCounts } from './socket-attribution.ts';
import type { ProcessUnknown } from '../shared/flow.ts';
export type { SocketOwner } from './process-attribution.ts';

export interface SocketAttributor {
  lookup(proto: 'tcp' | 'udp', localAddr: string, localPort: number, remoteAddr: string, remotePort: number): SocketOwner | null;
  /** Optional pre-check: false when no socket of this host has `port`, so lookup would find nothing. */
  hasPort?(proto: 'tcp' | 'udp', port: number): boolean;
  /** After a lookup found nothing: had it found the socket (its process closed it or exited before it was named)? */
  readonly lastMissFoundSocket?: boolean;
}

export interface EngineOptions {
  /** Live flows kept at most; beyond it the least recently seen is evicted (default 200 000). */
  maxFlows?: number;
  idleTimeouts?: Partial<IdleTimeouts>;
  detail?: boolean;
  attributor?: SocketAttributor;
  /** Names flows from the helper's socket events, fed with pushSocketEvents (live captures). */
  socketAttribution?: SocketAttribution;
  /** Payload packets one flow's DPI may see (default 32). */
  maxDpiPackets?: number;
  /** Run DPI at all (default true). */
  dpi?: boolean;
  /** Caps on the work DPI does across all flows (defaults in dpi/guard.ts). */
  dpiLimits?: DpiLimits;
  /** Keep ended flows in the table (files; default false). */
  retainEnded?: boolean;
  /** Country and AS of flow addresses (default: the bundled offline databases; null: none). */
  geo?: GeoLookup | null;
}

export type FlowRef = number;

export interface EngineStats {
  packets: number;
  bytes: number;
  arp: number;
  undecoded: number;
  /** Flows created so far. */
  flows: number;
  readonly liveFlows: number;
  readonly evictedByCap: number;
  readonly evictedIdle: number;
  /** Flows no longer held: evicted idle (live) or by the cap. */
  readonly expired: number;
  /** Bytes towards this host and from it (files, where no end is local: rev and fwd); counted in detail mode. */
  bytesDown: number;
  bytesUp: number;
  firstTs: number | null;
  lastTs: number | null;
  /** DPI modules that threw on a payload (the flow's DPI is then stopped). */
  dpiErrors: number;
  /** What DPI declined to do under its limits, by reason (live counts). */
  readonly dpiRefused: Readonly<DpiRefusals>;
  /** IPv6 packets whose extension-header chain went past the decoder's walk bound (also counted undecoded). */
  readonly ipv6ExtChainTooLong: number;
  /** Packets nested in more tunnels than the decoder's bound (also counted undecoded). */
  readonly tunnelTooDeep: number;
  /** Packets of link types not decoded, by link type number (also counted undecoded). */
  readonly undecodedLinkTypes: ReadonlyMap<number, number>;
  /** The socket-event stream's counts, when the engine is fed one. */
  readonly socketEvents: Readonly<SocketEventCounts> | null;
}

/** Columns a view sorts by number, read in place from the table. */
export type NumberColumn = Extract<ColumnId, 'down' | 'up' | 'bytes' | 'packets' | 'first_seen' | 'last_seen'>;

/** What a view of the flows reads from the engine's table (src/engine-host/view/flow-store.ts). */
export interface FlowStore {
  /** Every slot is below this. */
  readonly slotCount: number;
  /** Flows held. */
  readonly size: number;
  /** The flow id in `slot`, 0 for an empty slot. */
  idAt(slot: number): number;
  /** Bumps whenever anything but the flow's counters changes. */
  textVersionAt(slot: number): number;
  /** A whole row (a new object); rates are 0 when `rates` is false (a stopped or paused capture). */
  row(slot: number, rates: boolean): FlowRow;
  numberKey(column: NumberColumn, slot: number, rates: boolean): number;
  /** Packets and bytes of the flow in `slot` in direction d: 0 initiator → responder (fwd), 1 back (rev). */
  packetsAt(slot: number, d: 0 | 1): number;
  bytesAt(slot: number, d: 0 | 1): number;
  /** Calls cb once per slot changed since the last call: counters, text, new, or emptied (idAt 0 or another id). */
  drainChanged(cb: (slot: number) => void): void;
  /** The slot holding flow `id`, or -1. */
  slotOfId(id: number): number;
}

export interface Engine extends FlowStore {
  push(chunk: Uint8Array): void;
  /**
   * A chunk of the helper's socket-event stream (any split), read at once, not behind queued packets: an event
   * waits for its flow. Ignored without socketAttribution; a broken stream is given up (stats.socketEvents.error).
   */
  pushSocketEvents(chunk: Uint8Array): void;
  end(): void;
  /** Stream offset past the last whole record read (a file cut there is well-formed). */
  readonly completeBytes: number;
  /** Feeds one packet directly (the readers call this for every record). */
  packet(buf: Uint8Array, off: number, caplen: number, wirelen: number, ts: number, linktype: number): void;
  flows(): Iterable<FlowRef>;
  toRecord(flow: FlowRef): FlowRecord;
  /** Writes the line `w.flow(toRecord(flow))` writes, from the table in place (no record object). */
  writeFlowJson(flow: FlowRef, w: FlowJsonWriter): void;
  toRow(flow: FlowRef, rates?: boolean): FlowRow;
  /** Whether a SYN was seen on the TCP flow in `slot` (IPFIX tcpControlBits); false for a mid-flow one. */
  tcpSynSeenAt(slot: number): boolean;
  /** Moves capture time forward to `nowSeconds` (a live capture's wall clock): rates fall, quiet flows end. */
  advance(nowSeconds: number): void;
  /** The newest capture time seen or advanced to (seconds), or null before any. */
  readonly clock: number | null;
  onFlowEvicted(cb: (flow: FlowRef, reason: EvictReason) => void): void;
  summary(): ReadSummary;
  readonly stats: EngineStats;
  readonly timeline: Timeline;
}

const APP_CODES: (FlowApp | null)[] = [null, ...FLOW_APPS];
const PROTO_NAMES: Record<number, FlowRecord['proto']> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6', 132: 'sctp', 47: 'gre', 50: 'esp' };
const EMPTY: string[] = [];
const NO_KEYS = new Uint32Array(0);
const ATTRIBUTION_RETRY_S = 0.25;
const ATTRIBUTION_YOUNG_S = 5;
const MAX_PENDING_ATTRIBUTION = 4096;
/** A flow's DPI is also dropped once the flow has been quiet this long (packet time): DPI state is for young flows. */
const DPI_IDLE_S = 5;

/** A flow's labels as its record and JSON line give them (labelsOf). */
interface FlowLabels {
  app: FlowApp | null;
  host: string | null;
  queries: readonly string[];
  dropped: number;
  dhcp: DhcpInfo | null;
}

/** What few flows need beyond the table and the host/app columns; kept in a sparse map by slot. */
interface FlowExtra {
  dnsQueriesDropped: number;
  /** What a DHCP flow said of its client. */
  dhcp: DhcpInfo | null;
  /** The full DPI facts (detail mode only). */
  detail: DpiFacts | null;
  /** The process at the `local` end; with both ends local, `peer` is the other end's. */
  owner: SocketOwner | null;
  local: 'src' | 'dst' | null;
  peer: SocketOwner | null;
}

/**
 * A flat copy of a string. A name built a character at a time is a chain of cons-string nodes to V8 (tens of bytes
 * per character) until flattened; a flow keeping such a name for its lifetime keeps a flat copy.
 */
function flat(s: string): string {
  return s.length < 2 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

function grown(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function grown64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

/** FTP data connections (and SIP media ports) announced and not yet seen, at most this many (the oldest forgotten first). */
const MAX_FTP_EXPECTED = 256;

function factsEmpty(f: DpiFacts): boolean {
  return f.app === null && f.sni === null && f.httpHost === null && f.proxyTarget === null && f.sshClient === null && f.sshServer === null &&
    f.dnsQueries.length === 0 && f.dnsAnswers.length === 0 && f.dnsRcode === null && f.alpn.length === 0 && f.dhcp === null;
}

/**
 * The engine's counters, written per packet. A class, not an object literal with getters: V8 keeps such a literal in
 * dictionary mode, which turns every `packets++` into a generic property lookup. The table's counters are read
 * through, so stats are current after any push, sweep or eviction.
 */
class FlowEngineStats implements EngineStats {
  packets = 0;
  bytes = 0;
  arp = 0;
  undecoded = 0;
  flows = 0;
  firstTs: number | null = null;
  lastTs: number | null = null;
  dpiErrors = 0;
  bytesDown = 0;
  bytesUp = 0;
  readonly dpiRefused: Readonly<DpiRefusals>;
  readonly undecodedLinkTypes: ReadonlyMap<number, number>;
  readonly socketEvents: Readonly<SocketEventCounts> | null;
  private readonly table: FlowTable;
  private readonly info: PacketInfo;

  constructor(table: FlowTable, info: PacketInfo, refused: Readonly<DpiRefusals>, linkTypes: ReadonlyMap<number, number>, sockets: Readonly<SocketEventCounts> | null) {
    this.table = table;
    this.info = info;
    this.dpiRefused = refused;
    this.undecodedLinkTypes = linkTypes;
    this.socketEvents = sockets;
  }

  get liveFlows(): number { return this.table.live; }
  get evictedByCap(): number { return this.table.evictedByCap; }
  get evictedIdle(): number { return this.table.evictedIdle; }
  get expired(): number { return this.table.evictedIdle + this.table.evictedByCap; }
  get ipv6ExtChainTooLong(): number { return this.info.ipv6ExtChainTooLong; }
  get tunnelTooDeep(): number { return this.info.tunnelTooDeep; }
}

class FlowEngine implements Engine {
  readonly stats: FlowEngineStats;
  private readonly reader: CaptureReader;
  private readonly table: FlowTable;
  private readonly info = new PacketInfo();
  private readonly frags = new FragmentMap();
  private readonly names: NameCache = createNameCache();
  private readonly detail: boolean;
  private readonly useDpi: boolean;
  private readonly maxDpi: number;
  private readonly attributor: SocketAttributor | null;
  private readonly sockets: SocketAttribution | null;
  // The per-slot columns below start empty and are grown by the first flow, so each is reassigned before any code
  // is optimized against it (V8 would otherwise treat the field as constant and deoptimize all that code later).
  /** Per slot: 1 when the /proc attributor found the flow's socket but not its process. */
  private missExited = new Uint8Array(0);
  private readonly geo: GeoLookup | null;
  private readonly dpi: (FlowDpi | null)[] = [];
  private readonly dpiGuard: DpiGuard;
  private readonly dpiPool: FlowDpiPool;
  /** DPI host (flag F_HOST_DPI) or the name cache's name for the responder when the flow was created. */
  private readonly hosts: (string | null)[] = [];
  private apps = new Uint8Array(0);
  /** Per slot: index of the flow's tunnel in `tunnels`, 0 for none; allocated with the first tunnelled flow. */
  private tunnelOf: Uint32Array = new Uint32Array(0);
  /** ICMP type << 8 | code of each flow's first packet. */
  private icmpOf: Uint16Array = new Uint16Array(0);
  private readonly tunnels = new TunnelTable();
  /** Per slot: the FTP control flow's id for a data connection, 0 for none; allocated with the first one. */
  private ftpControlOf: Float64Array = new Float64Array(0);
  /** "responder address port" of announced FTP data connections → the control flow's id. */
  private readonly ftpExpected = new ExpectedEndpoints<number>(MAX_FTP_EXPECTED);
  /** "address port" of RTP (and RTCP, port + 1) media announced by SIP's SDP and not yet seen. */
  private readonly rtpExpected = new ExpectedEndpoints<true>(MAX_FTP_EXPECTED);
  private readonly undecodedLinkTypes = new Map<number, number>();
  private readonly extra = new Map<number, FlowExtra>();
  /** The DNS names each flow asked, apart from `extra`: most flows that asked some keep nothing else. */
  private readonly queries = new Map<number, readonly string[]>();
  private readonly evictCbs: ((flow: FlowRef, reason: EvictReason) => void)[] = [];
  /** Per slot: 1 when the responder (dst) is this host, so its packets' direction is known per packet. */
  private localDst = new Uint8Array(0);
  readonly timeline = new Timeline();
  private idHint = 0;
  private pendingAttr: number[] = [];
  /** (slot, flow id) pairs of flows with a live FlowDpi, swept once a second of packet time. */
  private dpiActive: number[] = [];
  private nextDpiSweep = -Infinity;
  private lastAttrRetry = -Infinity;
  private readonly ctx: PayloadContext = { proto: 6, fromInitiator: true, srcPort: 0, dstPort: 0, seq: 0, ts: 0 };
  private readonly currentId = (s: number) => this.table.ids[s];

  constructor(o: EngineOptions) {
    this.detail = o.detail ?? true;
    this.useDpi = o.dpi ?? true;
    const guard = createDpiGuard(o.dpiLimits);
    this.dpiGuard = guard;
    this.dpiPool = new FlowDpiPool(this.names, guard);
    const info = this.info;
    this.maxDpi = Math.max(1, Math.min(255, o.maxDpiPackets ?? 32));
    this.attributor = o.attributor ?? null;
    this.sockets = o.socketAttribution ?? null;
    this.sockets?.attach((key, owner, wildcard) => this.eventMatch(key, owner, wildcard));
    this.geo = o.geo === undefined ? defaultGeo() : o.geo;
    const table = new FlowTable({ maxFlows: o.maxFlows, idleTimeouts: o.idleTimeouts, track: this.detail, retainEnded: o.retainEnded, onEvict: (s, r) => this.evicted(s, r) });
    this.table = table;
    this.stats = new FlowEngineStats(table, info, guard.refused, this.undecodedLinkTypes, this.sockets?.counts ?? null);
    this.reader = new CaptureReader((buf, off, h) => this.ingest(buf, off, h));
  }

  push(chunk: Uint8Array): void {
    try {
      this.reader.push(chunk);
    } finally {
      this.syncTimes();
    }
  }

  end(): void {
    this.reader.end();
  }

  pushSocketEvents(chunk: Uint8Array): void {
    this.sockets?.push(chunk, this.table.clock);
  }

  get completeBytes(): number {
    return this.reader.offset;
  }

  get clock(): number | null {
    const c = this.table.clock;
    return c > -Infinity ? c : null;
  }

  get slotCount(): number {
    return this.table.used;
  }

  get size(): number {
    return this.table.live;
  }

  idAt(slot: number): number {
    return this.table.ids[slot];
  }

  textVersionAt(slot: number): number {
    return this.table.textVersion[slot];
  }

  tcpSynSeenAt(slot: number): boolean {
    return this.table.synSeen(slot);
  }

  row(slot: number, rates: boolean): FlowRow {
    return this.toRow(slot, rates);
  }

  numberKey(column: NumberColumn, s: number, rates: boolean): number {
    const t = this.table;
    switch (column) {
      case 'bytes':
        return t.rec[s * REC + R_BYTES_FWD] + t.rec[s * REC + R_BYTES_REV];
      case 'packets':
        return t.rec[s * REC + R_PKTS_FWD] + t.rec[s * REC + R_PKTS_REV];
      case 'first_seen':
        return t.rec[s * REC + R_FIRST];
      case 'last_seen':
        return t.rec[s * REC + R_LAST];
      case 'down':
        // Towards this host: rev when src is local (or no end is known), else fwd.
        return rates ? t.rate(s, this.localDst[s] === 1 ? 0 : 1, 1) : 0;
      case 'up':
        return rates ? t.rate(s, this.localDst[s] === 1 ? 1 : 0, 1) : 0;
    }
  }

  packetsAt(s: number, d: 0 | 1): number {
    return this.table.rec[s * REC + R_PKTS_FWD + d];
  }

  bytesAt(s: number, d: 0 | 1): number {
    return this.table.rec[s * REC + R_BYTES_FWD + d];
  }

  drainChanged(cb: (slot: number) => void): void {
    this.table.drainChanged(cb);
  }

  slotOfId(id: number): number {
    const ids = this.table.ids;
    const h = this.idHint;
    if (h < this.table.used && ids[h] === id) return h;
    for (let s = 0; s < this.table.used; s++) {
      if (ids[s] === id) {
        this.idHint = s;
        return s;
      }
    }
    return -1;
  }

  advance(now: number): void {
    this.table.advance(now);
  }

  packet(buf: Uint8Array, off: number, caplen: number, wire: number, ts: number, linktype: number): void {
    const h = this.fed;
    h.caplen = caplen;
    h.wirelen = wire;
    h.ts = ts;
    h.linktype = linktype;
    this.ingest(buf, off, h);
    this.syncTimes();
  }

  /**
   * The first and last packet times, kept per packet in number-only fields (storing into the stats' number-or-null
   * fields would allocate a heap number per packet) and copied into stats after each push.
   */
  private minTs = Infinity;
  private maxTs = -Infinity;

  private syncTimes(): void {
    if (this.minTs === Infinity) return;
    this.stats.firstTs = this.minTs;
    this.stats.lastTs = this.maxTs;
  }

  /** The header of a packet fed directly (packet()). */
  private readonly fed = new RecordHeader();

  private ingest(buf: Uint8Array, off: number, h: RecordHeader): void {
    const caplen = h.caplen;
    const wire = h.wirelen;
    const ts = h.ts;
    const linktype = h.linktype;
    const st = this.stats;
    st.packets++;
    st.bytes += wire;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    const p = this.info;
    p.ts = ts;
    const r = linktype < 0 ? 0 : decodePacket(buf, off, caplen, linktype, p);
    if (r === DECODED_IP) {
      const t = this.table;
      const s = t.update(buf, p, wire);
      if (t.lastCreated) this.created(s, buf, p);
      this.direction(ts, wire, (this.localDst[s] === 1) === t.lastFromInit);
      if (p.fragFirst) this.frags.remember(buf, p, s, t.ids[s]);
      if (p.payloadLen > 0 && (p.proto === 6 || p.proto === 17) && this.useDpi && (t.meta[s * META + M_FLAGS] & F_DPI_DONE) === 0) this.inspect(s, p, buf);
      if (t.clock >= this.nextDpiSweep) this.sweepDpi();
      if (this.attributor && this.pendingAttr.length > 0 && t.clock - this.lastAttrRetry >= ATTRIBUTION_RETRY_S) this.retryAttribution();
    } else if (r === DECODED_FRAGMENT) {
      const s = this.frags.lookup(buf, p, this.currentId);
      if (s >= 0) {
        const fromInit = this.table.isInitiatorAddress(s, buf, p.srcOff, p.family);
        this.table.count(s, fromInit, wire, p);
        this.direction(ts, wire, (this.localDst[s] === 1) === fromInit);
      } else {
        st.undecoded++;
        this.direction(ts, wire, false);
      }
    } else {
      if (r === DECODED_ARP) st.arp++;
      else {
        st.undecoded++;
        if (!isDecodedLinkType(linktype)) this.undecodedLinkTypes.set(linktype, (this.undecodedLinkTypes.get(linktype) ?? 0) + 1);
      }
      // Frames of no flow have no known direction: counted as from this host.
      this.direction(ts, wire, false);
    }
  }

  /** Directions and the timeline are for live views (detail mode); `read` prints neither. */
  private direction(ts: number, wire: number, towardsHost: boolean): void {
    if (!this.detail) return;
    if (towardsHost) this.stats.bytesDown += wire;
    else this.stats.bytesUp += wire;
    this.timeline.add(ts, wire, towardsHost);
  }

  *flows(): Iterable<FlowRef> {
    yield* this.table.slots();
  }

  toRecord(s: FlowRef): FlowRecord {
    const t = this.table;
    const fam = t.family(s);
    const proto = t.proto(s);
    const dst = formatAddress(t.keys, t.dstIndex(s), fam);
    const x = this.extra.get(s);
    const { app, host, queries, dropped, dhcp } = this.labelsOf(s, x);
    const src = formatAddress(t.keys, t.srcIndex(s), fam);
    const sg = this.geoOf(t.srcIndex(s), fam, src);
    const dg = this.geoOf(t.dstIndex(s), fam, dst);
    const r: FlowRecord = {
      type: 'flow',
      id: t.ids[s],
      proto: PROTO_NAMES[proto] ?? 'other',
      src,
      sport: t.srcPort(s),
      dst,
      dport: t.dstPort(s),
      src_country: sg.country,
      dst_country: dg.country,
      src_asn: sg.asn,
      dst_asn: dg.asn,
      src_as_name: sg.asName,
      dst_as_name: dg.asName,
      packets_fwd: t.rec[s * REC + R_PKTS_FWD],
      bytes_fwd: t.rec[s * REC + R_BYTES_FWD],
      packets_rev: t.rec[s * REC + R_PKTS_REV],
      bytes_rev: t.rec[s * REC + R_BYTES_REV],
      first_seen: round6(t.rec[s * REC + R_FIRST]),
      last_seen: round6(t.rec[s * REC + R_LAST]),
      state: STATE_NAMES[t.meta[s * META + M_STATE]],
      app,
      host: host ?? this.names.lookup(dst) ?? this.hosts[s] ?? null,
      dns_queries: queries.slice(),
      pid: x?.owner?.pid ?? null,
      process: x?.owner?.process ?? null,
      tunnel: this.tunnelRecord(s),
    };
    if (dropped > 0) r.dns_queries_dropped = dropped;
    if (proto === 1 || proto === 58) {
      r.icmp_type = this.icmpOf[s] >>> 8;
      r.icmp_code = this.icmpOf[s] & 255;
    }
    if (dhcp?.hostname != null) r.dhcp_hostname = dhcp.hostname;
    if (dhcp?.vendorClass != null) r.dhcp_vendor_class = dhcp.vendorClass;
    if (s < this.ftpControlOf.length && this.ftpControlOf[s] > 0) r.ftp_control = this.ftpControlOf[s];
    const own = x?.owner ?? null;
    if (own?.user != null) r.user = own.user;
    const peer = x?.peer ?? null;
    if (peer !== null) {
      r.peer_pid = peer.pid;
      r.peer_process = peer.process;
      r.peer_user = peer.user;
    }
    const unknown = this.unknownReason(s, own);
    if (unknown !== null) r.process_unknown = unknown;
    return r;
  }

  private tunnelRecord(s: number): FlowTunnel | null {
    const t = this.tunnels.at(this.tunnelOf[s] ?? 0);
    return t === null ? null : { kinds: t.kinds.slice(), src: t.src, dst: t.dst };
  }

  private readonly line = new FlowLineValues();
  private readonly labels: FlowLabels = { app: null, host: null, queries: EMPTY, dropped: 0, dhcp: null };

  /**
   * What a flow's record and its JSON line say it is: DPI's facts while it is inspected, else what was kept when
   * inspection ended. One reused object: read it before the next call.
   */
  private labelsOf(s: number, x: FlowExtra | undefined): FlowLabels {
    const l = this.labels;
    const f = this.dpi[s]?.facts;
    if (f) {
      l.app = f.app;
      l.host = f.sni ?? f.httpHost ?? f.proxyTarget;
      l.queries = f.dnsQueries;
      l.dropped = f.dnsQueriesDropped;
      l.dhcp = f.dhcp;
    } else {
      l.app = APP_CODES[this.apps[s]] ?? null;
      l.host = (this.table.meta[s * META + M_FLAGS] & F_HOST_DPI) !== 0 ? this.hosts[s] : null;
      l.queries = this.queries.get(s) ?? EMPTY;
      l.dropped = x?.dnsQueriesDropped ?? 0;
      l.dhcp = x?.dhcp ?? null;
    }
    return l;
  }

  /** Country and AS of the address at `at` in the table's key words (IPv4 straight from its word, cached per address). */
  private geoOf(at: number, fam: number, text: string | null): GeoInfo {
    const g = this.geo;
    if (g === null) return NO_GEO;
    const keys = this.table.keys;
    if (fam === 4) return g.v4(keys[at]);
    return g.v6(keys, at, text ?? formatAddress(keys, at, fam));
  }

  writeFlowJson(s: FlowRef, w: FlowJsonWriter): void {
    const t = this.table;
    const v = this.line;
    const fam = t.family(s);
    const x = this.extra.get(s);
    const labels = this.labelsOf(s, x);
    let host = labels.host;
    v.dstText = null;
    // As toRecord: the name cache is asked about the responder only when the flow has no host of its own (an
    // empty cache knows nothing, so its address is not formatted then).
    if (host === null && this.names.size > 0) {
      if (fam === 4) host = this.names.lookup4(t.keys[t.dstIndex(s)]);
      else {
        v.dstText = formatAddress(t.keys, t.dstIndex(s), fam);
        host = this.names.lookup(v.dstText);
      }
    }
    v.id = t.ids[s];
    v.proto = PROTO_NAMES[t.proto(s)] ?? 'other';
    v.family = fam;
    v.words = t.keys;
    v.srcAt = t.srcIndex(s);
    v.dstAt = t.dstIndex(s);
    v.sport = t.srcPort(s);
    v.dport = t.dstPort(s);
    v.srcGeo = this.geoOf(v.srcAt, fam, null);
    v.dstGeo = this.geoOf(v.dstAt, fam, v.dstText);
    v.packetsFwd = t.rec[s * REC + R_PKTS_FWD];
    v.bytesFwd = t.rec[s * REC + R_BYTES_FWD];
    v.packetsRev = t.rec[s * REC + R_PKTS_REV];
    v.bytesRev = t.rec[s * REC + R_BYTES_REV];
    v.firstSeen = round6(t.rec[s * REC + R_FIRST]);
    v.lastSeen = round6(t.rec[s * REC + R_LAST]);
    v.state = STATE_NAMES[t.meta[s * META + M_STATE]];
    v.app = labels.app;
    v.host = host ?? this.hosts[s] ?? null;
    v.dnsQueries = labels.queries;
    v.pid = x?.owner?.pid ?? null;
    v.process = x?.owner?.process ?? null;
    v.tunnelJson = this.tunnels.jsonAt(this.tunnelOf[s] ?? 0);
    v.dnsQueriesDropped = labels.dropped;
    const pr = t.proto(s);
    v.icmp = pr === 1 || pr === 58 ? this.icmpOf[s] : -1;
    v.dhcpHostname = labels.dhcp?.hostname ?? null;
    v.dhcpVendorClass = labels.dhcp?.vendorClass ?? null;
    v.ftpControl = s < this.ftpControlOf.length ? this.ftpControlOf[s] : 0;
    v.user = x?.owner?.user ?? null;
    v.peer = x?.peer ?? null;
    v.processUnknown = this.unknownReason(s, x?.owner ?? null);
    w.flowValues(v);
    v.words = NO_KEYS;
    v.dnsQueries = EMPTY;
  }

  toRow(s: FlowRef, rates = true): FlowRow {
    const t = this.table;
    const x = this.extra.get(s);
    const d = this.dpi[s]?.facts ?? x?.detail ?? null;
    const own = x?.owner ?? null;
    const rate = (dir: number, secs: number) => (rates ? t.rate(s, dir, secs) : 0);
    const row: FlowRow = {
      ...this.toRecord(s),
      sni: d?.sni ?? null,
      alpn: d ? d.alpn.slice() : [],
      http_host: d?.httpHost ?? null,
      ssh_client: d?.sshClient ?? null,
      ssh_server: d?.sshServer ?? null,
      dns_answers: d ? d.dnsAnswers.slice() : [],
      dns_rcode: d?.dnsRcode ?? null,
      rate_fwd_1s: rate(0, 1),
      rate_rev_1s: rate(1, 1),
      rate_fwd_10s: rate(0, 10),
      rate_rev_10s: rate(1, 10),
      exe: own?.exe ?? null,
      cmdline: own?.cmdline ?? null,
      process_hidden: own?.hidden ?? false,
      local: x?.local ?? null,
      ended: t.isEnded(s),
    };
    if (!this.attributing) row.process_unknown = 'file';
    return row;
  }

  onFlowEvicted(cb: (flow: FlowRef, reason: EvictReason) => void): void {
    this.evictCbs.push(cb);
  }

  summary(): ReadSummary {
    const st = this.stats;
    return {
      type: 'summary',
      packets: st.packets,
      bytes: st.bytes,
      flows: st.flows,
      evicted_by_cap: st.evictedByCap,
      arp: st.arp,
      undecoded: st.undecoded,
      ipv6_ext_chain_too_long: st.ipv6ExtChainTooLong,
      tunnel_too_deep: st.tunnelTooDeep,
      undecoded_link_types: this.linkTypeCounts(),
      dpi_refused: {
        buffer_budget: st.dpiRefused.bufferBudget,
        inspectors: st.dpiRefused.inspectors,
        quic_derivations: st.dpiRefused.quicDerivations,
        quic_other_dcid: st.dpiRefused.quicOtherDcid,
      },
      first_ts: st.firstTs === null ? null : round6(st.firstTs),
      last_ts: st.lastTs === null ? null : round6(st.lastTs),
    };
  }

  private linkTypeCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [lt, n] of [...this.undecodedLinkTypes].sort((a, b) => a[0] - b[0])) out[linkTypeName(lt)] = n;
    return out;
  }

  /** Names processes at all (a live capture); a file's flows are not attributable. */
  private get attributing(): boolean {
    return this.attributor !== null || this.sockets !== null;
  }

  /** Why a live flow has no process (its record's process_unknown), null when it has one or the engine names none. */
  private unknownReason(s: number, own: SocketOwner | null): ProcessUnknown | null {
    if (!this.attributing || own?.pid != null) return null;
    if (own?.hidden) return 'other_user';
    return this.missExited[s] === 1 ? 'exited' : 'no_socket';
  }

  private extraOf(s: number): FlowExtra {
    let x = this.extra.get(s);
    if (!x) {
      x = { dnsQueriesDropped: 0, dhcp: null, detail: null, owner: null, local: null, peer: null };
      this.extra.set(s, x);
    }
    return x;
  }

  private created(s: number, buf: Uint8Array, p: PacketInfo): void {
    const t = this.table;
    this.stats.flows++;
    this.dpi[s]?.close();
    this.dpi[s] = null;
    if (s >= this.apps.length) {
      const n = Math.max(s + 1, 1024, this.apps.length * 2);
      const a = new Uint8Array(n);
      a.set(this.apps);
      this.apps = a;
      const l = new Uint8Array(n);
      l.set(this.localDst);
      this.localDst = l;
      const m = new Uint8Array(n);
      m.set(this.missExited);
      this.missExited = m;
      if (this.tunnelOf.length > 0) this.tunnelOf = grown(this.tunnelOf, n);
      if (this.ftpControlOf.length > 0) this.ftpControlOf = grown64(this.ftpControlOf, n);
    }
    if (this.icmpOf.length < this.apps.length) {
      const ic = new Uint16Array(this.apps.length);
      ic.set(this.icmpOf);
      this.icmpOf = ic;
    }
    this.icmpOf[s] = (p.icmpType << 8) | p.icmpCode;
    if (p.tunnelDepth > 0) {
      if (this.tunnelOf.length === 0) this.tunnelOf = new Uint32Array(this.apps.length);
      this.tunnelOf[s] = this.tunnels.intern(buf, p);
    } else if (this.tunnelOf.length > 0) {
      this.tunnelOf[s] = 0;
    }
    this.apps[s] = 0;
    this.localDst[s] = 0;
    if (this.ftpControlOf.length > 0) this.ftpControlOf[s] = 0;
    if (this.ftpExpected.size > 0 && t.proto(s) === 6) this.linkFtpData(s);
    if (this.rtpExpected.size > 0 && t.proto(s) === 17) this.linkRtp(s);
    this.missExited[s] = 0;
    // The name cache only holds names once DNS was seen; an IPv4 responder is asked by its key word, unformatted.
    this.hosts[s] = this.names.size > 0 ? this.nameOfDst(s) : null;
    const proto = t.proto(s);
    if (this.sockets !== null && (proto === 6 || proto === 17) && this.takeEvents(s)) {
      this.peerFromProc(s);
      return;
    }
    if (this.attributor && (proto === 6 || proto === 17) && !this.attribute(s)) {
      // The first retry comes 250 ms after the first attempt, not with the next packet.
      if (this.pendingAttr.length === 0) this.lastAttrRetry = t.clock;
      if (this.pendingAttr.length < MAX_PENDING_ATTRIBUTION * 2) this.pendingAttr.push(s, t.ids[s]);
    }
  }

  /** The name cache's name for flow s's responder. */
  private nameOfDst(s: number): string | null {
    const t = this.table;
    const fam = t.family(s);
    const at = t.dstIndex(s);
    return fam === 4 ? this.names.lookup4(t.keys[at]) : this.names.lookup(formatAddress(t.keys, at, fam));
  }

  private inspect(s: number, p: PacketInfo, buf: Uint8Array): void {
    const t = this.table;
    let d = this.dpi[s];
    if (!d) {
      d = this.dpiPool.open();
      if (d === null) {
        // Too many flows under inspection at once (counted by the guard): this one goes uninspected.
        t.meta[s * META + M_FLAGS] |= F_DPI_DONE;
        return;
      }
      this.dpi[s] = d;
      this.dpiActive.push(s, t.ids[s]);
    }
    const c = this.ctx;
    c.proto = p.proto === 6 ? 6 : 17;
    c.fromInitiator = t.lastFromInit;
    c.srcPort = t.srcPort(s);
    c.dstPort = t.dstPort(s);
    c.seq = p.seq;
    c.ts = p.ts;
    let done: boolean;
    try {
      done = d.inspect(c, buf, p.payloadOff, p.payloadLen);
    } catch {
      // A DPI module tripping over a hostile payload must not stop the capture: stop inspecting this flow.
      this.stats.dpiErrors++;
      done = true;
    }
    if (d.facts.ftpAnnounced !== 0) this.expectFtpData(s, d.facts);
    if (d.facts.mediaAnnounced !== null) this.expectRtp(d.facts);
    if (done || ++t.meta[s * META + M_AUX] >= this.maxDpi) this.finishDpi(s, d);
  }

  /** The FTP control flow in s announced a data port: the next TCP flow to it (on that side's address) is its data. */
  private expectFtpData(s: number, f: DpiFacts): void {
    const t = this.table;
    const a = f.ftpAnnounced;
    f.ftpAnnounced = 0;
    const serverIsDst = t.dstPort(s) === FTP_PORT;
    // Passive: the client connects to the server's port; active: the server connects to the client's.
    const toDst = (a & FTP_PASSIVE) !== 0 ? serverIsDst : !serverIsDst;
    const fam = t.family(s);
    this.ftpExpected.set(`${formatAddress(t.keys, toDst ? t.dstIndex(s) : t.srcIndex(s), fam)} ${a & 0xffff}`, t.ids[s]);
  }

  /** SIP announced media at "address port": UDP flows to or from it (and port + 1, RTCP) are rtp. */
  private expectRtp(f: DpiFacts): void {
    const m = f.mediaAnnounced!;
    f.mediaAnnounced = null;
    const sp = m.indexOf(' ');
    const e = this.rtpExpected;
    e.set(m, true);
    e.set(`${m.slice(0, sp)} ${Number(m.slice(sp + 1)) + 1}`, true);
  }

  /** A new UDP flow to or from media SIP announced: labelled rtp; its payload is not inspected. */
  private linkRtp(s: number): void {
    const t = this.table;
    const fam = t.family(s);
    const e = this.rtpExpected;
    const dp = t.dstPort(s);
    const sp = t.srcPort(s);
    if (!e.hasPort(dp) && !e.hasPort(sp)) return;
    if (e.take(`${formatAddress(t.keys, t.dstIndex(s), fam)} ${dp}`) === undefined && e.take(`${formatAddress(t.keys, t.srcIndex(s), fam)} ${sp}`) === undefined) return;
    this.apps[s] = APP_CODES.indexOf('rtp');
    t.meta[s * META + M_FLAGS] |= F_DPI_DONE;
  }

  /** A new TCP flow that an FTP control flow announced: labelled ftp-data and linked; its payload is not inspected. */
  private linkFtpData(s: number): void {
    const t = this.table;
    const dp = t.dstPort(s);
    if (!this.ftpExpected.hasPort(dp)) return;
    const control = this.ftpExpected.take(`${formatAddress(t.keys, t.dstIndex(s), t.family(s))} ${dp}`);
    if (control === undefined) return;
    if (this.ftpControlOf.length === 0) this.ftpControlOf = new Float64Array(this.apps.length);
    this.ftpControlOf[s] = control;
    this.apps[s] = APP_CODES.indexOf('ftp-data');
    t.meta[s * META + M_FLAGS] |= F_DPI_DONE;
  }

  private sweepDpi(): void {
    const t = this.table;
    this.nextDpiSweep = t.clock + 1;
    const q = this.dpiActive;
    let n = 0;
    for (let i = 0; i < q.length; i += 2) {
      const s = q[i];
      const d = this.dpi[s];
      if (t.ids[s] !== q[i + 1] || !d) continue;
      if (t.clock - t.rec[s * REC + R_LAST] > DPI_IDLE_S) {
        this.finishDpi(s, d);
        continue;
      }
      q[n++] = s;
      q[n++] = q[i + 1];
    }
    q.length = n;
  }

  private finishDpi(s: number, d: FlowDpi): void {
    const t = this.table;
    t.meta[s * META + M_FLAGS] |= F_DPI_DONE;
    this.dpi[s] = null;
    d.close();
    this.keepFacts(s, d.facts);
    // Detail mode keeps the facts object itself; else everything wanted is copied out and the inspector reused.
    if (!this.detail) this.dpiPool.recycle(d);
  }

  private keepFacts(s: number, f: DpiFacts): void {
    const t = this.table;
    if (factsEmpty(f)) return;
    t.markText(s);
    this.apps[s] = Math.max(0, APP_CODES.indexOf(f.app));
    // SNI, HTTP Host and DNS names are each one latin1 slice of the packet, flat already; a proxy's target may be
    // built a character at a time.
    const host = f.sni ?? f.httpHost ?? (f.proxyTarget === null ? null : flat(f.proxyTarget));
    if (host !== null) {
      this.hosts[s] = host;
      t.meta[s * META + M_FLAGS] |= F_HOST_DPI;
    }
    // A copy of exact length: the facts' list has room to grow.
    if (f.dnsQueries.length) this.queries.set(s, f.dnsQueries.slice());
    if (f.dnsQueriesDropped > 0 || f.dhcp !== null || this.detail) {
      const x = this.extraOf(s);
      x.dnsQueriesDropped = f.dnsQueriesDropped;
      if (f.dhcp !== null) x.dhcp = f.dhcp;
      if (this.detail) x.detail = f;
    }
  }

  private attribute(s: number): boolean {
    const a = this.attributor;
    if (!a) return false;
    const t = this.table;
    const fam = t.family(s);
    const proto = t.proto(s) === 6 ? 'tcp' : 'udp';
    const sp = t.srcPort(s);
    const dp = t.dstPort(s);
    // Most flows of a flood have no local socket at all: tell that by port before formatting addresses.
    if (a.hasPort && !a.hasPort(proto, sp) && !a.hasPort(proto, dp)) return false;
    const src = formatAddress(t.keys, t.srcIndex(s), fam);
    const dst = formatAddress(t.keys, t.dstIndex(s), fam);
    try {
      let owner = a.lookup(proto, src, sp, dst, dp);
      let local: 'src' | 'dst' = 'src';
      if (!owner) {
        owner = a.lookup(proto, dst, dp, src, sp);
        local = 'dst';
      }
      if (!owner) {
        if (a.lastMissFoundSocket) this.missExited[s] = 1;
        return false;
      }
      this.setOwner(s, local === 'src', owner);
      return true;
    } catch {
      return false;
    }
  }

  /** Names flow s's ends from the socket events waiting for them; true when one was. */
  private takeEvents(s: number): boolean {
    const sk = this.sockets;
    if (sk === null || sk.waiting === 0) return false;
    const t = this.table;
    const fam = t.family(s);
    const proto = t.proto(s);
    const src = t.srcIndex(s);
    const dst = t.dstIndex(s);
    const sp = t.srcPort(s);
    const dp = t.dstPort(s);
    const a = sk.take(t.keys, src, sp, dst, dp, proto, fam, t.clock);
    const b = sk.take(t.keys, dst, dp, src, sp, proto, fam, t.clock);
    if (a !== null) this.setOwner(s, true, a);
    if (b !== null) this.setOwner(s, false, b);
    return a !== null || b !== null;
  }

  /**
   * A flow named by one event whose other end is a local socket without an event of its own (a server listening
   * since before the helper attached reports no pid): /proc may name that end.
   */
  private peerFromProc(s: number): void {
    const a = this.attributor;
    const x = this.extra.get(s);
    if (!a || !x || x.peer !== null || x.local === null) return;
    const t = this.table;
    const fam = t.family(s);
    const proto = t.proto(s) === 6 ? 'tcp' : 'udp';
    const otherIsDst = x.local === 'src';
    const port = otherIsDst ? t.dstPort(s) : t.srcPort(s);
    if (a.hasPort && !a.hasPort(proto, port)) return;
    const near = formatAddress(t.keys, otherIsDst ? t.dstIndex(s) : t.srcIndex(s), fam);
    const far = formatAddress(t.keys, otherIsDst ? t.srcIndex(s) : t.dstIndex(s), fam);
    try {
      const owner = a.lookup(proto, near, port, far, otherIsDst ? t.srcPort(s) : t.dstPort(s));
      if (owner !== null && owner.pid !== null) this.setOwner(s, !otherIsDst, owner);
    } catch { /* /proc unreadable: the end stays unnamed */ }
  }

  /**
   * An event for a flow the table may hold (key: its local end first); true when it named one. A wildcard-bound
   * socket's event (`wildcard`) does not rename an end another process's event named.
   */
  private eventMatch(k: Uint32Array, owner: SocketOwner, wildcard: boolean): boolean {
    const t = this.table;
    const s = t.findEndpoints(k);
    if (s < 0 || t.isEnded(s)) return false;
    // Which end is the event's: the initiator's address and port, or the responder's.
    const src = t.srcIndex(s);
    const n = ((k[9] >>> 8) & 0xff) === 6 ? 4 : 1;
    let isSrc = t.srcPort(s) === k[8] >>> 16;
    for (let i = 0; i < n && isSrc; i++) isSrc = t.keys[src + i] === k[i];
    const x = this.extra.get(s);
    const held = x === undefined ? null : x.local === (isSrc ? 'src' : 'dst') ? x.owner : x.peer;
    // The usual case: a process sending again on a flow already named.
    if (held === owner) return true;
    if (wildcard && held !== null && held.pid !== null && held.pid !== owner.pid) return false;
    const first = x?.owner == null;
    this.setOwner(s, isSrc, owner);
    if (first) this.peerFromProc(s);
    return true;
  }

  /**
   * Names the process at one end of flow s. The flow's owner (at its `local` end) is the first end named; when the
   * other end is local too it is the peer, and the initiator's process is the owner (a loopback flow is the client's).
   * A /proc placeholder without a pid (another user's socket) gives way to a named process.
   */
  private setOwner(s: number, isSrc: boolean, owner: SocketOwner): void {
    const x = this.extraOf(s);
    const side = isSrc ? 'src' : 'dst';
    if (x.owner === null || x.owner.pid === null) {
      x.peer = null;
    } else if (x.local === side) {
      if (x.owner === owner) return;
    } else if (isSrc) {
      x.peer = x.owner;
    } else {
      if (x.peer === owner) return;
      x.peer = owner;
      this.table.markText(s);
      return;
    }
    x.owner = owner;
    x.local = side;
    this.localDst[s] = isSrc ? 0 : 1;
    this.table.markText(s);
  }

  private retryAttribution(): void {
    const t = this.table;
    this.lastAttrRetry = t.clock;
    const next: number[] = [];
    const q = this.pendingAttr;
    for (let i = 0; i < q.length; i += 2) {
      const s = q[i];
      if (t.ids[s] !== q[i + 1] || this.extra.get(s)?.owner) continue;
      if (t.clock - t.rec[s * REC + R_FIRST] > ATTRIBUTION_YOUNG_S) continue;
      if (!this.attribute(s)) next.push(s, q[i + 1]);
    }
    this.pendingAttr = next;
  }

  private evicted(s: number, reason: EvictReason): void {
    const cbs = this.evictCbs;
    for (let i = 0; i < cbs.length; i++) cbs[i](s, reason);
    this.dpi[s]?.close();
    this.dpi[s] = null;
    this.hosts[s] = null;
    this.extra.delete(s);
    this.queries.delete(s);
  }
}

export function createEngine(opts: EngineOptions = {}): Engine {
  return new FlowEngine(opts);
}
