/**
 * The helper's command line, parsed without side effects. Every check that needs no system state lives here so
 * it can be unit-tested; interface existence is checked by validate.ts. The filter arrives compiled (numbers only):
 * nothing here, or anywhere in the helper, reads filter text or resolves a name.
 */
import {
  DEFAULT_BUFFER_MB,
  DEFAULT_SNAPLEN,
  FALLBACK_UID,
  HELPER_LIMITS,
  INTERFACE_NAME_RE,
  checkEventsFifoPath,
  parseBpfProgram,
  type BpfProgram,
  type HelperErrorCode,
} from '../shared/helper-protocol.ts';

/** Options with every default filled in. */
export interface ParsedOptions {
  interface: string;
  /** null: no filter, capture everything. */
  filter: BpfProgram | null;
  snaplen: number;
  promisc: boolean;
  bufferMb: number;
  count: number | null;
  durationSeconds: number | null;
  sandboxStrict: boolean;
  user: number | null;
  maxLandlockAbi: number | null;
  /** Load the socket-event eBPF programs and stream their events on fd 3. */
  attributeProcesses: boolean;
  /** With attributeProcesses: do not try eBPF, report the /proc method (tests, odd kernels). */
  noEbpf: boolean;
  /** With attributeProcesses: the FIFO to stream the events to instead of fd 3 (checked further by events-fifo.ts). */
  eventsFifo: string | null;
}

export type ArgsResult =
  | { ok: true; options: ParsedOptions }
  | { ok: false; code: HelperErrorCode; message: string };

export const USAGE =
  'sandpiper-helper --interface IFACE [--filter-bpf N,CODE JT JF K,... --filter-linktype DLT] [--snaplen N] [--promisc] [--buffer-mb N] [--count N] ' +
  '[--duration SECONDS] [--sandbox-strict] [--user UID] [--max-landlock-abi N] [--attribute-processes [--no-ebpf | --events-fifo PATH]]';

type NumberKey = 'snaplen' | 'bufferMb' | 'count' | 'durationSeconds' | 'user' | 'maxLandlockAbi' | 'linktype';
const NUMBER_FLAGS: Record<string, { key: NumberKey; limits: { min: number; max: number } }> = {
  '--snaplen': { key: 'snaplen', limits: HELPER_LIMITS.snaplen },
  '--buffer-mb': { key: 'bufferMb', limits: HELPER_LIMITS.bufferMb },
  '--count': { key: 'count', limits: HELPER_LIMITS.count },
  '--duration': { key: 'durationSeconds', limits: HELPER_LIMITS.durationSeconds },
  '--user': { key: 'user', limits: HELPER_LIMITS.uid },
  '--max-landlock-abi': { key: 'maxLandlockAbi', limits: HELPER_LIMITS.landlockAbi },
  '--filter-linktype': { key: 'linktype', limits: HELPER_LIMITS.linktype },
};
const BOOLEAN_FLAGS: Record<string, 'promisc' | 'sandboxStrict' | 'attributeProcesses' | 'noEbpf'> = {
  '--promisc': 'promisc',
  '--sandbox-strict': 'sandboxStrict',
  '--attribute-processes': 'attributeProcesses',
  '--no-ebpf': 'noEbpf',
};

/** Plain decimal digits only: no sign, exponent, hex, whitespace or leading zeros that Number() would accept. */
const DECIMAL_RE = /^(0|[1-9][0-9]{0,11})$/;

/** A printable, bounded rendering of user input for error messages (never echo control characters). */
export function quote(s: string): string {
  const clipped = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(clipped);
}

