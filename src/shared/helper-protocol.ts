/**
 * The privileged helper's process boundary, version 6.
 *
 * The unprivileged side starts `sandpiper-helper` (through pkexec unless already root) with the arguments built by
 * `buildHelperArgs`. A capture filter crosses it compiled, never as text: the unprivileged side runs libpcap's
 * compiler (names resolve as the user) and passes `--filter-bpf` in tcpdump's `-ddd` numbers with commas for line
 * breaks (`formatBpfProgram`: count, then `code jt jf k` per instruction) and `--filter-linktype`, the DLT it was
 * compiled for. The helper parses only those integers (`parseBpfProgram`) and refuses the capture when the
 * interface's link type differs. The helper then writes:
 *   - stdout: a standard pcap savefile stream (global header, then records), exactly what `tcpdump -w -` writes;
 *   - stderr: UTF-8 JSON lines, one `HelperMessage` per line, each carrying `type`;
 *   - fd 3, only with `--attribute-processes`: the socket-event stream of src/shared/socket-events.ts when the
 *     eBPF programs loaded (an `attribution` line says which method is active, and why not eBPF); with
 *     `--events-fifo PATH` the same stream goes to that FIFO instead, since pkexec closes every fd above 2;
 *   - exit status: one of `HelperExitCode`.
 * It reads nothing but stdin, and only to notice EOF (its parent is gone).
 * Any change to this file that an older peer could misread bumps HELPER_PROTOCOL_VERSION.
 */

export const HELPER_PROTOCOL_VERSION = 6;

/**
 * One exit status per kind of ending, so the unprivileged side can tell the user what actually happened (a failed
 * privilege drop is not a strict-mode refusal). Node itself exits with 1 and with some of these numbers when it
 * fails on its own, so a status counts as the helper's word only when its `exit` line names the same code.
 */
export const HelperExitCode = {
  ok: 0,
  /** An argument, the interface name or the filter was refused. */
  badArguments: 2,
  /** libpcap could not open or activate the capture. */
  captureOpenFailed: 3,
  /** --sandbox-strict and the sandbox would not be (or was not) fully enforced. */
  sandboxStrictRefused: 4,
  /** Not started as root. */
  notPrivileged: 5,
  /** Capabilities, no_new_privs or the first Landlock layer could not be applied (or were missing in stage 2). */
  sandboxSetupFailed: 6,
  /** setgroups/setgid/setuid to the target user failed or did not take effect. */
  privilegeDropFailed: 7,
  /** The capture stopped after it had started, or its output could not be set up. */
  captureFailed: 8,
  /** A bug or an impossible state in the helper. */
  internal: 9,
} as const;
export type HelperExitCode = (typeof HelperExitCode)[keyof typeof HelperExitCode];

/** pkexec's own exit statuses, seen by the unprivileged side when the helper never started. */
export const PkexecExitCode = { dismissed: 126, notAuthorised: 127 } as const;

export const INTERFACE_NAME_RE = /^[A-Za-z0-9_.:@-]{1,15}$/;
/** Longest filter text the unprivileged side compiles. */
export const FILTER_MAX_LENGTH = 4096;
/** The kernel's and libpcap's limit on instructions in one classic BPF program. */
export const BPF_MAXINSNS = 4096;
/** Inclusive ranges of the numeric arguments. */
export const HELPER_LIMITS = {
  snaplen: { min: 1, max: 262144 },
  // The capture buffer is kernel memory pinned for the whole capture, so its size is bounded.
  bufferMb: { min: 1, max: 256 },
  count: { min: 1, max: 2 ** 31 - 1 },
  durationSeconds: { min: 1, max: 31 * 24 * 3600 },
  uid: { min: 1, max: 2 ** 32 - 2 },
  landlockAbi: { min: 0, max: 8 },
  // A DLT_ value (pcap/dlt.h); libpcap's are well below this.
  linktype: { min: 0, max: 65535 },
} as const;
export const DEFAULT_SNAPLEN = 262144;
export const DEFAULT_BUFFER_MB = 32;
/** The uid the helper becomes when neither --user, PKEXEC_UID nor SUDO_UID names one (nobody). */
export const FALLBACK_UID = 65534;
/** The only group the helper runs with after the drop (nogroup), with no supplementary groups. */
export const FALLBACK_GID = 65534;

/** One classic BPF instruction as tcpdump -ddd prints it: code (u16), jt (u8), jf (u8), k (u32). */
export type BpfInsn = readonly [code: number, jt: number, jf: number, k: number];

