/** Capabilities, no_new_privs and the identity switch. prctl/capset act on the calling thread only. */
import { readFileSync } from 'node:fs';
import type { Libc } from './native/libc.ts';

const PR_SET_PDEATHSIG = 1;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const PR_CAPBSET_DROP = 24;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_GET_NO_NEW_PRIVS = 39;
const PR_CAP_AMBIENT = 47;
const PR_CAP_AMBIENT_CLEAR_ALL = 4;
const SYS_capset = 126;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

export const CAP = { setgid: 6, setuid: 7, netRaw: 13, perfmon: 38, bpf: 39 } as const;
/** What the second stage needs: open the capture (NET_RAW) and switch identity (SETUID, SETGID). */
export const STAGE2_CAPS: readonly number[] = [CAP.setgid, CAP.setuid, CAP.netRaw];
/**
 * What loading and attaching the socket-event programs needs, held by the first stage's thread only while it does
 * that: never in the bounding set, so the capture stage cannot get them back at execve.
 */
export const BPF_LOAD_CAPS: readonly number[] = [CAP.bpf, CAP.perfmon];

export function isRoot(): boolean {
  return process.getuid?.() === 0 || process.geteuid?.() === 0;
}

function lastCap(): number {
  try {
    const n = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    if (Number.isInteger(n) && n > 0 && n < 64) return n;
  } catch {
    /* fall through */
  }
  return 40;
}

/**
 * Leaves only `keep` in this thread's bounding set and `keep` plus `alsoHeld` in its effective and permitted sets,
 * and empties the inheritable and ambient sets, so a root execve from this thread grants nothing but `keep` (root's
 * new permitted set is bounding | inheritable).
 */
export function limitCapabilities(c: Libc, keep: readonly number[], alsoHeld: readonly number[] = []): void {
  const last = lastCap();
  for (let cap = 0; cap <= last; cap++) {
    if (keep.includes(cap)) continue;
    if (c.prctl(PR_CAPBSET_DROP, cap) !== 0) throw new Error(`PR_CAPBSET_DROP ${cap} failed (errno ${c.errno()})`);
  }
  if (c.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL) !== 0) throw new Error(`clearing ambient capabilities failed (errno ${c.errno()})`);
  setCapabilities(c, [...keep, ...alsoHeld]);
}

/** This thread's effective and permitted sets become exactly `caps` (only ever fewer); inheritable empty. */
export function setCapabilities(c: Libc, caps: readonly number[]): void {
  let low = 0;
  let high = 0;
  for (const cap of caps) {
    if (cap < 32) low |= 1 << cap;
    else high |= 1 << (cap - 32);
  }
  const header = Buffer.alloc(8);
  header.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0);
  const data = Buffer.alloc(24); // two { effective, permitted, inheritable } words
  data.writeUInt32LE(low >>> 0, 0);
  data.writeUInt32LE(low >>> 0, 4);
  data.writeUInt32LE(high >>> 0, 12);
  data.writeUInt32LE(high >>> 0, 16);
  if (c.syscall(SYS_capset, 'void *', header, 'void *', data) !== 0) throw new Error(`capset failed (errno ${c.errno()})`);
}

export function setNoNewPrivs(c: Libc): void {
  if (c.prctl(PR_SET_NO_NEW_PRIVS, 1) !== 0) throw new Error(`PR_SET_NO_NEW_PRIVS failed (errno ${c.errno()})`);
}

export function hasNoNewPrivs(c: Libc): boolean {
  return c.prctl(PR_GET_NO_NEW_PRIVS, 0) === 1;
}

/**
 * Becomes uid:gid with no supplementary groups. Node's calls go through glibc, which applies each change to
 * every thread of the process; leaving uid 0 for all of real/effective/saved clears the permitted capabilities.
 */
export function dropToUser(uid: number, gid: number): void {
  if (uid === 0) throw new Error('refusing to stay root');
  const { setgroups, setgid, setuid, getuid, geteuid, getegid } = process;
  if (!setgroups || !setgid || !setuid || !getuid || !geteuid || !getegid) throw new Error('no POSIX identity calls on this platform');
  setgroups([]);
  setgid(gid);
  setuid(uid);
  // Node's getgroups() adds the effective gid when the kernel's list lacks it, so "none" reads as [gid].
  if (getuid() !== uid || geteuid() !== uid || getegid() !== gid || !(process.getgroups?.() ?? []).every((g) => g === gid)) {
    throw new Error('the identity switch did not take effect');
  }
}

/** Asks the kernel to send `signal` when the parent dies. Must follow the uid change, which clears it. */
export function setParentDeathSignal(c: Libc, signal: number): void {
  if (c.prctl(PR_SET_PDEATHSIG, signal) !== 0) throw new Error(`PR_SET_PDEATHSIG failed (errno ${c.errno()})`);
}

/**
 * Not dumpable: no core file, /proc/PID/{fd,mem,environ,...} stay root's and processes of the same user cannot
 * ptrace it, so the user's other processes cannot reach the capture socket through it. The uid change already
 * leaves the flag at the fs.suid_dumpable setting, which an administrator may have set to 1; set it explicitly.
 */
export function setNotDumpable(c: Libc): void {
  if (c.prctl(PR_SET_DUMPABLE, 0) !== 0) throw new Error(`PR_SET_DUMPABLE failed (errno ${c.errno()})`);
  if (c.prctl(PR_GET_DUMPABLE, 0) !== 0) throw new Error('PR_SET_DUMPABLE did not take effect');
}
