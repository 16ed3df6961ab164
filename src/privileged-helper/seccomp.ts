/**
 * The seccomp-bpf filter the second stage installs after the drop, on every thread at once (TSYNC). A deny-list:
 * everything that could reach another process, the filesystem, the network or the kernel's larger attack surfaces
 * returns EPERM (so the probes see "denied"); what Node, libuv, V8 and libpcap need to stream stays allowed. Why not
 * an allow-list: docs/helper.md. The program builder is pure; x86_64 numbers only.
 */
import type { Libc } from './native/libc.ts';

export const AUDIT_ARCH_X86_64 = 0xc000003e;
/** x32 system calls are x86_64 numbers with this bit set: the same arch value, so they must be refused by number. */
export const X32_SYSCALL_BIT = 0x40000000;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const EPERM = 1;
export const ENOSYS = 38;

const SYS_seccomp = 317;
const SECCOMP_SET_MODE_FILTER = 1;
export const SECCOMP_FILTER_FLAG_TSYNC = 1;

/** Denied outright (x86_64 numbers), grouped by what they would let a compromised helper do. */
export const DENIED_SYSCALLS: Readonly<Record<string, number>> = {
  // New sockets and every way to send on one: the pcap socket must not inject frames, and no other peer is reachable.
  socket: 41, connect: 42, accept: 43, sendto: 44, sendmsg: 46, bind: 49, listen: 50, socketpair: 53,
  setsockopt: 54, accept4: 288, sendmmsg: 307,
  // Files: none is opened after the drop (the /proc status fds are opened before).
  open: 2, creat: 85, openat: 257, openat2: 437, name_to_handle_at: 303, open_by_handle_at: 304,
  // Another name for an open fd would get around the per-fd write rule below; sendfile/splice write to sockets.
  dup: 32, dup2: 33, dup3: 292, sendfile: 40, splice: 275, tee: 276, vmsplice: 278, copy_file_range: 326,
  // Programs and processes.
  execve: 59, execveat: 322, fork: 57, vfork: 58,
  // Other processes' memory and descriptors.
  ptrace: 101, process_vm_readv: 310, process_vm_writev: 311, kcmp: 312, pidfd_getfd: 438, process_madvise: 440,
  // Mounts and namespaces.
  mount: 165, umount2: 166, pivot_root: 155, chroot: 161, unshare: 272, setns: 308,
  open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, mount_setattr: 442,
  // Large kernel attack surfaces.
  bpf: 321, perf_event_open: 298, io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
  add_key: 248, request_key: 249, keyctl: 250, userfaultfd: 323, modify_ldt: 154, personality: 135,
  // System V and POSIX IPC: channels to the user's other processes.
  shmget: 29, shmat: 30, shmctl: 31, semget: 64, semop: 65, semctl: 66, shmdt: 67, msgget: 68, msgsnd: 69,
  msgrcv: 70, msgctl: 71, semtimedop: 220, mq_open: 240, mq_unlink: 241, mq_timedsend: 242, mq_timedreceive: 243,
  mq_notify: 244, mq_getsetattr: 245,
  // Need capabilities the helper no longer has; refused here too so a kernel bug behind them is out of reach.
  init_module: 175, finit_module: 313, delete_module: 176, kexec_load: 246, kexec_file_load: 320, reboot: 169,
  acct: 163, swapon: 167, swapoff: 168, iopl: 172, ioperm: 173, syslog: 103, fanotify_init: 300, quotactl: 179,
};

export const NR = {
  io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
  write: 1, pwrite64: 18, writev: 20, pwritev: 296, pwritev2: 328, ioctl: 16, fcntl: 72, prctl: 157,
  clone: 56, clone3: 435,
} as const;

/** Namespace flags of clone(2)'s first argument (CLONE_NEWTIME cannot be passed to clone, only to unshare). */
export const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
export const CLONE_THREAD = 0x00010000;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;
const PR_SET_DUMPABLE = 4;
const PR_SET_PTRACER = 0x59616d61;

// Classic BPF opcodes.
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;

/** Offsets into struct seccomp_data. */
const OFF_NR = 0;
const OFF_ARCH = 4;
/** Low 32 bits of args[i] (little-endian); every argument checked here is an int the kernel truncates to 32 bits. */
const argLow = (i: number) => 16 + 8 * i;

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const ld = (off: number): Insn => ({ code: LD_W_ABS, jt: 0, jf: 0, k: off });
const jeq = (k: number, jt: number, jf: number): Insn => ({ code: JEQ_K, jt, jf, k: k >>> 0 });
const jset = (k: number, jt: number, jf: number): Insn => ({ code: JSET_K, jt, jf, k: k >>> 0 });
const jge = (k: number, jt: number, jf: number): Insn => ({ code: JGE_K, jt, jf, k: k >>> 0 });
const ret = (k: number): Insn => ({ code: RET_K, jt: 0, jf: 0, k: k >>> 0 });
const deny = (errno = EPERM) => ret(SECCOMP_RET_ERRNO | errno);
const allow = () => ret(SECCOMP_RET_ALLOW);

/** `if (nr == n) { body }`; the body always returns, so the next block still sees nr in the accumulator. */
function forSyscall(n: number, body: Insn[]): Insn[] {
  if (body.length > 255) throw new Error('seccomp block too long for a BPF jump');
  return [jeq(n, 0, body.length), ...body];
}

