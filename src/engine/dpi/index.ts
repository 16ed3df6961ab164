/**
 * Deep packet inspection entry points for the flow table: `createFlowDpi` makes a per-flow inspector that recognises
 * the application by content (ports are only a hint for DNS) from either direction, then hands payload to the
 * matching parser; `createNameCache` makes the shared address → name cache that DNS answers feed.
 */
import type { DpiFacts, FlowDpi, NameCache, PayloadContext } from './types.ts';
import { pushBounded, startsWithAscii, u16, u32 } from './bytes.ts';
import { DpiGuard, type DpiLimits } from './guard.ts';
import { DNS_TYPE_A, DNS_TYPE_AAAA, DnsScan, looksLikeDns, scanDnsMessage } from './dns.ts';
import { looksLikeHttpRequest, looksLikeHttpResponse, parseHttpRequestHead, MAX_HEAD } from './http-request.ts';
import { LruNameCache } from './name-cache.ts';
import { scanNbnsMessage } from './nbns.ts';
import { QuicInitialReader, looksLikeQuicInitial, quicLongHeaderVersion } from './quic-initial.ts';
import { looksLikeSsh, parseSshBanner, SSH_SCAN_LIMIT } from './ssh-banner.ts';
import { StreamPrefix } from './stream-prefix.ts';
import { encryptedDnsApp, isDohName } from './encrypted-dns.ts';
import { FTP_PORT, ftpAnnouncement } from './ftp.ts';
import { isOpenvpnClientReset, isOpenvpnServerReset } from './openvpn.ts';
import { looksLikeSip, sdpMedia } from './sip.ts';
import { rtpFollows, rtpKind, rtpSeq, rtpSsrc } from './rtp.ts';
import { tcpAppLabel } from './tcp-apps.ts';
import { udpAppLabel } from './udp-apps.ts';
import { MAX_HELLO, TlsClientHelloReader, looksLikeTlsHandshakeRecord } from './tls-client-hello.ts';
import { PRE_CONNECT, PRE_NONE, PRE_RDP, SCAN_END, SCAN_MORE, clientPreambleKind, isRdpConnectionRequest, looksLikeGreeting, scanPreamble, starttlsKindForPort } from './tls-preamble.ts';

export type { FlowDpi, NameCache, DpiFacts, PayloadContext } from './types.ts';
export { DpiGuard, type DpiLimits, type DpiRefusals } from './guard.ts';

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
/** Payload packets a flow may take to get through a STARTTLS exchange or proxy request (server lines included). */
const MAX_PREAMBLE_PACKETS = 24;
/** A DNS-over-TCP message larger than this abandons that direction (zone transfers are not our business). */
const MAX_DNS_TCP_MESSAGE = 16 * 1024;
/** A first TCP payload this long that matches no signature is final: the direction is not ours. */
const MIN_CLASSIFY = 16;

// Modes, as small integers (compared on every packet).
const UNKNOWN = 0, DNS = 1, TLS = 2, HTTP = 3, QUIC = 4, SSH = 5, PREAMBLE = 6, NBNS = 7, LABELLED = 8, STUN = 9, SIP = 10;
/** SIP datagrams read on one flow for SDP media announcements (an INVITE may follow REGISTER or OPTIONS). */
const MAX_SIP_MESSAGES = 24;
/** Datagrams a STUN flow is read for RTP (rtp.ts) before it stays labelled stun. */
const MAX_STUN_FOLLOW = 24;
const MDNS_PORT = 5353;
const NBNS_PORT = 137;
/** mDNS queries ask many questions at once (one per service browsed). */
const MAX_MDNS_QUESTIONS = 64;
/** Scratch for an NBNS message's names. */
const nbnsNames: string[] = [];
// What a parser step wants next.
const CONTINUE = 0, FLOW_DONE = 1, NEED_MORE = 2;
// Classification of a first TCP payload.
const NO = -1, UNDECIDED = 0, YES = 1;

/** Scratch for the DNS message being looked at: inspection is synchronous, so one serves every flow. */
const dns = new DnsScan();

function isDnsPort(p: number): boolean {
  return p === 53 || p === 5353 || p === 5355;
}

let internalErrors = 0;

/** Exceptions caught inside DPI since start: always 0 unless a parser has a bug (tests assert it stays 0). */
export function dpiInternalErrors(): number {
  return internalErrors;
}

