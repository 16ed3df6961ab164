/**
 * Opens `--events-fifo PATH`, the socket-event channel that survives pkexec (which closes every fd above 2). Stage 1,
 * as root, before any restriction: the path is the user's, so it is resolved with the user's file-system identity
 * (fsuid = the invoking uid, fsgid = nogroup, no supplementary groups, on this thread only): the helper reaches only
 * what the user could, and its answers say nothing about files the user cannot see. The final component is opened
 * with O_PATH|O_NOFOLLOW (no driver's open runs, a symlink is not followed), checked by fstat — a FIFO, the invoking
 * user's, no group or other access — and only that inode is then opened for writing, through /proc/self/fd.
 */
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { FALLBACK_GID } from '../shared/helper-protocol.ts';
import { quote } from './args.ts';
import type { Libc } from './native/libc.ts';
import { setNonBlocking } from './socket-events-stream.ts';

/** x86_64 system call numbers. */
const NR = { getgroups: 115, setgroups: 116, setfsuid: 122, setfsgid: 123 } as const;
/** Not in fs.constants. */
const O_PATH = 0o10000000;
const NGROUPS_MAX = 65536;
const INVALID_ID = 0xffffffff;

export type EventsFifoResult = { ok: true; fd: number } | { ok: false; message: string };

/** Thrown when this thread's identity could not be switched or restored: not the user's fault. */
export class FsIdentityError extends Error {}

/**
 * Runs `fn` with this thread's file-system uid `uid`, gid nogroup and no supplementary groups (raw system calls:
 * per thread, unlike glibc's wrappers), then restores them. Taking a non-zero fsuid also drops the file capabilities
 * (DAC_OVERRIDE and the rest) from this thread's effective set until fsuid is 0 again.
 */
export function withFsIdentity<T>(c: Libc, uid: number, fn: () => T): T {
  const count = c.syscall(NR.getgroups, 'int', 0, 'void *', null);
  if (count < 0 || count > NGROUPS_MAX) throw new FsIdentityError(`getgroups failed (errno ${c.errno()})`);
  const groups = Buffer.alloc(Math.max(count, 1) * 4);
  if (count > 0 && c.syscall(NR.getgroups, 'int', count, 'void *', groups) !== count) throw new FsIdentityError('the supplementary groups changed while being read');
  // setfsuid/setfsgid return the previous value and never fail visibly: an invalid id (-1) only reads it, and a
  // second call shows what is in force.
  const fsUid = c.syscall(NR.setfsuid, 'uint32_t', INVALID_ID);
  const fsGid = c.syscall(NR.setfsgid, 'uint32_t', INVALID_ID);
  const setFs = (nr: number, id: number) => {
    c.syscall(nr, 'uint32_t', id);
    return c.syscall(nr, 'uint32_t', id) === id;
  };
  const restore = () => {
    const ok = setFs(NR.setfsuid, fsUid) && setFs(NR.setfsgid, fsGid) && c.syscall(NR.setgroups, 'int', count, 'void *', groups) === 0;
    if (!ok) throw new FsIdentityError(`could not restore this thread's identity (errno ${c.errno()})`);
  };
  if (c.syscall(NR.setgroups, 'int', 0, 'void *', null) !== 0 || !setFs(NR.setfsgid, FALLBACK_GID) || !setFs(NR.setfsuid, uid)) {
    const errno = c.errno();
    restore();
    throw new FsIdentityError(`could not take uid ${uid}'s file-system identity (errno ${errno})`);
  }
  try {
    return fn();
  } finally {
    restore();
  }
}

const OPEN_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  EACCES: 'cannot be reached by you (a directory on the way is not searchable)',
  ENOTDIR: 'has a component that is not a directory',
  ELOOP: 'has too many symbolic links on the way',
  ENAMETOOLONG: 'is too long',
};

function describe(st: Stats, invoker: number): string | null {
  if (st.isSymbolicLink()) return 'is a symbolic link (not followed)';
  if (!st.isFIFO()) return 'is not a FIFO';
  if (st.uid !== invoker) return `belongs to uid ${st.uid}, not to the invoking user (uid ${invoker})`;
  if ((st.mode & 0o077) !== 0) return `is open to group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); it must be 0600`;
  return null;
}

/**
 * Opens the FIFO at `fifoPath` for writing as described above; the fd is blocking and close-on-exec (stage 1 keeps it
 * across its execve only when the eBPF programs loaded). Refusals name the fault; FsIdentityError is not a refusal.
 */
export function openEventsFifo(c: Libc, fifoPath: string, invoker: number): EventsFifoResult {
  const refuse = (why: string): EventsFifoResult => ({ ok: false, message: `--events-fifo ${quote(fifoPath)} ${why}` });
  return withFsIdentity(c, invoker, () => {
    let pathFd: number;
    try {
      pathFd = openSync(fifoPath, O_PATH | constants.O_NOFOLLOW);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'an error';
      return refuse(OPEN_ERRORS[code] ?? `cannot be opened (${code})`);
    }
    try {
      const st = fstatSync(pathFd);
      const why = describe(st, invoker);
      if (why !== null) return refuse(why);
      let fd: number;
      try {
        // The inode checked above, not the path again: nothing can be swapped in between.
        fd = openSync(`/proc/self/fd/${pathFd}`, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return refuse(code === 'ENXIO' ? 'is not open for reading: the caller must open it before starting the helper' : `cannot be opened for writing (${code ?? 'an error'})`);
      }
      const again = fstatSync(fd);
      if (again.ino !== st.ino || again.dev !== st.dev || !setNonBlocking(c, fd, false)) {
        closeSync(fd);
        return refuse('changed while being opened');
      }
      return { ok: true, fd };
    } finally {
      closeSync(pathFd);
    }
  });
}