/** Refuses the call when the 32-bit argument `arg` equals one of `values`, allows it otherwise. */
function denyArgValues(arg: number, values: readonly number[]): Insn[] {
  const body: Insn[] = [ld(argLow(arg))];
  values.forEach((v, i) => body.push(jeq(v, values.length - i, 0)));
  return [...body, allow(), deny()];
}

export interface FilterSpec {
  /** The capture socket: writing to it would send frames. */
  pcapFd: number;
}

/** Arch check, then nr in the accumulator with x32 numbers refused. */
function prologue(): Insn[] {
  return [
    // A foreign ABI (i386 int 0x80) would mean other numbers: nothing in this process makes such calls.
    ld(OFF_ARCH),
    jeq(AUDIT_ARCH_X86_64, 1, 0),
    ret(SECCOMP_RET_KILL_PROCESS),
    ld(OFF_NR),
    jge(X32_SYSCALL_BIT, 0, 1),
    deny(),
  ];
}

/**
 * The filter the capture stage is (re-)executed under: io_uring answers ENOSYS, so the new image's libuv never sets
 * up its rings and uses epoll_ctl directly. A ring made at boot could not be taken away later, and its submissions
 * (openat, connect, sendmsg, ...) are not system calls the final filter could see.
 */
export function buildBootFilter(): Insn[] {
  const p = prologue();
  for (const n of [NR.io_uring_setup, NR.io_uring_enter, NR.io_uring_register]) p.push(...forSyscall(n, [deny(ENOSYS)]));
  p.push(allow());
  return p;
}

/** The filter as BPF instructions. */
export function buildSeccompFilter(spec: FilterSpec): Insn[] {
  if (!Number.isInteger(spec.pcapFd) || spec.pcapFd < 3) throw new Error(`bad capture fd ${spec.pcapFd}`);
  const p = prologue();
  for (const n of Object.values(DENIED_SYSCALLS)) p.push(...forSyscall(n, [deny()]));
  // glibc falls back to clone(2) on ENOSYS, whose flags (unlike clone3's, behind a pointer) the filter can read.
  p.push(...forSyscall(NR.clone3, [deny(ENOSYS)]));
  // Threads only: no new process, no new namespace.
  p.push(...forSyscall(NR.clone, [ld(argLow(0)), jset(CLONE_NAMESPACE_FLAGS, 2, 0), jset(CLONE_THREAD, 0, 1), allow(), deny()]));
  for (const n of [NR.write, NR.writev, NR.pwrite64, NR.pwritev, NR.pwritev2]) p.push(...forSyscall(n, denyArgValues(0, [spec.pcapFd])));
  // Typing into the controlling terminal of whoever started us.
  p.push(...forSyscall(NR.ioctl, denyArgValues(1, [TIOCSTI, TIOCLINUX])));
  p.push(...forSyscall(NR.fcntl, denyArgValues(1, [F_DUPFD, F_DUPFD_CLOEXEC])));
  // Becoming attachable again (dumpable, Yama's ptracer exception).
  p.push(...forSyscall(NR.prctl, denyArgValues(0, [PR_SET_DUMPABLE, PR_SET_PTRACER])));
  p.push(allow());
  if (p.length > 4096) throw new Error('seccomp filter too long');
  return p;
}

/** struct sock_filter[]: u16 code, u8 jt, u8 jf, u32 k. */
export function encodeFilter(prog: readonly Insn[]): Buffer {
  const b = Buffer.alloc(prog.length * 8);
  prog.forEach((i, n) => {
    b.writeUInt16LE(i.code, n * 8);
    b.writeUInt8(i.jt, n * 8 + 2);
    b.writeUInt8(i.jf, n * 8 + 3);
    b.writeUInt32LE(i.k >>> 0, n * 8 + 4);
  });
  return b;
}

export class SeccompError extends Error {}

/**
 * Installs the filter, with `allThreads` on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC), else on the
 * calling thread (and what it starts or executes). Needs no_new_privs. With TSYNC the kernel returns the id of a
 * thread it could not synchronise instead of failing with an errno.
 */
export function installSeccompFilter(c: Libc, prog: readonly Insn[], allThreads = true): void {
  const filter = encodeFilter(prog);
  const fprog = Buffer.alloc(16); // struct sock_fprog { u16 len; (pad) struct sock_filter *filter; }
  fprog.writeUInt16LE(prog.length, 0);
  fprog.writeBigUInt64LE(c.addressOf(filter), 8);
  const r = c.syscall(SYS_seccomp, 'unsigned int', SECCOMP_SET_MODE_FILTER, 'unsigned int', allThreads ? SECCOMP_FILTER_FLAG_TSYNC : 0, 'void *', fprog);
  // Keep the filter alive across the call (fprog holds only its address).
  filter.readUInt8(0);
  if (r > 0) throw new SeccompError(`seccomp TSYNC: thread ${r} could not take the filter`);
  if (r !== 0) throw new SeccompError(`seccomp(SECCOMP_SET_MODE_FILTER) failed (errno ${c.errno()})`);
}

/** Whether this process may set up an io_uring now (tried with a one-entry ring, closed at once). */
export function ioUringAllowed(c: Libc): boolean {
  const params = Buffer.alloc(120); // struct io_uring_params, all zero
  const fd = c.syscall(NR.io_uring_setup, 'uint32_t', 1, 'void *', params);
  if (fd < 0) return false;
  c.close(fd);
  return true;
}