export function createNameCache(maxEntries?: number): NameCache {
  return new LruNameCache(maxEntries);
}

/** What one engine's inspectors share: caps, the QUIC key cache, refusal counts. */
export function createDpiGuard(limits?: DpiLimits): DpiGuard {
  return new DpiGuard(limits);
}

/** A per-flow inspector with a guard of its own (single flows, tests). */
export function createFlowDpi(names: NameCache): FlowDpi {
  return openFlowDpi(names, new DpiGuard())!;
}

/**
 * A per-flow inspector sharing `guard` with the engine's others, or null when the guard's cap on live inspectors is
 * reached (counted there). close() it when the flow is done with, so its place and buffers are given back.
 */
export function openFlowDpi(names: NameCache, guard: DpiGuard): FlowDpi | null {
  return guard.openInspector() ? new FlowInspector(names, guard) : null;
}

/**
 * Inspectors of an engine's flows, reused: a flow done with DPI gives its inspector back (when nothing keeps its
 * facts), so a flood of short flows allocates no inspector per flow.
 */
export class FlowDpiPool {
  private readonly spare: FlowInspector[] = [];
  private readonly names: NameCache;
  private readonly guard: DpiGuard;

  constructor(names: NameCache, guard: DpiGuard) {
    this.names = names;
    this.guard = guard;
  }

  /** As openFlowDpi. */
  open(): FlowDpi | null {
    if (!this.guard.openInspector()) return null;
    const d = this.spare.pop();
    if (d === undefined) return new FlowInspector(this.names, this.guard);
    d.reopen();
    return d;
  }

  /** Closes d (if its caller has not: close is idempotent, so the pool never holds an open one) and keeps it for a later open(); the caller keeps nothing of d or its facts. */
  recycle(d: FlowDpi): void {
    d.close();
    if (d instanceof FlowInspector && this.spare.length < MAX_SPARE) this.spare.push(d);
  }
}

/** Spare inspectors a pool keeps at most (flows finish DPI one at a time, so few are needed). */
const MAX_SPARE = 1024;

function emptyFacts(): DpiFacts {
  return { app: null, sni: null, alpn: [], httpHost: null, proxyTarget: null, sshClient: null, sshServer: null, dnsQueries: [], dnsQueriesDropped: 0, dnsAnswers: [], dnsRcode: null, dhcp: null, ftpAnnounced: 0, mediaAnnounced: null };
}

/**
 * Per-flow inspector. Kept small (scalars, no tuples) because one lives per young flow. TCP payload is parsed in
 * place from the packet buffer; a StreamPrefix is allocated for a direction only when a message spans segments or
 * arrives out of order, or when a first payload is too short to classify.
 */
class FlowInspector implements FlowDpi {
  readonly facts: DpiFacts = emptyFacts();
  private readonly names: NameCache;
  private readonly guard: DpiGuard;
  private closed = false;
  private mode = UNKNOWN;
  private packets = 0;
  private dnsMessages = 0;
  private dnsQueriesSeen = 0;
  private dnsResponsesSeen = 0;
  private quicDatagrams = 0;
  /** TCP stream prefixes, allocated on demand: initiator → responder, responder → initiator. */
  private stream0: StreamPrefix | null = null;
  private stream1: StreamPrefix | null = null;
  private tls: TlsClientHelloReader | null = null;
  /** TLS/HTTP: the direction carrying the ClientHello / request (0 = from the initiator). */
  private clientDir: 0 | 1 = 0;
  private tlsRebases = 0;
  private quic: QuicInitialReader | null = null;
  /** Bit per direction (1 initiator, 2 responder): SSH / DNS-over-TCP has nothing more to give. */
  private dirDone = 0;
  /** Bit per direction: its first payload matched no protocol of ours. */
  private unmatched = 0;
  /** DNS over TCP parsed in place: bytes of the payload taken by whole messages (the rest is buffered). */
  private used = 0;
  private finished = false;
  /** The kind of preamble (tls-preamble.ts) the client stream starts with, in mode PREAMBLE. */
  private preKind = PRE_NONE;
  /** A preamble was tried (at most one per flow). */
  private preTried = false;
  /** A preamble ended: only the client's bytes after it are classified, the server's replies are not ours. */
  private afterPre = false;
  /** OpenVPN: the direction bit of a client hard reset seen (0 none), and its session id. */
  private ovpnDir = 0;
  private ovpnHi = 0;
  private ovpnLo = 0;
  /** RTP after STUN: the direction bit (0 none), SSRC and sequence number of the last RTP packet seen. */
  private rtpDir = 0;
  private rtpSsrc = 0;
  private rtpSeq = 0;

