/**
 * The contract between the flow table and deep packet inspection. The flow table creates a FlowDpi lazily, for a
 * TCP or UDP flow's first payload, feeds it payload until it answers `true` (done), then drops it, so DPI state
 * lives only while a flow is young. Facts are plain values copied into the flow when DPI finishes or the flow is read.
 */
import type { FlowApp } from '../../shared/flow.ts';
import type { DhcpInfo } from './dhcp.ts';

export interface DpiFacts {
  app: FlowApp | null;
  sni: string | null;
  alpn: string[];
  httpHost: string | null;
  /** The host a SOCKS request asks to reach (the flow's name when nothing inside the tunnel names one). */
  proxyTarget: string | null;
  sshClient: string | null;
  sshServer: string | null;
  dnsQueries: string[];
  /** Query names asked after dnsQueries was full (each such question counts, repeats included). */
  dnsQueriesDropped: number;
  /** Answer data (A/AAAA addresses, CNAME targets) in order. */
  dnsAnswers: string[];
  dnsRcode: number | null;
  /** What a DHCP/DHCPv6 message says of its client (host name, vendor class); null when not DHCP or it says neither. */
  dhcp: DhcpInfo | null;
  /** FTP control: the data port last announced, with FTP_PASSIVE or FTP_ACTIVE (ftp.ts); 0 when none. The engine takes it and sets 0. */
  ftpAnnounced: number;
  /** SIP: the RTP media last announced by an SDP body, "address port" (sip.ts); null when none. The engine takes it and sets null. */
  mediaAnnounced: string | null;
}

export interface PayloadContext {
  /** IP protocol number: 6 TCP, 17 UDP. */
  proto: 6 | 17;
  /** The payload travels from the flow's initiator (src) to its responder (dst). */
  fromInitiator: boolean;
  /** The flow's ports, initiator's first. */
  srcPort: number;
  dstPort: number;
  /** TCP: sequence number of the payload's first byte (for in-order reassembly of the first bytes); UDP: 0. */
  seq: number;
  /** Packet time, seconds since the epoch. */
  ts: number;
}

/** IP address (textual, as formatAddress prints it) → the DNS name that last resolved to it. */
export interface NameCache {
  remember(address: string, name: string, ts: number): void;
  lookup(address: string): string | null;
  /** An IPv4 address as a host-order u32: what lookup answers for its dotted quad. */
  lookup4(addr: number): string | null;
  readonly size: number;
}

export interface FlowDpi {
  /** Inspects one payload (buf[off, off+len)); returns true when this flow needs no more payload. */
  inspect(ctx: PayloadContext, buf: Uint8Array, off: number, len: number): boolean;
  readonly facts: DpiFacts;
  /** Drops what the inspector holds and gives its place back to the engine's cap; inspect() is not called after. */
  close(): void;
}