/** A compiled capture filter and the link type (DLT_) it was compiled for. */
export interface BpfProgram {
  linktype: number;
  insns: readonly BpfInsn[];
}

const BPF_FIELD_MAX = [0xffff, 0xff, 0xff, 0xffffffff] as const;
const BPF_FIELD_NAMES = ['code', 'jt', 'jf', 'k'] as const;

/** `--filter-bpf`'s value: "N,c jt jf k,c jt jf k,…" (tcpdump -ddd's lines joined with commas). */
export function formatBpfProgram(insns: readonly BpfInsn[]): string {
  return [String(insns.length), ...insns.map((i) => i.join(' '))].join(',');
}

export type ParsedBpf = { ok: true; insns: BpfInsn[] } | { ok: false; message: string };

/** Plain decimal digits, at most 10 (no sign, exponent, hex or leading zeros). */
const BPF_NUMBER_RE = /^(0|[1-9][0-9]{0,9})$/;

/** Reads `--filter-bpf`: integers only, 1..BPF_MAXINSNS instructions, the count matching, each field in range. */
export function parseBpfProgram(text: string): ParsedBpf {
  const bad = (message: string): ParsedBpf => ({ ok: false, message: `--filter-bpf: ${message}` });
  // Longest valid form: the count plus BPF_MAXINSNS of "65535 255 255 4294967295".
  if (text.length > 5 + BPF_MAXINSNS * 26) return bad(`longer than any program of ${BPF_MAXINSNS} instructions`);
  const parts = text.split(',');
  const countText = parts[0];
  if (!BPF_NUMBER_RE.test(countText)) return bad('must start with the instruction count');
  const count = Number(countText);
  if (count < 1 || count > BPF_MAXINSNS) return bad(`the instruction count must be 1 to ${BPF_MAXINSNS}, not ${count}`);
  if (parts.length - 1 !== count) return bad(`says ${count} instructions but holds ${parts.length - 1}`);
  const insns: BpfInsn[] = [];
  for (let i = 1; i < parts.length; i++) {
    const fields = parts[i].split(' ');
    if (fields.length !== 4 || !fields.every((f) => BPF_NUMBER_RE.test(f))) {
      return bad(`instruction ${i} is not four numbers "code jt jf k"`);
    }
    const n = fields.map(Number);
    for (let f = 0; f < 4; f++) {
      if (n[f] > BPF_FIELD_MAX[f]) return bad(`instruction ${i}: ${BPF_FIELD_NAMES[f]} ${n[f]} is above ${BPF_FIELD_MAX[f]}`);
    }
    insns.push([n[0], n[1], n[2], n[3]]);
  }
  return { ok: true, insns };
}

export interface HelperOptions {
  interface: string;
  /** The compiled capture filter; none captures everything. */
  filter?: BpfProgram;
  snaplen?: number;
  promisc?: boolean;
  bufferMb?: number;
  count?: number;
  durationSeconds?: number;
  sandboxStrict?: boolean;
  user?: number;
  /** Caps the Landlock ABI the helper uses (0 = no Landlock); for tests of the partial paths. */
  maxLandlockAbi?: number;
  /** Name the process behind each socket: eBPF events on fd 3, or the /proc method when they cannot load. */
  attributeProcesses?: boolean;
  /** With attributeProcesses: skip eBPF and report the /proc method (tests, odd kernels). */
  noEbpf?: boolean;
  /**
   * With attributeProcesses (and not noEbpf): the socket events go to this FIFO, not fd 3. An absolute, normalised
   * path (`checkEventsFifoPath`) of a FIFO the invoking user owns, mode 0600, already open for reading.
   */
  eventsFifo?: string;
}

/** Longest `--events-fifo` path, in bytes; a fresh directory under the user's runtime or temp directory is far shorter. */
export const EVENTS_FIFO_MAX_BYTES = 1024;

/** Why `--events-fifo`'s value is refused before anything touches the file system, or null. */
export function checkEventsFifoPath(p: string): string | null {
  if (p.length === 0 || Buffer.byteLength(p, 'utf8') > EVENTS_FIFO_MAX_BYTES) return `must be 1 to ${EVENTS_FIFO_MAX_BYTES} bytes long`;
  if (/[\x00-\x1f\x7f]/.test(p)) return 'must not contain control characters';
  if (!p.startsWith('/')) return 'must be an absolute path';
  const parts = p.slice(1).split('/');
  if (parts.some((c) => c === '' || c === '.' || c === '..')) return 'must be a normalised path (no empty, "." or ".." component, no trailing slash)';
  return null;
}