  constructor(names: NameCache, guard: DpiGuard) {
    this.names = names;
    this.guard = guard;
  }

  /** Puts every field back to its initial value above (declared there too, so a new inspector's shape is typed). */
  private reset(): void {
    this.closed = this.finished = this.preTried = this.afterPre = false;
    this.mode = UNKNOWN;
    this.packets = this.dnsMessages = this.dnsQueriesSeen = this.dnsResponsesSeen = this.quicDatagrams = this.tlsRebases = this.used = 0;
    this.clientDir = 0;
    this.dirDone = this.unmatched = this.ovpnDir = this.ovpnHi = this.ovpnLo = this.rtpDir = this.rtpSsrc = this.rtpSeq = 0;
    this.stream0 = this.stream1 = this.tls = this.quic = null;
    this.preKind = PRE_NONE;
  }

  /** A closed inspector made new for another flow, its facts emptied in place (no one may hold them any more). */
  reopen(): void {
    const f = this.facts;
    f.app = f.sni = f.httpHost = f.proxyTarget = f.sshClient = f.sshServer = f.mediaAnnounced = null;
    f.dnsRcode = null;
    f.dhcp = null;
    f.dnsQueriesDropped = f.ftpAnnounced = 0;
    f.dnsQueries.length = 0;
    f.dnsAnswers.length = 0;
    // Replaced, not emptied: the list is the TLS/QUIC reader's, assigned whole.
    if (f.alpn.length !== 0) f.alpn = [];
    this.reset();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.finished = true;
    this.stream0?.fail();
    this.stream1?.fail();
    this.stream0 = this.stream1 = null;
    this.quic?.release();
    this.quic = null;
    this.tls = null;
    this.guard.closeInspector();
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
    if (this.mode === UNKNOWN) {
      const b0 = buf[off];
      if ((b0 & 0xc0) === 0xc0 && quicLongHeaderVersion(buf, off, len)) {
        this.mode = QUIC;
        this.facts.app = 'quic';
        this.quic = new QuicInitialReader(this.guard);
      } else if (ctx.srcPort === NBNS_PORT || ctx.dstPort === NBNS_PORT) {
        // NetBIOS names, kept with the DNS names, labelled netbios (NBNS is not DNS). The layouts match, so on this
        // port a message that is not well-formed NBNS is not taken for DNS either.
        if (scanNbnsMessage(buf, off, len, nbnsNames)) {
          this.mode = NBNS;
          this.facts.app = 'netbios';
          return this.nbnsMessage();
        }
      } else if (this.looksLikeDnsFor(ctx, buf, off, len) && this.scanDns(ctx, buf, off, len) && (dns.complete || this.dnsPortPlausible(ctx))) {
        this.mode = DNS;
        this.facts.app = 'dns';
        return this.dnsMessage(ctx);
      }
      if (this.mode === UNKNOWN && udpAppLabel(ctx, buf, off, len, this.facts)) {
        if (this.facts.app === 'sip') {
          // Later messages may announce media (SDP in an INVITE or its answer).
          this.mode = SIP;
          this.facts.mediaAnnounced = sdpMedia(buf, off, len);
          return false;
        }
        if (this.facts.app !== 'stun') return true;
        // Media may follow the connectivity checks.
        this.mode = STUN;
        return false;
      }
      if (this.mode === UNKNOWN && this.openvpn(ctx.fromInitiator ? 1 : 2, buf, off, len)) return true;
      if (this.mode === UNKNOWN) {
        // Datagrams stand alone, so each one is tried, but a flow whose first datagram each way matched nothing ends.
        // A long header of another version (version negotiation, greased versions) may be followed by v1/v2.
        if (!((b0 & 0x80) !== 0 && len >= 7 && buf[off + 5] <= 20)) this.unmatched |= ctx.fromInitiator ? 1 : 2;
        return this.unmatched === 3 || this.packets >= MAX_UNKNOWN_PACKETS;
      }
    }
    if (this.mode === QUIC) {
      // Either direction: if the capture missed the first datagram the flow table may have the client as responder.
      // A server's Initial simply fails to decrypt with client keys.
      if (!looksLikeQuicInitial(buf, off, len)) return this.packets >= 4 * MAX_QUIC_DATAGRAMS;
      const st = this.quic!.pushDatagram(buf, off, len, ctx.ts);
      if (st === 'done' && this.quic!.info) {
        this.facts.sni = this.quic!.info.sni;
        this.facts.alpn = this.quic!.info.alpn;
        if (isDohName(this.facts.sni)) this.facts.app = 'doh';
      }
      return st !== 'more' || ++this.quicDatagrams >= MAX_QUIC_DATAGRAMS;
    }
    if (this.mode === DNS) {
      if (this.looksLikeDnsFor(ctx, buf, off, len) && this.scanDns(ctx, buf, off, len)) return this.dnsMessage(ctx);
      return this.packets >= MAX_DNS_MESSAGES;
    }
    if (this.mode === NBNS) {
      if (scanNbnsMessage(buf, off, len, nbnsNames)) return this.nbnsMessage();
      return this.packets >= MAX_DNS_MESSAGES;
    }
    if (this.mode === STUN) return this.rtpAfterStun(ctx.fromInitiator ? 1 : 2, buf, off, len);
    if (this.mode === SIP) {
      if (looksLikeSip(buf, off, len)) this.facts.mediaAnnounced = sdpMedia(buf, off, len);
      return this.packets >= MAX_SIP_MESSAGES;
    }
    return true;
  }

