/**
 * Deep packet inspection entry points for the flow table: `createFlowDpi` makes a per-flow inspector that recognises
 * the application by content (ports are only a hint for DNS) from either direction, then hands payload to the
 * matching parser; `createNameCache` makes the shared address → name cache that DNS answers feed.
 */
import type { DpiFacts, FlowDpi, NameCache, PayloadContext } from './types.ts';
import { pushBounded, u16 } from './bytes.ts';
import { addressNames, looksLikeDns, parseDnsMessage, type DnsMessage } from './dns.ts';
import { httpMethodAt, looksLikeHttpResponse, parseHttpRequestHead, MAX_HEAD } from './http-request.ts';
import { LruNameCache } from './name-cache.ts';
import { QuicInitialReader, looksLikeQuicInitial, quicLongHeaderVersion } from './quic-initial.ts';
import { looksLikeSsh, parseSshBanner, SSH_SCAN_LIMIT } from './ssh-banner.ts';
import { StreamPrefix } from './stream-prefix.ts';
import { MAX_HELLO, TlsClientHelloReader, looksLikeTlsHandshakeRecord } from './tls-client-hello.ts';

export type { FlowDpi, NameCache, DpiFacts, PayloadContext } from './types.ts';

const MAX_DNS_QUERIES = 32;
const MAX_DNS_ANSWERS = 64;
/** DNS flows stay inspectable for more queries, but only for this many messages. */
const MAX_DNS_MESSAGES = 64;
/** Payload packets we look at without recognising anything before giving up. */
const MAX_UNKNOWN_PACKETS = 6;
/** TLS/HTTP flows where only the server side shows up: packets to wait for the client's bytes. */
const MAX_ONE_SIDED_PACKETS = 8;
/** Client Initial datagrams we try before giving up on a QUIC ClientHello. */
const MAX_QUIC_DATAGRAMS = 8;
const TCP_PREFIX_LIMIT = MAX_HELLO + 64;
/** A DNS-over-TCP message larger than this abandons that direction (zone transfers are not our business). */
const MAX_DNS_TCP_MESSAGE = 16 * 1024;

const DNS_PORTS = new Set([53, 5353, 5355]);

type Mode = 'unknown' | 'dns' | 'tls' | 'http' | 'quic' | 'ssh';

let internalErrors = 0;

/** Exceptions caught inside DPI since start: always 0 unless a parser has a bug (tests assert it stays 0). */
export function dpiInternalErrors(): number {
  return internalErrors;
}

export function createNameCache(maxEntries?: number): NameCache {
  return new LruNameCache(maxEntries);
}

export function createFlowDpi(names: NameCache): FlowDpi {
  return new FlowInspector(names);
}

function emptyFacts(): DpiFacts {
  return { app: null, sni: null, alpn: [], httpHost: null, sshClient: null, sshServer: null, dnsQueries: [], dnsAnswers: [], dnsRcode: null };
}

class FlowInspector implements FlowDpi {
  readonly facts: DpiFacts = emptyFacts();
  private readonly names: NameCache;
  private mode: Mode = 'unknown';
  private packets = 0;
  private dnsMessages = 0;
  private quicDatagrams = 0;
  /** TCP stream prefixes: [0] initiator → responder, [1] responder → initiator. */
  private streams: [StreamPrefix | null, StreamPrefix | null] = [null, null];
  private tls: TlsClientHelloReader | null = null;
  /** TLS/HTTP: the direction carrying the ClientHello / request (0 = from the initiator). */
  private clientDir: 0 | 1 = 0;
  private tlsRebases = 0;
  private quic: QuicInitialReader | null = null;
  /** SSH / DNS-over-TCP: this direction has nothing more to give. */
  private dirDone: [boolean, boolean] = [false, false];
  private finished = false;

  constructor(names: NameCache) {
    this.names = names;
  }

  inspect(ctx: PayloadContext, buf: Uint8Array, off: number, len: number): boolean {
    if (this.finished) return true;
    try {
      this.finished = this.step(ctx, buf, off, len);
    } catch {
      // A parser bug must never take the capture down: stop inspecting this flow, and count it.
      internalErrors++;
      this.finished = true;
    }
    return this.finished;
  }

  private step(ctx: PayloadContext, buf: Uint8Array, off: number, len: number): boolean {
    if (len <= 0 || off < 0 || off + len > buf.length) return false;
    this.packets++;
    return ctx.proto === 17 ? this.udp(ctx, buf, off, len) : this.tcp(ctx, buf, off, len);
  }

