/** Runs the helper's seccomp programs through a small classic-BPF interpreter, call by call. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUDIT_ARCH_X86_64,
  CLONE_THREAD,
  DENIED_SYSCALLS,
  ENOSYS,
  EPERM,
  NR,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  buildBootFilter,
  buildSeccompFilter,
  encodeFilter,
  type Insn,
} from '../../src/privileged-helper/seccomp.ts';

/** struct seccomp_data for one call: nr, arch, ip 0, six 64-bit args. */
function data(nr: number, args: number[] = [], arch = AUDIT_ARCH_X86_64): Buffer {
  const b = Buffer.alloc(64);
  b.writeInt32LE(nr, 0);
  b.writeUInt32LE(arch >>> 0, 4);
  args.forEach((a, i) => b.writeBigUInt64LE(BigInt(a), 16 + 8 * i));
  return b;
}

/** Decodes the encoded program (as the kernel gets it) and runs it; only the opcodes a seccomp filter may use here. */
function run(encoded: Buffer, d: Buffer): number {
  const prog: Insn[] = [];
  for (let o = 0; o < encoded.length; o += 8) prog.push({ code: encoded.readUInt16LE(o), jt: encoded[o + 2], jf: encoded[o + 3], k: encoded.readUInt32LE(o + 4) });
  let a = 0;
  for (let pc = 0; pc < prog.length; ) {
    const i = prog[pc];
    switch (i.code) {
      case 0x20: // ld [k]
        assert.ok(i.k % 4 === 0 && i.k < 64, `load offset ${i.k}`);
        a = d.readUInt32LE(i.k);
        pc++;
        break;
      case 0x15:
        pc += 1 + (a === i.k ? i.jt : i.jf);
        break;
      case 0x35:
        pc += 1 + (a >= i.k ? i.jt : i.jf);
        break;
      case 0x45:
        pc += 1 + ((a & i.k) !== 0 ? i.jt : i.jf);
        break;
      case 0x06:
        return i.k;
      default:
        throw new Error(`unexpected opcode ${i.code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('fell off the end of the program');
}

const PCAP_FD = 21;
const filter = encodeFilter(buildSeccompFilter({ pcapFd: PCAP_FD }));
const verdict = (nr: number, args: number[] = [], arch?: number) => run(filter, data(nr, args, arch));
const EPERM_RET = SECCOMP_RET_ERRNO | EPERM;

test('every denied call answers EPERM, and the list holds what the sandbox promises', () => {
  for (const [name, nr] of Object.entries(DENIED_SYSCALLS)) assert.equal(verdict(nr), EPERM_RET, name);
  const must = [
    'socket', 'socketpair', 'connect', 'bind', 'listen', 'accept', 'accept4', 'sendto', 'sendmsg', 'sendmmsg', 'open', 'openat',
    'openat2', 'creat', 'execve', 'execveat', 'ptrace', 'process_vm_readv', 'process_vm_writev', 'mount', 'umount2', 'unshare',
    'setns', 'bpf', 'perf_event_open', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'keyctl', 'add_key', 'request_key',
    'userfaultfd',
  ];
  for (const n of must) assert.ok(n in DENIED_SYSCALLS, n);
  // Spot-check the numbers against the x86_64 table.
  assert.deepEqual([DENIED_SYSCALLS.socket, DENIED_SYSCALLS.connect, DENIED_SYSCALLS.sendto, DENIED_SYSCALLS.openat, DENIED_SYSCALLS.execve, DENIED_SYSCALLS.io_uring_enter], [41, 42, 44, 257, 59, 426]);
});

test('what Node, libuv and libpcap need while streaming is allowed', () => {
  const allowed = { read: 0, write: 1, close: 3, poll: 7, mmap: 9, mprotect: 10, munmap: 11, rt_sigaction: 13, rt_sigprocmask: 14, pread64: 17, madvise: 28, getpid: 39, recvfrom: 45, getsockopt: 55, exit: 60, futex: 202, epoll_wait: 232, epoll_ctl: 233, tgkill: 234, exit_group: 231, epoll_pwait: 281, eventfd2: 290, pipe2: 293, getrandom: 318, rseq: 334 };
  for (const [name, nr] of Object.entries(allowed)) assert.equal(verdict(nr, [1, 0]), SECCOMP_RET_ALLOW, name);
});

test('clone: threads only; clone3 answers ENOSYS so glibc falls back to clone', () => {
  const thread = 0x3d0f00; // glibc pthread_create: VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
  assert.ok((thread & CLONE_THREAD) !== 0);
  assert.equal(verdict(NR.clone, [thread]), SECCOMP_RET_ALLOW);
  assert.equal(verdict(NR.clone, [0x01200011]), EPERM_RET, 'fork-style clone');
  for (const ns of [0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000]) {
    assert.equal(verdict(NR.clone, [thread | ns]), EPERM_RET, `namespace flag ${ns.toString(16)}`);
  }
  assert.equal(verdict(NR.clone3), SECCOMP_RET_ERRNO | ENOSYS);
});

test('the capture socket cannot be written to; other fds can', () => {
  for (const nr of [NR.write, NR.writev, NR.pwrite64, NR.pwritev, NR.pwritev2]) {
    assert.equal(verdict(nr, [PCAP_FD]), EPERM_RET, `nr ${nr} on the pcap fd`);
    assert.equal(verdict(nr, [1]), SECCOMP_RET_ALLOW, `nr ${nr} on stdout`);
    assert.equal(verdict(nr, [2]), SECCOMP_RET_ALLOW, `nr ${nr} on stderr`);
  }
  // Another name for it is refused too.
  assert.equal(verdict(DENIED_SYSCALLS.dup, [PCAP_FD]), EPERM_RET);
  assert.equal(verdict(NR.fcntl, [PCAP_FD, 0]), EPERM_RET, 'F_DUPFD');
  assert.equal(verdict(NR.fcntl, [PCAP_FD, 1030]), EPERM_RET, 'F_DUPFD_CLOEXEC');
  assert.equal(verdict(NR.fcntl, [PCAP_FD, 3]), SECCOMP_RET_ALLOW, 'F_GETFL');
  assert.throws(() => buildSeccompFilter({ pcapFd: 1 }), /bad capture fd/);
});

test('ioctl TIOCSTI and prctl(PR_SET_DUMPABLE) are refused, other ioctls and prctls pass', () => {
  assert.equal(verdict(NR.ioctl, [0, 0x5412]), EPERM_RET);
  assert.equal(verdict(NR.ioctl, [0, 0x541c]), EPERM_RET);
  assert.equal(verdict(NR.ioctl, [0, 0x5421]), SECCOMP_RET_ALLOW, 'FIONBIO');
  assert.equal(verdict(NR.prctl, [4, 1]), EPERM_RET);
  assert.equal(verdict(NR.prctl, [0x59616d61, 0]), EPERM_RET);
  assert.equal(verdict(NR.prctl, [15, 0]), SECCOMP_RET_ALLOW, 'PR_SET_NAME');
});

test('another arch is killed; x32 numbers are refused', () => {
  assert.equal(verdict(0, [], 0x40000003), SECCOMP_RET_KILL_PROCESS, 'i386');
  assert.equal(verdict(0x40000000 | 41), EPERM_RET, 'x32 socket');
  assert.equal(verdict(0x40000000 | 0), EPERM_RET, 'x32 read');
  assert.equal(verdict(-1), EPERM_RET);
});

test('the boot filter refuses io_uring with ENOSYS and nothing else', () => {
  const boot = encodeFilter(buildBootFilter());
  for (const nr of [NR.io_uring_setup, NR.io_uring_enter, NR.io_uring_register]) assert.equal(run(boot, data(nr)), SECCOMP_RET_ERRNO | ENOSYS);
  for (const nr of [0, 1, 41, 42, 56, 59, 257]) assert.equal(run(boot, data(nr)), SECCOMP_RET_ALLOW, String(nr));
  assert.equal(run(boot, data(0, [], 0x40000003)), SECCOMP_RET_KILL_PROCESS);
});
