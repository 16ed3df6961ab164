import type { FlowRow } from '../../shared/flow.ts';

// Which endpoint is this host. Files have no notion of "local", so the initiator (src) is shown as local then.
export function localIsSrc(r: FlowRow): boolean {
  return r.local !== 'dst';
}

export function localAddr(r: FlowRow): string {
  return localIsSrc(r) ? r.src : r.dst;
}
export function localPort(r: FlowRow): number {
  return localIsSrc(r) ? r.sport : r.dport;
}
export function remoteAddr(r: FlowRow): string {
  return localIsSrc(r) ? r.dst : r.src;
}
export function remotePort(r: FlowRow): number {
  return localIsSrc(r) ? r.dport : r.sport;
}

/** Bytes per second towards this host (↓) and from it (↑), over the last second. */
export function downRate(r: FlowRow): number {
  return localIsSrc(r) ? r.rate_rev_1s : r.rate_fwd_1s;
}
export function upRate(r: FlowRow): number {
  return localIsSrc(r) ? r.rate_fwd_1s : r.rate_rev_1s;
}

export function totalBytes(r: FlowRow): number {
  return r.bytes_fwd + r.bytes_rev;
}
export function totalPackets(r: FlowRow): number {
  return r.packets_fwd + r.packets_rev;
}

export function isClosed(r: FlowRow): boolean {
  return r.state === 'closed' || r.state === 'reset';
}

/** "tls" / "tcp" style label: the application when known, else the transport. */
export function protoLabel(r: FlowRow): string {
  return r.app ? `${r.proto}/${r.app}` : r.proto;
}