/** The helper's command line for the given options, in the order its parser documents. */
export function buildHelperArgs(o: HelperOptions): string[] {
  const a = ['--interface', o.interface];
  if (o.filter !== undefined) a.push('--filter-bpf', formatBpfProgram(o.filter.insns), '--filter-linktype', String(o.filter.linktype));
  if (o.snaplen !== undefined) a.push('--snaplen', String(o.snaplen));
  if (o.promisc) a.push('--promisc');
  if (o.bufferMb !== undefined) a.push('--buffer-mb', String(o.bufferMb));
  if (o.count !== undefined) a.push('--count', String(o.count));
  if (o.durationSeconds !== undefined) a.push('--duration', String(o.durationSeconds));
  if (o.sandboxStrict) a.push('--sandbox-strict');
  if (o.user !== undefined) a.push('--user', String(o.user));
  if (o.maxLandlockAbi !== undefined) a.push('--max-landlock-abi', String(o.maxLandlockAbi));
  if (o.attributeProcesses) {
    a.push('--attribute-processes');
    if (o.noEbpf) a.push('--no-ebpf');
    else if (o.eventsFifo !== undefined) a.push('--events-fifo', o.eventsFifo);
  }
  return a;
}

export type ProbeResult = 'denied' | 'allowed' | 'skipped';
export type SandboxStatus = 'fully_enforced' | 'partially_enforced' | 'not_available';

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  version: string;
  pid: number;
  /** libpcap's pcap_lib_version(). */
  libpcap: string;
  node: string;
}

/** One thread as read back from /proc/self/task/<tid>/status after the filter went in; null when unreadable. */
export interface SeccompThread {
  tid: number;
  /** `Seccomp:` 0 none, 1 strict, 2 filter. */
  mode: number | null;
  /** `Seccomp_filters:`, the number of filters attached (the boot filter and the final one). */
  filters: number | null;
}

export interface SeccompReport {
  /** The filter was accepted by the kernel (with TSYNC: for every thread at once). */
  installed: boolean;
  /** What the filter refuses: a fixed list of system calls (docs/helper.md). */
  policy: 'deny_list';
  /** Each thread that existed when the filter went in; threads started later inherit it from the thread that starts them. */
  threads: SeccompThread[];
  /** Every thread above reads back mode 2 with one filter more than before the install. */
  all_threads: boolean;
}

export type SandboxProbes = {
  raw_socket: ProbeResult;
  file_open: ProbeResult;
  tcp_connect: ProbeResult;
  /** A datagram to 127.0.0.1. */
  udp_send: ProbeResult;
  /** connect() to a pathname unix socket (the user's session bus path). */
  unix_connect: ProbeResult;
};

export interface SandboxMessage {
  type: 'sandbox';
  status: SandboxStatus;
  /** The ABI the helper used (after any cap), 0 when Landlock is unavailable or capped to 0. */
  landlock_abi: number;
  /** The ABI the kernel offers. */
  landlock_abi_kernel: number;
  fs_restricted: boolean;
  net_restricted: boolean;
  scoped: boolean;
  no_new_privs: boolean;
  cap_net_raw_dropped: boolean;
  uid: number;
  gid: number;
  /** Every thread of the capturing process was checked from /proc/self/task/* or covered by construction. */
  all_threads: boolean;
  threads: number;
  seccomp: SeccompReport;
  probes: SandboxProbes;
  /** With --attribute-processes: how processes are named (the `attribution` line says why). */
  attribution?: 'ebpf' | 'proc';
  details: string;
}

/** How processes are named, with `--attribute-processes`: once, after `sandbox`, before the stream starts. */
export interface AttributionMessage {
  type: 'attribution';
  /** ebpf: events stream on fd 3. proc: nothing on fd 3; the unprivileged side reads /proc itself. */
  method: 'ebpf' | 'proc';
  /** Why eBPF is not in use (proc), else null. */
  reason: string | null;
}

export interface StatsMessage {
  type: 'stats';
  /** pcap_stats ps_recv, ps_drop, ps_ifdrop. */
  received: number;
  dropped_kernel: number;
  dropped_iface: number;
  /** Packets written to stdout so far. */
  written: number;
  /** Seconds since the capture started. */
  elapsed: number;
}

/** The `code` of an `error` line; `HELPER_ERROR_EXIT` gives the exit status that follows it. */
export type HelperErrorCode =
  | 'bad_arguments'
  | 'no_such_interface'
  | 'bad_filter'
  | 'capture_open_failed'
  | 'not_privileged'
  | 'sandbox_failed'
  | 'privilege_drop_failed'
  | 'sandbox_strict'
  | 'capture_failed'
  | 'internal';