  /** After STUN: two RTP packets of one direction with one SSRC and close sequence numbers make it rtp. */
  private rtpAfterStun(bit: number, d: Uint8Array, o: number, n: number): boolean {
    const kind = rtpKind(d, o, n);
    if (kind === 2 && this.rtpDir !== 0) {
      this.facts.app = 'rtp';
      return true;
    }
    if (kind === 1) {
      const ssrc = rtpSsrc(d, o);
      const seq = rtpSeq(d, o);
      if (this.rtpDir === bit && this.rtpSsrc === ssrc && rtpFollows(this.rtpSeq, seq)) {
        this.facts.app = 'rtp';
        return true;
      }
      this.rtpDir = bit;
      this.rtpSsrc = ssrc;
      this.rtpSeq = seq;
    }
    return this.packets >= MAX_STUN_FOLLOW;
  }

  private isMdns(ctx: PayloadContext): boolean {
    return ctx.srcPort === MDNS_PORT || ctx.dstPort === MDNS_PORT;
  }

  private looksLikeDnsFor(ctx: PayloadContext, buf: Uint8Array, off: number, len: number): boolean {
    return this.isMdns(ctx) ? looksLikeDns(buf, off, len, MAX_MDNS_QUESTIONS) : looksLikeDns(buf, off, len);
  }

  /** mDNS queries carry the answers the asker already knows; their names count as asked too. */
  private scanDns(ctx: PayloadContext, buf: Uint8Array, off: number, len: number): boolean {
    return scanDnsMessage(buf, off, len, dns, this.isMdns(ctx));
  }

  /** Keeps the first MAX_DNS_QUERIES distinct names; counts the names asked once the list is full. */
  private queryName(n: string): void {
    const q = this.facts.dnsQueries;
    if (!pushBounded(q, n, MAX_DNS_QUERIES) && q.length >= MAX_DNS_QUERIES && !q.includes(n)) this.facts.dnsQueriesDropped++;
  }

  private nbnsMessage(): boolean {
    for (const n of nbnsNames) this.queryName(n);
    return ++this.dnsMessages >= MAX_DNS_MESSAGES;
  }

  /** On a DNS port, a message whose questions parse is enough (trailing bytes tolerated); none asked only for mDNS. */
  private dnsPortPlausible(ctx: PayloadContext): boolean {
    if (!isDnsPort(ctx.srcPort) && !isDnsPort(ctx.dstPort)) return false;
    return dns.questionCount > 0 || ctx.srcPort === 5353 || ctx.dstPort === 5353;
  }

