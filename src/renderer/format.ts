// Display formatting shared by the table, drawer and status bar. Pure functions, no allocation beyond the string.
import type { FlowRecord } from '../shared/flow.ts';
import { icmpLabel } from '../shared/icmp-names.ts';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

// One formatter for every call: toLocaleString would build a new one each time, on every visible row per update.
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return COUNT.format(Math.round(n));
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(r).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const pad = (x: number, w = 2) => String(x).padStart(w, '0');

/** Seconds since the epoch → local HH:MM:SS.mmm. */
export function formatClock(ts: number): string {
  if (!Number.isFinite(ts) || ts <= 0) return '—';
  const d = new Date(ts * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Seconds since the epoch → local YYYY-MM-DD (the same clock as formatClock, so the two never disagree about the day). */
export function formatDate(ts: number): string {
  if (!Number.isFinite(ts) || ts <= 0) return '—';
  const d = new Date(ts * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function formatDateTime(ts: number): string {
  if (!Number.isFinite(ts) || ts <= 0) return '—';
  return `${formatDate(ts)} ${formatClock(ts)}`;
}

/**
 * Whether times between `from` and `to` (seconds since the epoch) fall on more than one local day: then a time of day
 * alone does not say when something happened, and the date is shown with it.
 */
export function spansDays(from: number, to: number): boolean {
  if (!Number.isFinite(from) || !Number.isFinite(to) || from <= 0 || to <= 0) return false;
  return formatDate(Math.min(from, to)) !== formatDate(Math.max(from, to));
}

/** IPv6 addresses get brackets so the port stays readable. */
export function formatEndpoint(addr: string, port: number): string {
  const a = addr.includes(':') ? `[${addr}]` : addr;
  return port > 0 ? `${a}:${port}` : a;
}

/** Where a port would be: an ICMP flow's type and code ("echo request (8/0)"), else the port. */
export function formatFlowEndpoint(r: FlowRecord, addr: string, port: number): string {
  if ((r.proto === 'icmp' || r.proto === 'icmpv6') && r.icmp_type !== undefined) {
    return `${formatEndpoint(addr, 0)} ${icmpLabel(r.proto, r.icmp_type, r.icmp_code ?? 0)}`;
  }
  return formatEndpoint(addr, port);
}
