/**
 * Exports an engine's flows as IPFIX, the way a router's flow cache does:
 *
 * - a flow is exported when the engine evicts it (idle or the flow cap) and at the end (`finish`: stop, end of file);
 * - on a live capture `tick` (once a second) also exports a flow whose current record has run for the active
 *   timeout (a delta record, the flow goes on) and a flow quiet for the idle timeout (its delta so far; a later
 *   packet starts a new record of the same flow);
 * - each export sends the deltas since the last one, as one uniflow record per direction that has packets.
 *
 * Work happens per exported flow and once per tick (a scan of typed counters), never per packet. Messages go to a
 * transport that never blocks (transport.ts): a collector that is down costs dropped messages, not memory.
 */
import type { Engine, EvictReason } from '../../engine/engine.ts';
import type { FlowRow } from '../../shared/flow.ts';
import { MessagePacker } from './encoder.ts';
import { END_REASON, FLOW_TEMPLATES, addressBytes, recordValues, tcpFlagsOf, templateFor, type UniflowRecord } from './flow-templates.ts';
import type { IpfixTransport } from './transport.ts';

export const DEFAULT_ACTIVE_TIMEOUT_S = 60;
export const DEFAULT_IDLE_TIMEOUT_S = 15;
/**
 * 1400 octets: under a 1500-octet path MTU after IPv6 (40) and UDP (8) headers, with room for a tunnel or PPPoE on
 * the way, so a message is never fragmented (one lost fragment loses the whole datagram).
 */
export const DEFAULT_UDP_MESSAGE_BYTES = 1400;
export const DEFAULT_TCP_MESSAGE_BYTES = 8192;
/** UDP template refresh (RFC 7011 §8.4): whichever comes first. */
export const DEFAULT_TEMPLATE_REFRESH_S = 60;
export const DEFAULT_TEMPLATE_REFRESH_MESSAGES = 1000;

/** Longest a record waits in a part-filled message. */
export const FLUSH_DELAY_MS = 1000;
const PROTO_NUMBERS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132, gre: 47, esp: 50 };
const PORTED = new Set(['tcp', 'udp', 'sctp']);

export interface FlowExporterOptions {
  engine: Engine;
  transport: IpfixTransport;
  /** Seconds; only `tick` applies them (live captures). */
  activeTimeout?: number;
  idleTimeout?: number;
  maxMessageBytes?: number;
  observationDomainId?: number;
  /** UDP only: resend templates after this many seconds or messages. */
  templateRefreshSeconds?: number;
  templateRefreshMessages?: number;
  /** Octets of link header per packet, taken off the engine's frame lengths (see flow-templates.ts). */
  linkHeaderBytes?: number;
  /** Wall clock in ms (export time, template refresh). */
  now?: () => number;
}

export interface FlowExporterStats {
  records: number;
  messages: number;
  /** Flows of protocols without a number in the engine's record ('other'): not exported. */
  skipped: number;
}

export class FlowExporter {
  readonly stats: FlowExporterStats = { records: 0, messages: 0, skipped: 0 };
  linkHeaderBytes: number;
  private readonly engine: Engine;
  private readonly transport: IpfixTransport;
  private readonly active: number;
  private readonly idle: number;
  private readonly refreshS: number;
  private readonly refreshMsgs: number;
  private readonly now: () => number;
  private readonly packer: MessagePacker;
  private lastTemplates = -Infinity;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private messagesSinceTemplates = 0;
  // Per slot: the flow id the state is for, what was exported, and when the current record started (seconds).
  private ids = new Float64Array(1024);
  private pkts = new Float64Array(2048);
  private bytes = new Float64Array(2048);
  private start = new Float64Array(1024);

  constructor(o: FlowExporterOptions) {
    this.engine = o.engine;
    this.transport = o.transport;
    this.active = o.activeTimeout ?? DEFAULT_ACTIVE_TIMEOUT_S;
    this.idle = o.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_S;
    this.refreshS = o.templateRefreshSeconds ?? DEFAULT_TEMPLATE_REFRESH_S;
    this.refreshMsgs = o.templateRefreshMessages ?? DEFAULT_TEMPLATE_REFRESH_MESSAGES;
    this.linkHeaderBytes = o.linkHeaderBytes ?? 0;
    this.now = o.now ?? Date.now;
    const domain = o.observationDomainId ?? 1;
    this.packer = new MessagePacker({
      maxBytes: o.maxMessageBytes ?? (o.transport.kind === 'udp' ? DEFAULT_UDP_MESSAGE_BYTES : DEFAULT_TCP_MESSAGE_BYTES),
      observationDomainId: domain,
      onMessage: (m) => {
        this.stats.messages++;
        this.messagesSinceTemplates++;
        this.transport.send(m);
      },
    });
    // A stream transport sends the templates at the start of every connection, ahead of any data.
    this.transport.sessionStart(() => {
      const p: Uint8Array[] = [];
      const t = new MessagePacker({ maxBytes: 0xffff, observationDomainId: domain, onMessage: (m) => p.push(m) });
      t.recordsSent = this.packer.recordsSent;
      t.templates(FLOW_TEMPLATES, this.now() / 1000);
      t.flush(this.now() / 1000);
      return p;
    });
    this.engine.onFlowEvicted((slot, reason) => this.evicted(slot, reason));
  }