  /** Records the DNS message just scanned into `dns`; returns true when the flow has had enough. */
  private dnsMessage(ctx: PayloadContext): boolean {
    const f = this.facts;
    for (let i = 0; i < dns.questionCount; i++) this.queryName(dns.questionNames[i]);
    for (let i = 0; i < dns.knownCount; i++) this.queryName(dns.knownNames[i]);
    if (dns.isResponse) {
      this.dnsResponsesSeen++;
      if (f.dnsRcode === null || f.dnsRcode === 0) f.dnsRcode = dns.rcode; // an error, once seen, sticks
      for (let i = 0; i < dns.answerCount; i++) {
        pushBounded(f.dnsAnswers, dns.answerData[i], MAX_DNS_ANSWERS);
        const t = dns.answerTypes[i];
        if (t === DNS_TYPE_A || t === DNS_TYPE_AAAA) this.names.remember(dns.answerData[i], dns.askedName(i), ctx.ts);
      }
    } else {
      this.dnsQueriesSeen++;
    }
    if (++this.dnsMessages >= MAX_DNS_MESSAGES) return true;
    // Off the DNS ports (recognised by exact parse), a flow is done once its queries are answered. On them, a
    // client socket may ask again (a resolver reusing its port, A then AAAA), so it stays up to the message bound.
    return ctx.proto === 17 && !isDnsPort(ctx.srcPort) && !isDnsPort(ctx.dstPort) &&
      this.dnsQueriesSeen > 0 && this.dnsResponsesSeen >= this.dnsQueriesSeen;
  }

  /**
   * OpenVPN's handshake (openvpn.ts): remembers a client hard reset's session id; true (app set) when the other
   * direction's hard reset acknowledges it.
   */
  private openvpn(bit: number, d: Uint8Array, o: number, n: number): boolean {
    if (n < 14) return false;
    if (isOpenvpnClientReset(d, o, n)) {
      this.ovpnDir = bit;
      this.ovpnHi = u32(d, o + 1);
      this.ovpnLo = u32(d, o + 5);
      return false;
    }
    if (this.ovpnDir === 0 || this.ovpnDir === bit || !isOpenvpnServerReset(d, o, n, this.ovpnHi, this.ovpnLo)) return false;
    this.facts.app = 'openvpn';
    return true;
  }

  /** An FTP control segment announcing a data port (either side's lines: the server's replies too). */
  private ftpControl(ctx: PayloadContext, d: Uint8Array, o: number, n: number): void {
    const senderPort = ctx.fromInitiator ? ctx.srcPort : ctx.dstPort;
    const a = ftpAnnouncement(d, o, n, senderPort === FTP_PORT);
    if (a === 0) return;
    this.facts.ftpAnnounced = a;
    if (this.facts.app === null) this.facts.app = 'ftp';
  }

  // ---- TCP ----

  private streamOf(dir: 0 | 1): StreamPrefix | null {
    return dir === 0 ? this.stream0 : this.stream1;
  }

  private tcp(ctx: PayloadContext, buf: Uint8Array, off: number, len: number): boolean {
    const dir = ctx.fromInitiator ? 0 : 1;
    const bit = dir === 0 ? 1 : 2;
    if (ctx.srcPort === FTP_PORT || ctx.dstPort === FTP_PORT) this.ftpControl(ctx, buf, off, len);
    // TLS and HTTP only read the client's bytes; don't buffer the server's (certificates, bodies).
    if (this.serverSide(dir)) return this.packets >= (this.mode === PREAMBLE || this.afterPre ? MAX_PREAMBLE_PACKETS : MAX_ONE_SIDED_PACKETS);
    if ((this.mode === SSH || this.mode === DNS) && (this.dirDone & bit) !== 0) return this.dirDone === 3;
    let s = this.streamOf(dir);
    if (s === null) {
      // In place: this payload is the start of the direction's stream.
      if (this.mode === UNKNOWN) {
        const c = this.classifyTcp(ctx, dir, buf, off, len);
        if (c !== YES) {
          // Kept: more bytes may decide, or an earlier segment may arrive and turn out to be the real start. Once
          // the first payload each way matched nothing, the flow is not ours.
          if (c === NO) this.unmatched |= bit;
          this.buffer(dir, ctx, buf, off, len);
          return this.unmatched === 3 || this.packets >= MAX_UNKNOWN_PACKETS;
        }
      }
      if (this.serverSide(dir)) return false; // a ServerHello / response
      this.used = 0;
      const r = this.modeStep(ctx, dir, buf, off, len, false);
      if (r !== NEED_MORE) return r === FLOW_DONE;
      s = new StreamPrefix(TCP_PREFIX_LIMIT, undefined, this.guard.refused);
      // No reservation from the record's claimed length: the buffer grows only with bytes that arrive.
      s.push(ctx.seq, buf, off, len);
      if (dir === 0) this.stream0 = s;
      else this.stream1 = s;
      if (this.used > 0) s.consume(this.used);
      return false;
    }
    s.push(ctx.seq, buf, off, len);
    if (s.failed) return this.modeFailed(dir);
    if (this.mode === UNKNOWN) {
      const c = this.classifyTcp(ctx, dir, s.data, 0, s.contiguous);
      if (c === NO) this.unmatched |= bit;
      if (c !== YES) return this.unmatched === 3 || this.packets >= MAX_UNKNOWN_PACKETS;
      this.unmatched = 0;
      if (this.serverSide(dir)) return false;
    }
    const r = this.modeStep(ctx, dir, s.data, 0, s.contiguous, true);
    return r === FLOW_DONE;
  }

