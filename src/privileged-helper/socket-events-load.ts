/**
 * Loads and attaches the socket-event eBPF programs (first stage, still holding CAP_BPF and CAP_PERFMON), and keeps
 * only what the capture stage needs across execve: the ring buffer map's fd and one fd per attached link (a link
 * lives as long as its fd; the programs and other maps are kept alive by the links). Every other fd libbpf made is
 * close-on-exec and goes with this image. Any failure is a reason to fall back to /proc, never an error.
 */
import { existsSync, fstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SOCKET_EVENTS_FD } from '../shared/socket-events.ts';
import { libbpf } from './native/libbpf.ts';
import type { Libc } from './native/libc.ts';

export const BPF_OBJECT_FILE = 'socket-events.bpf.o';
export const KERNEL_BTF = '/sys/kernel/btf/vmlinux';
const RING_MAP = 'events';
/** The programs the object must attach, each or none (docs/helper.md: hooks). */
export const BPF_PROGRAMS = ['on_tcp_state', 'on_dev_queue'] as const;
/** At most this many fds cross execve (the ring and the links). */
export const MAX_LINKS = 8;

const SYS_fcntl = 72;
const F_SETFD = 2;
const F_GETFL = 3;
const O_ACCMODE = 3;
const O_RDONLY = 0;
const O_WRONLY = 1;

const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 7: 'E2BIG', 9: 'EBADF', 12: 'ENOMEM', 13: 'EACCES', 16: 'EBUSY',
  22: 'EINVAL', 38: 'ENOSYS', 95: 'EOPNOTSUPP', 524: 'ENOTSUPP',
};
export const errnoName = (n: number): string => ERRNO_NAMES[Math.abs(n)] ?? `errno ${Math.abs(n)}`;

export type AttributionSetup =
  | { method: 'ebpf'; eventsFd: number; ringFd: number; linkFds: number[] }
  | { method: 'proc'; reason: string };

/**
 * fd 3 must be the socket-event pipe the caller handed us, not one Node or libuv opened for itself when nothing was
 * passed (they take the lowest free numbers): a pipe or socket we can write to and, for a pipe, not one whose read
 * end we hold too (Node's own pipes keep both ends; the caller keeps the read end of ours).
 */
export function eventPipeReady(c: Libc): boolean {
  const flags = c.syscall(SYS_fcntl, 'int', SOCKET_EVENTS_FD, 'int', F_GETFL, 'int', 0);
  if (flags < 0 || (flags & O_ACCMODE) === O_RDONLY) return false;
  try {
    const st = fstatSync(SOCKET_EVENTS_FD);
    if (st.isSocket()) return true;
    if (!st.isFIFO()) return false;
    for (const name of readdirSync('/proc/self/fd')) {
      const fd = Number(name);
      if (fd === SOCKET_EVENTS_FD) continue;
      try {
        const other = fstatSync(fd);
        const mode = c.syscall(SYS_fcntl, 'int', fd, 'int', F_GETFL, 'int', 0) & O_ACCMODE;
        if (other.ino === st.ino && other.dev === st.dev && mode !== O_WRONLY) return false;
      } catch {
        /* the directory's own fd, already closed */
      }
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Node marks inherited descriptors close-on-exec at startup; these must survive the stage's execve (the first
 * stage's into the second, and the second's into its io_uring-free self).
 */
export function keepAcrossExec(c: Libc, fds: readonly number[]): boolean {
  return fds.every((fd) => c.syscall(SYS_fcntl, 'int', fd, 'int', F_SETFD, 'int', 0) === 0);
}

/** libbpf's name for the object's .rodata (the object name, cut to 8 characters, then the section). */
export const RODATA_MAP = 'socket_e.rodata';

/**
 * `netnsInode`: the capture's network namespace (the inode of /proc/self/ns/net); events of others are dropped.
 * `eventsFifoFd`: the fd of `--events-fifo`, already checked (events-fifo.ts); without it the events go to fd 3.
 */
export function loadSocketEvents(c: Libc, bundleDir: string, netnsInode: number, eventsFifoFd: number | null = null): AttributionSetup {
  const proc = (reason: string): AttributionSetup => ({ method: 'proc', reason });
  const eventsFd = eventsFifoFd ?? SOCKET_EVENTS_FD;
  if (eventsFifoFd === null && !eventPipeReady(c)) return proc(`file descriptor ${SOCKET_EVENTS_FD} is not an inherited pipe for the events`);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) return proc('the event format is little-endian and this host is not');
  if (!existsSync(KERNEL_BTF)) return proc(`the kernel has no BTF (${KERNEL_BTF} is missing)`);
  const objectPath = path.join(bundleDir, BPF_OBJECT_FILE);
  if (!existsSync(objectPath)) return proc(`${BPF_OBJECT_FILE} is missing from the helper's directory`);
  let bpf: ReturnType<typeof libbpf>;
  try {
    bpf = libbpf();
  } catch (e) {
    return proc(`libbpf.so.1 could not be loaded (${e instanceof Error ? e.message : String(e)})`);
  }
  const obj = bpf.openFile(objectPath);
  if (obj === null) return proc(`libbpf could not open ${BPF_OBJECT_FILE} (${errnoName(bpf.errno())})`);
  // The only constant in .rodata; its offset is checked by the object's layout test.
  if (!bpf.setInitialU32(obj, RODATA_MAP, 0, netnsInode)) return proc('the eBPF object has no namespace setting');
  const loaded = bpf.load(obj);
  // EPERM here is typical of lockdown or a missing capability; EINVAL/ENOTSUPP of a kernel without the hooks.
  if (loaded !== 0) return proc(`the kernel refused the eBPF programs (${errnoName(loaded)})`);
  const ringFd = bpf.mapFd(obj, RING_MAP);
  if (ringFd < 0) return proc('the eBPF object has no ring buffer');
  const programs = bpf.programs(obj);
  const names = programs.map((p) => p.name);
  if (names.length !== BPF_PROGRAMS.length || !BPF_PROGRAMS.every((n) => names.includes(n))) {
    return proc(`the eBPF object holds programs ${names.join(', ')}, not ${BPF_PROGRAMS.join(', ')}`);
  }
  const linkFds: number[] = [];
  for (const p of programs) {
    const link = bpf.attach(p.prog);
    // The links made so far die with this image (their fds are close-on-exec): nothing stays attached.
    if (link === null) return proc(`could not attach ${p.name} (${errnoName(bpf.errno())})`);
    linkFds.push(bpf.linkFd(link));
  }
  if (linkFds.length > MAX_LINKS || linkFds.some((fd) => fd < 0)) return proc('libbpf returned no link descriptor');
  if (!keepAcrossExec(c, [eventsFd, ringFd, ...linkFds])) return proc(`could not keep the event descriptors for the capture stage (${errnoName(c.errno())})`);
  return { method: 'ebpf', eventsFd, ringFd, linkFds };
}
