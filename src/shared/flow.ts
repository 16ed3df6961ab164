/**
 * A flow as the engine reports it, version 1. This is the `flow` line of `sandpiper read --json` and
 * `sandpiper capture --json`, and the row the desktop renderer shows. Field names are snake_case because they are
 * a wire format (JSON lines); docs/flow-schema.md documents each field.
 */

export const FLOW_SCHEMA_VERSION = 1;

export type FlowProto = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'sctp' | 'gre' | 'esp' | 'other';
/** Application labels, in the engine's code order (a new one goes at the end). */
export const FLOW_APPS = ['dns', 'tls', 'http', 'quic', 'ssh', 'dhcp', 'dhcpv6', 'ntp', 'snmp', 'ssdp', 'stun', 'wireguard', 'syslog', 'ike', 'radius', 'sip', 'kerberos', 'smb', 'mqtt', 'bittorrent', 'dot', 'doh', 'netbios', 'ldap', 'rdp', 'openvpn', 'rtp', 'ftp', 'ftp-data'] as const;
export type FlowApp = (typeof FLOW_APPS)[number];
/** `mid-flow`: first seen without a SYN (open before the capture began); FIN and RST move it on as any other. */
export type TcpState = 'syn_sent' | 'established' | 'mid-flow' | 'closing' | 'closed' | 'reset';
/** Encapsulations a flow can be seen in (docs/flow-schema.md, "tunnel"). */
export type TunnelKind = 'pppoe' | 'mpls' | 'gre' | 'erspan' | '4in4' | '6in4' | '4in6' | '6in6' | 'vxlan' | 'geneve' | 'gtpu' | 'teredo' | 'capwap' | 'vxlan-gpe' | 'nsh';

/** The encapsulation of a flow's first packet: the flow itself is the innermost TCP/UDP/... packet. */
export interface FlowTunnel {
  /** Outermost first. */
  kinds: TunnelKind[];
  /** The outermost IP header that carried an encapsulation (sender of that first packet); null when none did. */
  src: string | null;
  dst: string | null;
}

/** TCP flows carry a TcpState; other protocols are `active` until evicted. */
export type FlowState = TcpState | 'active';

export interface FlowRecord {
  type: 'flow';
  /** Stable for the life of the flow within one engine (not across runs). */
  id: number;
  proto: FlowProto;
  /** Initiator: the SYN sender for TCP (without a SYN seen, the client by ports), else the sender of the first packet seen. */
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** Country (ISO 3166-1 alpha-2) and AS of each address, from the bundled offline databases; null for private and
   * special addresses and for addresses the databases do not cover. */
  src_country: string | null;
  dst_country: string | null;
  src_asn: number | null;
  dst_asn: number | null;
  src_as_name: string | null;
  dst_as_name: string | null;
  /** fwd is src→dst; bytes are frame lengths on the wire. */
  packets_fwd: number;
  bytes_fwd: number;
  packets_rev: number;
  bytes_rev: number;
  /** Seconds since the epoch, microsecond precision (packet timestamps). */
  first_seen: number;
  last_seen: number;
  state: FlowState;
  app: FlowApp | null;
  /** SNI, else HTTP Host, else the DNS name that resolved to dst. */
  host: string | null;
  /** Names asked in a DNS flow (empty otherwise). */
  dns_queries: string[];
  /** Query names asked beyond the 32 kept in dns_queries; present only when there were some. */
  dns_queries_dropped?: number;
  pid: number | null;
  process: string | null;
  /** ICMP/ICMPv6 flows only: type and code of the flow's first packet (echo flows are keyed by identifier, others by
   * their two hosts). */
  icmp_type?: number;
  icmp_code?: number;
  /** Null unless the flow was seen inside a tunnel (always written by the engine). */
  tunnel?: FlowTunnel | null;
  /** DHCP/DHCPv6 flows only, when the message gave them: the client's host name (DHCPv4 option 12; DHCPv6 client
   * FQDN, option 39) and vendor class (option 60; DHCPv6 option 16's enterprise number). */
  dhcp_hostname?: string;
  dhcp_vendor_class?: string;
  /** FTP data connections only: the id of the control flow whose PASV/EPSV reply or PORT/EPRT command announced it. */
  ftp_control?: number;
}

/** Extra detail the desktop app shows in the flow drawer; absent from the CLI's JSON lines. */
export interface FlowDetail {
  sni: string | null;
  alpn: string[];
  http_host: string | null;
  ssh_client: string | null;
  ssh_server: string | null;
  dns_answers: string[];
  dns_rcode: number | null;
  /** Bytes per second over the last 1 s and 10 s of capture time, both directions; 0 once the capture stopped. */
  rate_fwd_1s: number;
  rate_rev_1s: number;
  rate_fwd_10s: number;
  rate_rev_10s: number;
  exe: string | null;
  user: string | null;
  /** The socket belongs to a process of another user that this user cannot inspect. */
  process_hidden: boolean;
  /** Which endpoint is this host (live captures), null when unknown (files). */
  local: 'src' | 'dst' | null;
  /** The flow is over (closed, reset, idle past its timeout, or replaced by a new connection on its 5-tuple). */
  ended: boolean;
}

export interface FlowRow extends FlowRecord, FlowDetail {}

/** Counts of DPI work refused, by reason. */
export interface DpiRefusedSummary {
  /** Stream-prefix growths refused because DPI's byte budget was spent (that stream was abandoned). */
  buffer_budget: number;
  /** Flows left uninspected because the cap on flows under inspection at once was reached. */
  inspectors: number;
  /** QUIC Initial key derivations refused by the per-second bound (those packets were not decrypted). */
  quic_derivations: number;
  /** Coalesced QUIC packets ignored because their DCID differs from the first in the datagram (RFC 9000 §12.2). */
  quic_other_dcid: number;
}

/** A summary line closing `sandpiper read --json`. */
export interface ReadSummary {
  type: 'summary';
  packets: number;
  bytes: number;
  flows: number;
  /** Flows evicted by the live-flow cap (not by idle time). */
  evicted_by_cap: number;
  arp: number;
  /** Packets the decoder could not attribute to a flow (truncated, unknown link type, ...). */
  undecoded: number;
  /** IPv6 packets whose extension-header chain went past the decoder's walk bound (counted in `undecoded` too). */
  ipv6_ext_chain_too_long: number;
  /** Packets nested in more tunnels than the decoder's depth bound (counted in `undecoded` too). */
  tunnel_too_deep: number;
  /** Packets of link types the decoder does not know, by link type name (else number); counted in `undecoded` too. */
  undecoded_link_types: Record<string, number>;
  /** What deep packet inspection declined to do under its limits (docs/flow-schema.md). */
  dpi_refused: DpiRefusedSummary;
  first_ts: number | null;
  last_ts: number | null;
}