  /** TLS, HTTP and preambles read only the client's bytes: true for the other direction. */
  private serverSide(dir: 0 | 1): boolean {
    return (this.mode === TLS || this.mode === HTTP || this.mode === PREAMBLE || this.afterPre) && dir !== this.clientDir;
  }

  private buffer(dir: 0 | 1, ctx: PayloadContext, buf: Uint8Array, off: number, len: number): StreamPrefix {
    const s = new StreamPrefix(TCP_PREFIX_LIMIT, undefined, this.guard.refused);
    s.push(ctx.seq, buf, off, len);
    if (dir === 0) this.stream0 = s;
    else this.stream1 = s;
    return s;
  }

  /** The stream of dir was abandoned (too many holes): that direction is finished. */
  private modeFailed(dir: 0 | 1): boolean {
    if (this.mode === SSH || this.mode === DNS) {
      this.dirDone |= dir === 0 ? 1 : 2;
      return this.dirDone === 3;
    }
    return true;
  }

  /** Runs the current mode's parser over data[base, base+avail), the contiguous start of direction dir. */
  private modeStep(ctx: PayloadContext, dir: 0 | 1, data: Uint8Array, base: number, avail: number, buffered: boolean): number {
    switch (this.mode) {
      case TLS: return this.tlsStep(ctx, data, base, avail, buffered);
      case HTTP: return this.httpStep(data, base, avail);
      case SSH: return this.sshStep(dir, ctx, data, base, avail);
      case DNS: return this.dnsTcpStep(dir, ctx, data, base, avail, buffered);
      case PREAMBLE: return this.preambleStep(ctx, dir, data, base, avail, buffered);
      default: return FLOW_DONE;
    }
  }

  /** Looks at the first bytes of a direction and picks a mode (facts.app set) when they are ours. */
  private classifyTcp(ctx: PayloadContext, dir: 0 | 1, d: Uint8Array, o: number, n: number): number {
    if (n === 0) return UNDECIDED;
    const f = this.facts;
    const b0 = d[o];
    // One comparison on the first byte rules out every signature but one or two.
    if (b0 === 0x16) {
      if (looksLikeTlsHandshakeRecord(d, o, n)) {
        // Usually the initiator sends the ClientHello, but without the handshake in the capture the flow table may
        // have taken the server for the initiator: the handshake type byte (1 ClientHello, 2 ServerHello) decides.
        // TLS inside RDP keeps the RDP label (its SNI is still read).
        this.mode = TLS; if (f.app !== 'rdp') f.app = 'tls';
        this.clientDir = d[o + 5] === 2 ? (1 - dir) as 0 | 1 : dir;
        return YES;
      }
      if (n < 6) return UNDECIDED;
    } else if (b0 === 0x53 && looksLikeSsh(d, o, n)) {
      this.mode = SSH; f.app = 'ssh';
      return YES;
    } else if (b0 >= 0x43 && b0 <= 0x54) {
      if (b0 === 0x43 && !this.preTried && startsWithAscii(d, o, n, 'CONNECT ')) return this.startPreamble(PRE_CONNECT, dir);
      if (b0 === 0x48 && looksLikeHttpResponse(d, o, n)) {
        this.mode = HTTP; f.app = 'http';
        this.clientDir = (1 - dir) as 0 | 1; // the request, if any, comes from the other side
        return YES;
      }
      if (looksLikeHttpRequest(d, o, n)) {
        this.mode = HTTP; f.app = 'http';
        this.clientDir = dir;
        return YES;
      }
    }
    const app = tcpAppLabel(ctx.srcPort, ctx.dstPort, d, o, n);
    if (app !== null) {
      // A label from the first bytes is all these flows give: nothing more is read.
      this.mode = LABELLED; f.app = app;
      return YES;
    }
    if (!this.preTried) {
      const pre = this.classifyPreamble(ctx, dir, d, o, n);
      if (pre !== NO) return pre;
    }
    // OpenVPN over TCP: a 2-byte length before each packet.
    if (n >= 16 && u16(d, o) >= 14 && this.openvpn(dir === 0 ? 1 : 2, d, o + 2, Math.min(u16(d, o), n - 2))) {
      this.mode = LABELLED;
      return YES;
    }
    const dns = this.classifyDnsTcp(ctx, d, o, n);
    if (dns !== NO) return dns;
    return n < MIN_CLASSIFY ? UNDECIDED : NO;
  }