export function parseHelperArgs(argv: readonly string[]): ArgsResult {
  const bad = (message: string): ArgsResult => ({ ok: false, code: 'bad_arguments', message: `${message}. Usage: ${USAGE}` });
  const seen = new Set<string>();
  let iface: string | null = null;
  let insns: BpfProgram['insns'] | null = null;
  let eventsFifo: string | null = null;
  const nums: Partial<Record<NumberKey, number>> = {};
  const flags = { promisc: false, sandboxStrict: false, attributeProcesses: false, noEbpf: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (seen.has(arg)) return bad(`${arg} given more than once`);
    if (arg in BOOLEAN_FLAGS) {
      seen.add(arg);
      flags[BOOLEAN_FLAGS[arg]] = true;
      continue;
    }
    if (arg === '--filter') {
      return bad('--filter (filter text) is not accepted since helper protocol 4: pass the compiled program with --filter-bpf and --filter-linktype');
    }
    if (arg !== '--interface' && arg !== '--filter-bpf' && arg !== '--events-fifo' && !(arg in NUMBER_FLAGS)) {
      return bad(`unknown argument ${quote(arg)}`);
    }
    seen.add(arg);
    if (i + 1 >= argv.length) return bad(`${arg} needs a value`);
    const value = argv[++i];
    if (arg === '--interface') {
      if (!INTERFACE_NAME_RE.test(value)) {
        return { ok: false, code: 'no_such_interface', message: `${quote(value)} is not a valid interface name (1-15 letters, digits or _.:@-)` };
      }
      iface = value;
    } else if (arg === '--filter-bpf') {
      const program = parseBpfProgram(value);
      if (!program.ok) return { ok: false, code: 'bad_filter', message: program.message };
      insns = program.insns;
    } else if (arg === '--events-fifo') {
      const why = checkEventsFifoPath(value);
      if (why !== null) return bad(`--events-fifo ${why}, not ${quote(value)}`);
      eventsFifo = value;
    } else {
      const { key, limits } = NUMBER_FLAGS[arg];
      const n = DECIMAL_RE.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n < limits.min || n > limits.max) {
        return bad(`${arg} must be a whole number from ${limits.min} to ${limits.max}, not ${quote(value)}`);
      }
      nums[key] = n;
    }
  }
  if (iface === null) return bad('--interface is required');
  if (flags.noEbpf && !flags.attributeProcesses) return bad('--no-ebpf only goes with --attribute-processes');
  if (eventsFifo !== null && !flags.attributeProcesses) return bad('--events-fifo only goes with --attribute-processes');
  if (eventsFifo !== null && flags.noEbpf) return bad('--events-fifo and --no-ebpf do not go together: without eBPF no event is written');
  if ((insns === null) !== (nums.linktype === undefined)) {
    return { ok: false, code: 'bad_filter', message: '--filter-bpf and --filter-linktype go together: the program is checked against the link type it was compiled for' };
  }
  return {
    ok: true,
    options: {
      interface: iface,
      filter: insns !== null && nums.linktype !== undefined ? { linktype: nums.linktype, insns } : null,
      snaplen: nums.snaplen ?? DEFAULT_SNAPLEN,
      promisc: flags.promisc,
      bufferMb: nums.bufferMb ?? DEFAULT_BUFFER_MB,
      count: nums.count ?? null,
      durationSeconds: nums.durationSeconds ?? null,
      sandboxStrict: flags.sandboxStrict,
      user: nums.user ?? null,
      maxLandlockAbi: nums.maxLandlockAbi ?? null,
      attributeProcesses: flags.attributeProcesses,
      noEbpf: flags.noEbpf,
      eventsFifo,
    },
  };
}

/**
 * Who started the helper, for owning the events FIFO: PKEXEC_UID, else SUDO_UID (each set by the program that made
 * us root), else our real uid (a root caller).
 */
export function invokingUid(env: Readonly<Record<string, string | undefined>>, realUid: number): number {
  return envUid(env.PKEXEC_UID) ?? envUid(env.SUDO_UID) ?? realUid;
}

/** Parses a uid from the environment (PKEXEC_UID, SUDO_UID); null when absent or malformed. */
function envUid(v: string | undefined): number | null {
  if (v === undefined || !DECIMAL_RE.test(v)) return null;
  const n = Number(v);
  return n <= HELPER_LIMITS.uid.max ? n : null;
}

export type TargetUserResult = { ok: true; uid: number; source: string } | { ok: false; message: string };

/**
 * The uid the helper becomes: --user, else PKEXEC_UID, else SUDO_UID, else nobody. Never 0. Under pkexec or sudo
 * the caller may only name themselves or nobody, so authorisation cannot be turned into another user's identity.
 */
export function resolveTargetUser(user: number | null, env: Readonly<Record<string, string | undefined>>): TargetUserResult {
  const pkexecUid = envUid(env.PKEXEC_UID);
  const sudoUid = envUid(env.SUDO_UID);
  if (user !== null) {
    if (user === 0) return { ok: false, message: '--user 0 is not allowed: the helper never keeps running as root' };
    // sudo may be configured to allow only this command, so the rule for pkexec holds there too.
    const invoker = pkexecUid ?? sudoUid;
    if (invoker !== null && user !== invoker && user !== FALLBACK_UID) {
      const via = pkexecUid !== null ? 'pkexec' : 'sudo';
      return { ok: false, message: `under ${via} --user may only name the invoking user (${invoker}) or ${FALLBACK_UID}` };
    }
    return { ok: true, uid: user, source: '--user' };
  }
  // A root caller (uid 0) still gets an unprivileged identity.
  if (pkexecUid !== null) return { ok: true, uid: pkexecUid === 0 ? FALLBACK_UID : pkexecUid, source: 'PKEXEC_UID' };
  if (sudoUid !== null) return { ok: true, uid: sudoUid === 0 ? FALLBACK_UID : sudoUid, source: 'SUDO_UID' };
  return { ok: true, uid: FALLBACK_UID, source: 'default' };
}