  // ---- UDP ----

  private udp(ctx: PayloadContext, buf: Uint8Array, off: number, len: number): boolean {
    if (this.mode === 'unknown') {
      if (quicLongHeaderVersion(buf, off, len)) {
        this.mode = 'quic';
        this.facts.app = 'quic';
        this.quic = new QuicInitialReader();
      } else if (looksLikeDns(buf, off, len)) {
        const msg = parseDnsMessage(buf, off, len);
        if (msg && (this.dnsPortHint(ctx) || msg.complete)) {
          this.mode = 'dns';
          this.facts.app = 'dns';
          return this.dnsMessage(msg, ctx);
        }
      }
      if (this.mode === 'unknown') return this.packets >= MAX_UNKNOWN_PACKETS;
    }
    if (this.mode === 'quic') {
      // Either direction: if the capture missed the first datagram the flow table may have the client as responder.
      // A server's Initial simply fails to decrypt with client keys.
      if (!looksLikeQuicInitial(buf, off, len)) return this.packets >= 4 * MAX_QUIC_DATAGRAMS;
      const st = this.quic!.pushDatagram(buf, off, len);
      if (st === 'done' && this.quic!.info) {
        this.facts.sni = this.quic!.info.sni;
        this.facts.alpn = this.quic!.info.alpn;
      }
      return st !== 'more' || ++this.quicDatagrams >= MAX_QUIC_DATAGRAMS;
    }
    if (this.mode === 'dns') {
      const msg = looksLikeDns(buf, off, len) ? parseDnsMessage(buf, off, len) : null;
      if (msg) return this.dnsMessage(msg, ctx);
      return this.packets >= MAX_DNS_MESSAGES;
    }
    return true;
  }

  private dnsPortHint(ctx: PayloadContext): boolean {
    return DNS_PORTS.has(ctx.srcPort) || DNS_PORTS.has(ctx.dstPort);
  }

  /** Records one DNS message; returns true when the flow has had enough. */
  private dnsMessage(msg: DnsMessage, ctx: PayloadContext): boolean {
    const f = this.facts;
    for (const q of msg.questions) pushBounded(f.dnsQueries, q.name, MAX_DNS_QUERIES);
    if (msg.isResponse) {
      if (f.dnsRcode === null || f.dnsRcode === 0) f.dnsRcode = msg.rcode; // an error, once seen, sticks
      for (const a of msg.answers) pushBounded(f.dnsAnswers, a.data, MAX_DNS_ANSWERS);
      for (const { address, name } of addressNames(msg)) this.names.remember(address, name, ctx.ts);
    }
    return ++this.dnsMessages >= MAX_DNS_MESSAGES;
  }

  // ---- TCP ----

  private tcp(ctx: PayloadContext, buf: Uint8Array, off: number, len: number): boolean {
    const dir = ctx.fromInitiator ? 0 : 1;
    // TLS and HTTP only read the client's bytes; don't buffer the server's (certificates, bodies).
    const clientOnly = this.mode === 'tls' || this.mode === 'http';
    if (clientOnly && dir !== this.clientDir) return this.packets >= MAX_ONE_SIDED_PACKETS;
    if ((this.mode === 'ssh' || this.mode === 'dns') && this.dirDone[dir]) return this.dirDone[0] && this.dirDone[1];
    let s = this.streams[dir];
    if (!s) s = this.streams[dir] = new StreamPrefix(TCP_PREFIX_LIMIT);
    s.push(ctx.seq, buf, off, len);
    if (this.mode === 'unknown' && !this.classifyTcp(ctx, dir)) return this.packets >= MAX_UNKNOWN_PACKETS;
    switch (this.mode) {
      case 'tls': return this.tlsStep();
      case 'http': return this.httpStep();
      case 'ssh': return this.sshStep(dir, ctx);
      case 'dns': return this.dnsTcpStep(dir, ctx);
      default: return true;
    }
  }