  /**
   * A server greeting of a STARTTLS-capable text protocol (the client is the other side), or the first bytes of a
   * client preamble (STARTTLS, SSLRequest, LDAP, X.224, PROXY, SOCKS). No label yet: that waits for what follows.
   */
  private classifyPreamble(ctx: PayloadContext, dir: 0 | 1, d: Uint8Array, o: number, n: number): number {
    const ownPort = dir === 0 ? ctx.srcPort : ctx.dstPort;
    const peerPort = dir === 0 ? ctx.dstPort : ctx.srcPort;
    const greets = starttlsKindForPort(ownPort);
    if (greets !== PRE_NONE && looksLikeGreeting(greets, d, o, n)) return this.startPreamble(greets, (1 - dir) as 0 | 1);
    const kind = clientPreambleKind(peerPort, d, o, n);
    if (kind < 0) return UNDECIDED;
    return kind === PRE_NONE ? NO : this.startPreamble(kind, dir);
  }

  private startPreamble(kind: number, clientDir: 0 | 1): number {
    this.mode = PREAMBLE;
    this.preKind = kind;
    this.preTried = true;
    this.clientDir = clientDir;
    return YES;
  }

  /**
   * The client's stream from its start, in mode PREAMBLE: once the preamble ends, what follows is classified afresh
   * (TLS, HTTP). A preamble that turns out malformed is forgotten and the bytes classified as if it were never seen.
   */
  private preambleStep(ctx: PayloadContext, dir: 0 | 1, data: Uint8Array, base: number, avail: number, buffered: boolean): number {
    const r = scanPreamble(this.preKind, data, base, avail);
    if (r.status === SCAN_MORE) return this.packets >= MAX_PREAMBLE_PACKETS ? FLOW_DONE : NEED_MORE;
    let skip = 0;
    if (r.status === SCAN_END) {
      skip = r.end;
      if (this.preKind === PRE_CONNECT) {
        this.facts.app = 'http';
        this.facts.httpHost = r.target;
      } else if (this.preKind === PRE_RDP) {
        if (isRdpConnectionRequest(data, base, skip)) this.facts.app = 'rdp';
      } else if (r.target !== null) {
        this.facts.proxyTarget = r.target;
      }
      this.afterPre = true;
    } else {
      this.clientDir = 0;
    }
    this.mode = UNKNOWN;
    this.packets = 0;
    if (buffered) this.streamOf(dir)!.consume(skip);
    else this.used += skip;
    const rest = avail - skip;
    const from = buffered ? base : base + skip;
    const c = this.classifyTcp(ctx, dir, data, from, rest);
    if (c === NO) return FLOW_DONE;
    if (c === UNDECIDED) return NEED_MORE;
    if (this.serverSide(dir)) return NEED_MORE;
    // A new mode reads the rest; in place, `used` already accounts for the preamble.
    const saved = this.used;
    this.used = 0;
    const step = this.modeStep(ctx, dir, data, from, rest, buffered);
    this.used += saved;
    return step;
  }

