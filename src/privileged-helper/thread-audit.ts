/** Reads the security-relevant state of every thread of this process from /proc/self/task/<tid>/status. */
import { readdirSync, readFileSync } from 'node:fs';
import type { SeccompThread } from '../shared/helper-protocol.ts';
import type { Libc } from './native/libc.ts';

const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
/** Seccomp mode 2 in /proc/.../status: a filter is attached. */
export const SECCOMP_MODE_FILTER = 2;

export interface ThreadState {
  tid: number;
  noNewPrivs: boolean;
  capEff: bigint;
  capPrm: bigint;
  /** Real, effective, saved, filesystem. */
  uids: number[];
  gids: number[];
  /** Supplementary groups. */
  groups: number[];
}

/** Parses one status file; null when a needed field is missing (treated as a failed check). */
export function parseTaskStatus(tid: number, text: string): ThreadState | null {
  const field = (name: string): string | null => {
    // [ \t]*, not \s*: an empty field (Groups: with none) must not run into the next line.
    const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(text);
    return m ? m[1].trim() : null;
  };
  const nnp = field('NoNewPrivs');
  const eff = field('CapEff');
  const prm = field('CapPrm');
  const uid = field('Uid');
  const gid = field('Gid');
  const groups = field('Groups');
  if (nnp === null || eff === null || prm === null || uid === null || gid === null || groups === null) return null;
  if (!/^[0-9a-f]+$/i.test(eff) || !/^[0-9a-f]+$/i.test(prm)) return null;
  const ids = (s: string) => s.split(/\s+/).map(Number);
  const uids = ids(uid);
  const gids = ids(gid);
  const groupList = groups === '' ? [] : ids(groups);
  if (uids.length !== 4 || gids.length !== 4 || [...uids, ...gids, ...groupList].some((n) => !Number.isInteger(n))) return null;
  return { tid, noNewPrivs: nnp === '1', capEff: BigInt(`0x${eff}`), capPrm: BigInt(`0x${prm}`), uids, gids, groups: groupList };
}

export interface AuditResult {
  ok: boolean;
  threads: number;
  /** One line per failed thread, for the sandbox message's details. */
  problems: string[];
}

/**
 * Every thread must have no_new_privs, no effective or permitted capability, uid `uid` and gid `gid` in all four
 * slots, and no supplementary group.
 */
export function checkThreads(states: readonly (ThreadState | null)[], uid: number, gid: number): AuditResult {
  const problems: string[] = [];
  states.forEach((s, i) => {
    if (s === null) return void problems.push(`thread #${i}: status unreadable`);
    const why: string[] = [];
    if (!s.noNewPrivs) why.push('NoNewPrivs 0');
    if (s.capEff !== 0n) why.push(`CapEff ${s.capEff.toString(16)}`);
    if (s.capPrm !== 0n) why.push(`CapPrm ${s.capPrm.toString(16)}`);
    if (s.uids.some((u) => u !== uid)) why.push(`Uid ${s.uids.join(' ')}`);
    if (s.gids.some((g) => g !== gid)) why.push(`Gid ${s.gids.join(' ')}`);
    if (s.groups.length > 0) why.push(`Groups ${s.groups.join(' ')}`);
    if (why.length) problems.push(`tid ${s.tid}: ${why.join(', ')}`);
  });
  return { ok: states.length > 0 && problems.length === 0, threads: states.length, problems };
}

export function readOwnThreads(): (ThreadState | null)[] {
  const out: (ThreadState | null)[] = [];
  for (const name of readdirSync('/proc/self/task')) {
    const tid = Number(name);
    try {
      out.push(parseTaskStatus(tid, readFileSync(`/proc/self/task/${name}/status`, 'utf8')));
    } catch {
      out.push(null); // a thread that exited between readdir and read; counted as a failed check
    }
  }
  return out;
}

/** An open /proc/self/task/<tid>/status, read again after the filter is in place (when nothing can be opened). */
export interface ThreadStatusFd {
  tid: number;
  fd: number;
}

/** Opens every thread's status file now; a thread whose file cannot be opened gets fd -1 (reported unreadable). */
export function openThreadStatusFds(c: Libc): ThreadStatusFd[] {
  return readdirSync('/proc/self/task').map((name) => ({ tid: Number(name), fd: c.open(`/proc/self/task/${name}/status`, O_RDONLY | O_CLOEXEC) }));
}

/** The `Seccomp:` (0 off, 1 strict, 2 filter) and `Seccomp_filters:` fields; null for a field that is absent. */
export function parseSeccomp(text: string): { mode: number | null; filters: number | null } {
  const num = (name: string) => {
    const m = new RegExp(`^${name}:\\s*(\\d+)\\s*$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return { mode: num('Seccomp'), filters: num('Seccomp_filters') };
}

/** Reads each status file from offset 0 (the kernel renders it anew on every read). */
export function readSeccomp(c: Libc, fds: readonly ThreadStatusFd[]): SeccompThread[] {
  const buf = Buffer.alloc(8192);
  return fds.map(({ tid, fd }) => {
    const n = fd < 0 ? -1 : c.pread(fd, buf, 0);
    return { tid, ...(n > 0 ? parseSeccomp(buf.toString('utf8', 0, n)) : { mode: null, filters: null }) };
  });
}

export function closeThreadStatusFds(c: Libc, fds: readonly ThreadStatusFd[]): void {
  for (const { fd } of fds) if (fd >= 0) c.close(fd);
}

/**
 * Every thread now runs a filter (mode 2) and, where the kernel counts filters, has one more than before: a filter
 * inherited from earlier (the boot filter) does not count as the final one.
 */
export function everyThreadFiltered(before: readonly SeccompThread[], after: readonly SeccompThread[]): boolean {
  if (after.length === 0 || after.length !== before.length) return false;
  return after.every((t, i) => {
    const b = before[i];
    if (t.mode !== SECCOMP_MODE_FILTER || b.tid !== t.tid) return false;
    return t.filters === null || b.filters === null || t.filters > b.filters;
  });
}