  /** Looks at the first bytes of this direction; returns true once a mode is chosen (facts.app set). */
  private classifyTcp(ctx: PayloadContext, dir: 0 | 1): boolean {
    const s = this.streams[dir]!;
    const d = s.data;
    const n = s.contiguous;
    if (n === 0) return false;
    const f = this.facts;
    if (looksLikeSsh(d, 0, n)) {
      this.mode = 'ssh'; f.app = 'ssh';
    } else if (looksLikeTlsHandshakeRecord(d, 0, n)) {
      // Usually the initiator sends the ClientHello, but without the handshake in the capture the flow table may
      // have taken the server for the initiator: the handshake type byte (1 ClientHello, 2 ServerHello) decides.
      this.mode = 'tls'; f.app = 'tls';
      this.clientDir = n >= 6 && d[5] === 2 ? (1 - dir) as 0 | 1 : dir;
      this.tls = new TlsClientHelloReader();
    } else if (httpMethodAt(d, 0, n)) {
      this.mode = 'http'; f.app = 'http';
      this.clientDir = dir;
    } else if (looksLikeHttpResponse(d, 0, n)) {
      this.mode = 'http'; f.app = 'http';
      this.clientDir = (1 - dir) as 0 | 1; // the request, if any, comes from the other side
    } else if (this.looksLikeDnsTcp(ctx, d, n)) {
      this.mode = 'dns'; f.app = 'dns';
    } else {
      return false;
    }
    return true;
  }

  private looksLikeDnsTcp(ctx: PayloadContext, d: Uint8Array, n: number): boolean {
    if (n < 2 + 12) return false;
    const msgLen = u16(d, 0);
    if (msgLen < 12 || !looksLikeDns(d, 2, Math.min(msgLen, n - 2))) return false;
    if (this.dnsPortHint(ctx)) return true;
    // Off the DNS ports, insist on a whole message that parses exactly.
    if (n < 2 + msgLen) return false;
    const msg = parseDnsMessage(d, 2, msgLen);
    return msg !== null && msg.complete;
  }

  private tlsStep(): boolean {
    const s = this.streams[this.clientDir];
    if (!s) return this.packets >= MAX_ONE_SIDED_PACKETS;
    if (s.failed) return true;
    if (s.rebases !== this.tlsRebases) {
      // An earlier segment arrived: the stream now starts elsewhere, so parse its records afresh.
      this.tlsRebases = s.rebases;
      this.tls = new TlsClientHelloReader();
    }
    const st = this.tls!.update(s.data, s.contiguous);
    if (st === 'done' && this.tls!.info) {
      this.facts.sni = this.tls!.info.sni;
      this.facts.alpn = this.tls!.info.alpn;
    }
    // The first segment seen may have been a later record (the first one overtaken); wait a little for it.
    if (st === 'invalid') return this.packets >= MAX_UNKNOWN_PACKETS;
    return st === 'done';
  }

  private httpStep(): boolean {
    const s = this.streams[this.clientDir];
    if (!s) return this.packets >= MAX_ONE_SIDED_PACKETS;
    if (s.failed) return true;
    const head = parseHttpRequestHead(s.data, 0, s.contiguous);
    if (head.status === 'done') this.facts.httpHost = head.host;
    return head.status !== 'more' || s.contiguous >= MAX_HEAD;
  }

  private sshStep(dir: 0 | 1, ctx: PayloadContext): boolean {
    const s = this.streams[dir]!;
    if (!this.dirDone[dir]) {
      const r = s.failed ? null : parseSshBanner(s.data, 0, s.contiguous);
      if (r === null || r.status !== 'more') this.dirDone[dir] = true;
      if (r && r.status === 'done') {
        // The initiator is the client, unless the flow table missed the handshake and took port 22 for it.
        const swapped = ctx.srcPort === 22 && ctx.dstPort !== 22;
        if ((dir === 0) !== swapped) this.facts.sshClient = r.banner;
        else this.facts.sshServer = r.banner;
      }
      if (s.contiguous >= SSH_SCAN_LIMIT) this.dirDone[dir] = true;
    }
    return this.dirDone[0] && this.dirDone[1];
  }

  private dnsTcpStep(dir: 0 | 1, ctx: PayloadContext): boolean {
    const s = this.streams[dir]!;
    while (!this.dirDone[dir]) {
      if (s.failed) { this.dirDone[dir] = true; break; }
      const n = s.contiguous;
      if (n < 2) break;
      const msgLen = u16(s.data, 0);
      if (msgLen < 12 || msgLen > MAX_DNS_TCP_MESSAGE) { this.dirDone[dir] = true; break; }
      if (n < 2 + msgLen) break;
      const msg = parseDnsMessage(s.data, 2, msgLen);
      s.consume(2 + msgLen);
      if (!msg) { this.dirDone[dir] = true; break; }
      if (this.dnsMessage(msg, ctx)) return true;
    }
    return this.dirDone[0] && this.dirDone[1];
  }
}