  /** DNS over TCP: a plausible length-prefixed message; off the DNS ports, a whole one that parses exactly. */
  private classifyDnsTcp(ctx: PayloadContext, d: Uint8Array, o: number, n: number): number {
    if (n < 2 + 12) return UNDECIDED;
    const msgLen = u16(d, o);
    if (msgLen < 12 || msgLen > MAX_DNS_TCP_MESSAGE || !looksLikeDns(d, o + 2, Math.min(msgLen, n - 2))) return NO;
    if (n < 2 + msgLen) return UNDECIDED;
    if (!scanDnsMessage(d, o + 2, msgLen, dns)) return NO;
    const portOk = isDnsPort(ctx.srcPort) || isDnsPort(ctx.dstPort);
    if (!dns.complete && !portOk) return NO;
    this.mode = DNS; this.facts.app = 'dns';
    return YES;
  }

  private tlsStep(ctx: PayloadContext, data: Uint8Array, base: number, avail: number, buffered: boolean): number {
    if (buffered) {
      const s = this.streamOf(this.clientDir)!;
      if (s.rebases !== this.tlsRebases) {
        // An earlier segment arrived: the stream now starts elsewhere, so parse its records afresh.
        this.tlsRebases = s.rebases;
        this.tls = null;
      }
    }
    if (this.tls === null) this.tls = new TlsClientHelloReader();
    const st = this.tls.update(data, base, avail);
    if (st === 'done') {
      const info = this.tls.info;
      if (info) {
        this.facts.sni = info.sni;
        this.facts.alpn = info.alpn;
        const serverPort = this.clientDir === 0 ? ctx.dstPort : ctx.srcPort;
        if (this.facts.app === 'tls') this.facts.app = encryptedDnsApp(serverPort, info.sni, info.alpn) ?? 'tls';
      }
      return FLOW_DONE;
    }
    if (st === 'more') return NEED_MORE;
    // Not a ClientHello from here. The first segment seen may have been a later record (the first one overtaken):
    // wait a little for it, parsing afresh.
    this.tls = null;
    return this.packets >= MAX_UNKNOWN_PACKETS ? FLOW_DONE : buffered ? CONTINUE : NEED_MORE;
  }

  private httpStep(data: Uint8Array, base: number, avail: number): number {
    const head = parseHttpRequestHead(data, base, avail);
    if (head.status === 'done') this.facts.httpHost = head.host;
    if (head.status !== 'more' || avail >= MAX_HEAD) return FLOW_DONE;
    return NEED_MORE;
  }

  private sshStep(dir: 0 | 1, ctx: PayloadContext, data: Uint8Array, base: number, avail: number): number {
    const bit = dir === 0 ? 1 : 2;
    const r = parseSshBanner(data, base, avail);
    if (r.status !== 'more' || avail >= SSH_SCAN_LIMIT) this.dirDone |= bit;
    if (r.status === 'done') {
      // The initiator is the client, unless the flow table missed the handshake and took port 22 for it.
      const swapped = ctx.srcPort === 22 && ctx.dstPort !== 22;
      if ((dir === 0) !== swapped) this.facts.sshClient = r.banner;
      else this.facts.sshServer = r.banner;
    }
    if (this.dirDone === 3) return FLOW_DONE;
    return (this.dirDone & bit) !== 0 ? CONTINUE : NEED_MORE;
  }

  /**
   * Length-prefixed DNS messages from data[base, base+avail). Buffered: consumes whole messages from the stream.
   * In place: counts them in `used` so the caller buffers only the unfinished rest.
   */
  private dnsTcpStep(dir: 0 | 1, ctx: PayloadContext, data: Uint8Array, base: number, avail: number, buffered: boolean): number {
    const bit = dir === 0 ? 1 : 2;
    const s = buffered ? this.streamOf(dir) : null;
    let p = base;
    let n = avail;
    while ((this.dirDone & bit) === 0) {
      if (n < 2) break;
      const msgLen = u16(data, p);
      if (msgLen < 12 || msgLen > MAX_DNS_TCP_MESSAGE) { this.dirDone |= bit; break; }
      if (n < 2 + msgLen) break;
      const ok = scanDnsMessage(data, p + 2, msgLen, dns);
      if (s !== null) {
        s.consume(2 + msgLen);
        n = s.contiguous;
      } else {
        p += 2 + msgLen;
        n -= 2 + msgLen;
        this.used += 2 + msgLen;
      }
      if (!ok) { this.dirDone |= bit; break; }
      if (this.dnsMessage(ctx)) return FLOW_DONE;
    }
    if (this.dirDone === 3) return FLOW_DONE;
    return (this.dirDone & bit) !== 0 || n === 0 ? CONTINUE : NEED_MORE;
  }
}
