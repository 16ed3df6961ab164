/**
 * What `sandpiper capture` prints: the sandbox report, per-second statistics and the closing summary, as text for
 * people or as JSON lines. The sandbox text shows only what the helper's probes proved.
 */
import type { ExitReason, SandboxMessage, StatsMessage } from '../shared/helper-protocol.ts';

/** The closing line of `sandpiper capture --json`. */
export interface CaptureSummary {
  type: 'summary';
  interface: string;
  /** Whole packets received through the helper's pipe. */
  packets: number;
  /** Captured bytes (incl_len) of those packets. */
  bytes: number;
  flows: number | null;
  /** pcap_stats of the helper's last `stats` line; null when it never sent one. */
  received: number | null;
  dropped_kernel: number | null;
  dropped_iface: number | null;
  /** Packets this process received but could not use (0 unless the stream was cut mid-record). */
  pipe_drops: number;
  elapsed: number;
  exit_reason: ExitReason | null;
  file: string | null;
  error: string | null;
  /** With --attribute-processes: the method the helper's `attribution` line named, and the socket events read. */
  attribution?: CaptureAttributionSummary;
}

export interface CaptureAttributionSummary {
  method: 'ebpf' | 'proc' | null;
  /** Why not eBPF (proc), else null. */
  reason: string | null;
  socket_events: number;
  /** Events the kernel ring dropped before the helper read them. */
  socket_events_lost: number;
  /** Events that named no flow (their flow never came, or they waited too long). */
  socket_events_unmatched: number;
  /** Why the event stream was given up, or null. */
  socket_events_error: string | null;
}

const STATUS_TEXT: Record<SandboxMessage['status'], string> = {
  fully_enforced: 'fully enforced',
  partially_enforced: 'PARTIALLY enforced',
  not_available: 'NOT available',
};

const yesNo = (b: boolean) => (b ? 'yes' : 'NO');

export function formatSandboxReport(m: SandboxMessage): string {
  const rows: Array<[string, string]> = [
    ['Landlock', m.landlock_abi > 0 ? `ABI ${m.landlock_abi} (kernel offers ${m.landlock_abi_kernel})` : `not used (kernel offers ${m.landlock_abi_kernel})`],
    ['filesystem restricted', yesNo(m.fs_restricted)],
    ['network restricted', yesNo(m.net_restricted)],
    ['signals/sockets scoped', yesNo(m.scoped)],
    ['no_new_privs', yesNo(m.no_new_privs)],
    ['CAP_NET_RAW dropped', yesNo(m.cap_net_raw_dropped)],
    ['runs as', `uid ${m.uid}, gid ${m.gid}`],
    ['threads', `${m.threads}${m.all_threads ? ', all covered' : ', NOT all covered'}`],
    ['probe: raw socket', m.probes.raw_socket],
    ['probe: file open', m.probes.file_open],
    ['seccomp filter', m.seccomp.installed ? `${m.seccomp.threads.filter((t) => t.mode === 2).length} of ${m.seccomp.threads.length} threads${m.seccomp.all_threads ? '' : ', NOT all'}` : 'NOT installed'],
    ['probe: TCP connect', m.probes.tcp_connect],
    ['probe: UDP send', m.probes.udp_send],
    ['probe: unix connect', m.probes.unix_connect],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const lines = [`sandbox: ${STATUS_TEXT[m.status] ?? m.status}`, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
  if (m.details) lines.push(`  ${m.details}`);
  return lines.join('\n') + '\n';
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

export function formatStatsLine(m: StatsMessage, flows: number | null): string {
  const f = flows === null ? '' : `, ${flows} flows`;
  return `[${m.elapsed.toFixed(1)}s] ${m.received} received, ${m.written} written, ${m.dropped_kernel} dropped by kernel, ${m.dropped_iface} by interface${f}\n`;
}

const REASON_TEXT: Record<ExitReason, string> = {
  count_reached: 'packet count reached',
  duration_reached: 'duration reached',
  signal: 'stopped',
  stdout_closed: 'output closed',
  stdin_eof: 'stopped',
  parent_died: 'parent exited',
  error: 'error',
};

export function formatSummary(s: CaptureSummary): string {
  const parts = [`${s.packets} packets (${formatBytes(s.bytes)})`];
  if (s.flows !== null) parts.push(`${s.flows} flows`);
  if (s.dropped_kernel !== null) parts.push(`${s.dropped_kernel} dropped by kernel, ${s.dropped_iface ?? 0} by interface`);
  parts.push(`${s.pipe_drops} pipe drops`);
  parts.push(`${s.elapsed.toFixed(1)} s`);
  let line = `summary: ${parts.join(', ')}`;
  if (s.file !== null) line += `; saved to ${s.file}`;
  if (s.exit_reason !== null) line += ` (${REASON_TEXT[s.exit_reason] ?? s.exit_reason})`;
  const a = s.attribution;
  if (a !== undefined) {
    line += `\nprocess attribution: ${a.method === 'ebpf' ? `eBPF, ${a.socket_events} socket events, ${a.socket_events_lost} lost` : a.method === 'proc' ? `/proc (${a.reason ?? 'eBPF not in use'})` : 'not reported'}`;
    if (a.socket_events_error !== null) line += `; event stream given up: ${a.socket_events_error}`;
  }
  return line + '\n';
}
