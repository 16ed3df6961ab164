/** The few libc entry points the helper calls through koffi (glibc, x86_64). */
import { koffi } from './koffi.ts';

type Fn = (...args: unknown[]) => unknown;

export interface Libc {
  /** Raw syscall with up to five integer/pointer arguments, each given as a koffi [type, value] pair. */
  syscall(nr: number, ...typedArgs: unknown[]): number;
  prctl(option: number, a2: number, a3?: number, a4?: number, a5?: number): number;
  getppid(): number;
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, addr: Buffer, len: number): number;
  sendto(fd: number, data: Buffer, len: number, flags: number, addr: Buffer, addrLen: number): number;
  open(path: string, flags: number): number;
  close(fd: number): number;
  /** pread(2) into `buf`; bytes read, or -1. */
  pread(fd: number, buf: Buffer, offset: number): number;
  /** Address of a Buffer's bytes, for structs that hold a pointer (valid while the Buffer lives). */
  addressOf(buf: Buffer): bigint;
  /** Address of an exported symbol of an already-loaded library (dlopen(name) + dlsym). */
  symbolAddress(library: string, symbol: string): unknown;
  fdopen(fd: number, mode: string): unknown;
  /** poll() one fd without waiting; returns revents (POLLERR 0x8, POLLHUP 0x10), or -1. */
  pollNow(fd: number, events: number): number;
  /** clock_gettime(id) in nanoseconds (CLOCK_REALTIME 0, CLOCK_MONOTONIC 1). */
  clockNs(id: number): bigint;
  /** mmap(2) MAP_SHARED of `len` bytes of `fd` at `offset`, for the life of the process; null with errno set on failure. */
  mapShared(fd: number, len: number, writable: boolean, offset: number): ArrayBuffer | null;
  /** sysconf(_SC_PAGESIZE). */
  pageSize(): number;
  errno(): number;
}

const RTLD_NOW = 2;
const RTLD_NOLOAD = 4;
const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const SC_PAGESIZE = 30;

let cached: Libc | null = null;

export function libc(): Libc {
  if (cached) return cached;
  const k = koffi();
  const lib = k.load('libc.so.6');
  const f = (proto: string): Fn => lib.func(proto) as Fn;
  const syscall = f('long syscall(long nr, ...)');
  const prctl = f('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)');
  const getppid = f('int getppid(void)');
  const socket = f('int socket(int domain, int type, int protocol)');
  const connect = f('int connect(int fd, const void *addr, uint32_t len)');
  const open = f('int open(const char *path, int flags)');
  const close = f('int close(int fd)');
  const sendto = f('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)');
  const pread = f('long pread(int fd, void *buf, size_t count, long offset)');
  const dlopen = f('void *dlopen(const char *name, int flags)');
  const dlsym = f('void *dlsym(void *handle, const char *symbol)');
  const fdopen = f('void *fdopen(int fd, const char *mode)');
  const poll = f('int poll(void *fds, unsigned long nfds, int timeout)');
  const clockGettime = f('int clock_gettime(int id, void *ts)');
  const mmap = f('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)');
  const sysconf = f('long sysconf(int name)');
  const pollfd = Buffer.alloc(8); // struct pollfd { int fd; short events; short revents; }
  const timespec = Buffer.alloc(16);
  cached = {
    syscall: (nr, ...a) => Number(syscall(nr, ...a)),
    prctl: (o, a2, a3 = 0, a4 = 0, a5 = 0) => prctl(o, a2, a3, a4, a5) as number,
    getppid: () => getppid() as number,
    socket: (d, t, p) => socket(d, t, p) as number,
    connect: (fd, addr, len) => connect(fd, addr, len) as number,
    open: (p, fl) => open(p, fl) as number,
    close: (fd) => close(fd) as number,
    sendto: (fd, data, len, flags, addr, addrLen) => Number(sendto(fd, data, len, flags, addr, addrLen)),
    pread: (fd, buf, offset) => Number(pread(fd, buf, buf.length, offset)),
    addressOf: (buf) => k.address(buf),
    symbolAddress(library, symbol) {
      const h = dlopen(library, RTLD_NOW | RTLD_NOLOAD);
      if (h === null) throw new Error(`${library} is not loaded`);
      const addr = dlsym(h, symbol);
      if (addr === null) throw new Error(`${symbol} not found in ${library}`);
      return addr;
    },
    fdopen: (fd, mode) => fdopen(fd, mode),
    pollNow(fd, events) {
      pollfd.writeInt32LE(fd, 0);
      pollfd.writeInt16LE(events, 4);
      pollfd.writeInt16LE(0, 6);
      const r = poll(pollfd, 1, 0) as number;
      return r < 0 ? -1 : pollfd.readUInt16LE(6);
    },
    clockNs(id) {
      if ((clockGettime(id, timespec) as number) !== 0) throw new Error(`clock_gettime(${id}) failed (errno ${k.errno()})`);
      return timespec.readBigInt64LE(0) * 1_000_000_000n + timespec.readBigInt64LE(8);
    },
    mapShared(fd, len, writable, offset) {
      const p = mmap(null, len, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, offset);
      return p === null || k.address(p) === 0xffffffffffffffffn ? null : k.view(p, len);
    },
    pageSize: () => Number(sysconf(SC_PAGESIZE)),
    errno: () => k.errno(),
  };
  return cached;
}
