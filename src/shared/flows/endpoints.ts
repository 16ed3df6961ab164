import type { FlowRow } from '../flow.ts';
import { C, type FlowText } from '../flow-update.ts';

// Which endpoint is this host. Files have no notion of "local", so the initiator (src) is shown as local then.
export function localIsSrc(t: Pick<FlowText, 'local'>): boolean {
  return t.local !== 'dst';
}

export function localAddr(t: FlowText): string {
  return localIsSrc(t) ? t.src : t.dst;
}
export function localPort(t: FlowText): number {
  return localIsSrc(t) ? t.sport : t.dport;
}
export function remoteAddr(t: FlowText): string {
  return localIsSrc(t) ? t.dst : t.src;
}
export function remotePort(t: FlowText): number {
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

// The same numbers read in place from the row table's columnar counters (a flow's counters at c[o...], and which end
// is this host, from its text), so sorting 50 k rows by them builds no row objects and reads no text objects.
export function downRateAt(c: Float64Array, o: number, srcIsLocal: boolean): number {
  return srcIsLocal ? c[o + C.rate_rev_1s] : c[o + C.rate_fwd_1s];
}
export function upRateAt(c: Float64Array, o: number, srcIsLocal: boolean): number {
  return srcIsLocal ? c[o + C.rate_fwd_1s] : c[o + C.rate_rev_1s];
}
export function totalBytesAt(c: Float64Array, o: number): number {
  return c[o + C.bytes_fwd] + c[o + C.bytes_rev];
}
export function totalPacketsAt(c: Float64Array, o: number): number {
  return c[o + C.packets_fwd] + c[o + C.packets_rev];
}

export function isClosed(t: FlowText): boolean {
  return t.state === 'closed' || t.state === 'reset';
}

/** "tls" / "tcp" style label: the application when known, else the transport. */
export function protoLabel(t: FlowText): string {
  return t.app ? `${t.proto}/${t.app}` : t.proto;
}
