import type { FlowRow } from '../flow.ts';

// Which endpoint is this host. Files have no notion of "local", so the initiator (src) is shown as local then.
export function localIsSrc(t: Pick<FlowRow, 'local'>): boolean {
  return t.local !== 'dst';
}

export function localAddr(t: FlowRow): string {
  return localIsSrc(t) ? t.src : t.dst;
}
export function localPort(t: FlowRow): number {
  return localIsSrc(t) ? t.sport : t.dport;
}
export function remoteAddr(t: FlowRow): string {
  return localIsSrc(t) ? t.dst : t.src;
}
export function remotePort(t: FlowRow): number {
  return localIsSrc(t) ? t.dport : t.sport;
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

export function isClosed(t: FlowRow): boolean {
  return t.state === 'closed' || t.state === 'reset';
}

/** "tls" / "tcp" style label: the application when known, else the transport. */
export function protoLabel(t: FlowRow): string {
  return t.app ? `${t.proto}/${t.app}` : t.proto;
}