  /** Live captures, about once a second: active and idle timeouts on the engine's clock. */
  tick(): void {
    const e = this.engine;
    const clock = e.clock;
    if (clock === null) return;
    for (const s of e.flows()) {
      this.own(s);
      const total = e.numberKey('packets', s, false);
      if (total === this.pkts[2 * s] + this.pkts[2 * s + 1]) continue;
      if (clock - this.start[s] >= this.active) this.exportSlot(s, END_REASON.activeTimeout, null);
      else if (clock - e.numberKey('last_seen', s, false) >= this.idle) this.exportSlot(s, END_REASON.idleTimeout, null);
    }
    this.flush();
  }

  /**
   * Exports what every flow still holds (stop, end of file) and sends the last message, waiting for room in the
   * transport's queue as it goes (nothing feeds the engine any more, so its slots stay as they are).
   */
  async finish(): Promise<void> {
    const slots: number[] = [];
    for (const s of this.engine.flows()) slots.push(s);
    for (const s of slots) {
      this.exportSlot(s, END_REASON.forcedEnd, null);
      if (this.transport.busy) await this.transport.room();
    }
    this.flush();
  }

  flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.packer.flush(this.now() / 1000);
  }

  private evicted(slot: number, reason: EvictReason): void {
    this.exportSlot(slot, reason === 'cap' ? END_REASON.lackOfResources : END_REASON.idleTimeout, reason);
  }

  /** Makes the state of `s` that of the flow now in it. */
  private own(s: number): void {
    if (s >= this.ids.length) this.grow(s + 1);
    const id = this.engine.idAt(s);
    if (this.ids[s] === id) return;
    this.ids[s] = id;
    this.pkts[2 * s] = this.pkts[2 * s + 1] = 0;
    this.bytes[2 * s] = this.bytes[2 * s + 1] = 0;
    this.start[s] = this.engine.numberKey('first_seen', s, false);
  }

  private grow(n: number): void {
    const size = Math.max(n, this.ids.length * 2);
    const g = (a: Float64Array, k: number) => {
      const b = new Float64Array(size * k);
      b.set(a);
      return b;
    };
    this.ids = g(this.ids, 1);
    this.start = g(this.start, 1);
    this.pkts = g(this.pkts, 2);
    this.bytes = g(this.bytes, 2);
  }

  private exportSlot(s: number, reason: number, evict: EvictReason | null): void {
    this.own(s);
    const r: FlowRow = this.engine.toRow(s, false);
    const p = this.pkts;
    const b = this.bytes;
    const dpf = r.packets_fwd - p[2 * s];
    const dpr = r.packets_rev - p[2 * s + 1];
    if (dpf <= 0 && dpr <= 0) return;
    const proto = PROTO_NUMBERS[r.proto];
    const src = addressBytes(r.src);
    const dst = addressBytes(r.dst);
    if (proto === undefined || src === null || dst === null) {
      this.stats.skipped++;
    } else {
      // A closed or reset TCP flow ended by its own packets, whatever made it leave now (but the cap).
      if (reason !== END_REASON.activeTimeout && evict !== 'cap' && (r.state === 'closed' || r.state === 'reset')) reason = END_REASON.endOfFlow;
      else if (r.ended && reason === END_REASON.forcedEnd) reason = END_REASON.idleTimeout;
      const ported = PORTED.has(r.proto);
      const base: UniflowRecord = {
        src, dst,
        sport: ported ? r.sport : 0,
        dport: ported ? r.dport : 0,
        proto,
        tcpFlags: proto === 6 ? tcpFlagsOf(r.state, this.engine.tcpSynSeenAt(s)) : 0,
        octets: 0,
        packets: 0,
        startMs: Math.round(this.start[s] * 1000),
        endMs: Math.round(r.last_seen * 1000),
        endReason: reason,
        direction: r.local === 'src' ? 1 : r.local === 'dst' ? 0 : null,
        pid: r.pid,
        process: r.process,
        user: r.user,
        serverName: r.sni ?? r.http_host ?? r.host,
        app: r.app,
      };
      const link = this.linkHeaderBytes;
      if (dpf > 0) this.emit({ ...base, packets: dpf, octets: Math.max(0, r.bytes_fwd - b[2 * s] - link * dpf) });
      if (dpr > 0) {
        this.emit({
          ...base,
          src: dst, dst: src, sport: base.dport, dport: base.sport,
          packets: dpr,
          octets: Math.max(0, r.bytes_rev - b[2 * s + 1] - link * dpr),
          direction: base.direction === null ? null : base.direction === 1 ? 0 : 1,
        });
      }
    }
    p[2 * s] = r.packets_fwd;
    p[2 * s + 1] = r.packets_rev;
    b[2 * s] = r.bytes_fwd;
    b[2 * s + 1] = r.bytes_rev;
    // The next record of this flow starts where this one ended.
    this.start[s] = r.last_seen;
  }

  private emit(r: UniflowRecord): void {
    const t = this.now();
    if (this.transport.kind === 'udp' && (t - this.lastTemplates >= this.refreshS * 1000 || this.messagesSinceTemplates >= this.refreshMsgs)) {
      this.packer.templates(FLOW_TEMPLATES, t / 1000);
      this.lastTemplates = t;
      this.messagesSinceTemplates = 0;
    }
    this.packer.record(templateFor(r), recordValues(r), t / 1000);
    this.stats.records++;
    // A part-filled message goes out within FLUSH_DELAY_MS, so a quiet capture or a slow pipe does not hold records.
    if (this.flushTimer === null) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flush();
      }, FLUSH_DELAY_MS);
      this.flushTimer.unref();
    }
  }
}