/** The exit status for each error code: the helper exits with it, the unprivileged side reads it back. */
export const HELPER_ERROR_EXIT: Readonly<Record<HelperErrorCode, HelperExitCode>> = {
  bad_arguments: HelperExitCode.badArguments,
  // An interface name or filter that is wrong is an argument error, also when only libpcap can tell.
  no_such_interface: HelperExitCode.badArguments,
  bad_filter: HelperExitCode.badArguments,
  capture_open_failed: HelperExitCode.captureOpenFailed,
  not_privileged: HelperExitCode.notPrivileged,
  sandbox_failed: HelperExitCode.sandboxSetupFailed,
  privilege_drop_failed: HelperExitCode.privilegeDropFailed,
  sandbox_strict: HelperExitCode.sandboxStrictRefused,
  capture_failed: HelperExitCode.captureFailed,
  internal: HelperExitCode.internal,
};

export interface WarningMessage {
  type: 'warning';
  code: string;
  message: string;
}

export interface ErrorMessage {
  type: 'error';
  code: HelperErrorCode;
  /** A sentence a user can act on. */
  message: string;
}

export type ExitReason =
  | 'count_reached'
  | 'duration_reached'
  | 'signal'
  | 'stdout_closed'
  | 'stdin_eof'
  | 'parent_died'
  | 'error';

export interface ExitMessage {
  type: 'exit';
  reason: ExitReason;
  code: HelperExitCode;
}

export type HelperMessage = HelloMessage | SandboxMessage | AttributionMessage | StatsMessage | WarningMessage | ErrorMessage | ExitMessage;

const MESSAGE_TYPES = new Set(['hello', 'sandbox', 'attribution', 'stats', 'warning', 'error', 'exit']);

const PROBE_RESULTS = new Set<unknown>(['denied', 'allowed', 'skipped']);
const SANDBOX_STATUSES = new Set<unknown>(['fully_enforced', 'partially_enforced', 'not_available']);
const PROBE_NAMES: readonly (keyof SandboxProbes)[] = ['raw_socket', 'file_open', 'tcp_connect', 'udp_send', 'unix_connect'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);

/**
 * A sandbox line has every field of this version with the right type: the app shows only what the helper claimed
 * and proved, so a line it cannot read completely is not shown at all.
 */
export function isSandboxMessage(v: unknown): v is SandboxMessage {
  if (!isObject(v) || v.type !== 'sandbox' || !SANDBOX_STATUSES.has(v.status)) return false;
  for (const k of ['landlock_abi', 'landlock_abi_kernel', 'uid', 'gid', 'threads']) if (!isInt(v[k])) return false;
  for (const k of ['fs_restricted', 'net_restricted', 'scoped', 'no_new_privs', 'cap_net_raw_dropped', 'all_threads']) {
    if (typeof v[k] !== 'boolean') return false;
  }
  if (typeof v.details !== 'string') return false;
  if (v.attribution !== undefined && v.attribution !== 'ebpf' && v.attribution !== 'proc') return false;
  const p = v.probes;
  if (!isObject(p) || !PROBE_NAMES.every((n) => PROBE_RESULTS.has(p[n]))) return false;
  const s = v.seccomp;
  if (!isObject(s) || typeof s.installed !== 'boolean' || s.policy !== 'deny_list' || typeof s.all_threads !== 'boolean') return false;
  return Array.isArray(s.threads) && s.threads.every((t) => isObject(t) && isInt(t.tid) && (t.mode === null || isInt(t.mode)) && (t.filters === null || isInt(t.filters)));
}

export function isAttributionMessage(v: unknown): v is AttributionMessage {
  if (!isObject(v) || v.type !== 'attribution') return false;
  if (v.method === 'ebpf') return v.reason === null;
  return v.method === 'proc' && typeof v.reason === 'string' && v.reason.length > 0;
}

/** Parses one stderr line of the helper; null for anything that is not a well-formed message. */
export function parseHelperMessage(line: string): HelperMessage | null {
  if (line.length === 0 || line.length > 65536) return null;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const t = (v as { type?: unknown }).type;
  if (typeof t !== 'string' || !MESSAGE_TYPES.has(t)) return null;
  if (t === 'sandbox' && !isSandboxMessage(v)) return null;
  if (t === 'attribution' && !isAttributionMessage(v)) return null;
  return v as HelperMessage;
}
