/**
 * `--write FILE`: the helper's pcap stream saved by this (unprivileged) process, so the file belongs to the user.
 * The path is checked before the capture starts but opened (and an existing file truncated) only when the first
 * bytes arrive, so a capture that never starts (authentication dismissed, bad interface) leaves an existing file
 * untouched. Writes are queued with backpressure (the caller pauses the pipe rather than buffering without bound);
 * on close, a record cut short by an abrupt end is trimmed so every reader accepts the file.
 *
 * The file is private (0600) and never reached through a link: a new file is created with O_EXCL|O_NOFOLLOW, so a
 * link planted at the name (in /tmp, say) makes the open fail instead of writing wherever it points; an existing
 * file the user named is overwritten in place only when it is a regular file of this user's with no other hard link
 * (or a FIFO or character device, written as they are). Trimming uses the open descriptor, never the path.
 */
import { accessSync, close, constants, createWriteStream, fchmod, fstat, ftruncate, lstatSync, open, read, statSync, write, writev, type Stats, type WriteStream } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export interface PcapFileSink {
  readonly path: string;
  /** Bytes written so far. */
  readonly written: number;
  /** False when the caller should wait for `onDrain` before writing more. */
  write(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
  /** Resolves once everything written so far is in the file. */
  flush(): Promise<void>;
  /** Called once if writing fails (disk full, ...). */
  onError(fn: (message: string) => void): void;
  /** Flushes and closes; trims to `completeBytes` when more than that was written. */
  close(completeBytes: number): Promise<void>;
}

export class FileSinkError extends Error {}

/** A refusal of ours, carried like an errno error so the stream reports it the same way. */
function refusal(message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: 'SANDPIPER_REFUSED' });
}

/** A one-phrase reason for a failed write ("permission denied", "is a symbolic link", ...). */
export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'is a symbolic link';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return err.message ?? String(e);
  }
}

const uid = (): number | null => process.geteuid?.() ?? null;

/** Why an existing file must not be overwritten, or null. */
function existingProblem(st: Stats): string | null {
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO() || st.isCharacterDevice()) return null;
  if (!st.isFile()) return 'is not a regular file';
  const me = uid();
  if (me !== null && st.uid !== me) return `belongs to another user (uid ${st.uid})`;
  if (st.nlink > 1) return 'has other hard links';
  return null;
}

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const fchmodFd = promisify(fchmod);
const ftruncateFd = promisify(ftruncate);
const closeFd = promisify(close);
const readFd = promisify(read);
const writeFd = (fd: number, b: Buffer, off: number, len: number) =>
  new Promise<number>((resolve, reject) => write(fd, b, off, len, null, (e, n) => (e ? reject(e) : resolve(n))));
const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

/** Opens FILE for writing as described above; resolves with the descriptor and whether it is a regular file. */
async function openPrivate(file: string, mode: number): Promise<{ fd: number; regular: boolean }> {
  try {
    return { fd: await openFd(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode), regular: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const fd = await openFd(file, O_WRONLY | O_NOFOLLOW);
  try {
    const st = await fstatFd(fd);
    const problem = existingProblem(st);
    if (problem !== null) throw refusal(problem);
    if (!st.isFile()) return { fd, regular: false };
    await fchmodFd(fd, mode);
    await ftruncateFd(fd, 0);
    return { fd, regular: true };
  } catch (e) {
    await closeFd(fd).catch(() => {});
    throw e;
  }
}

/**
 * "Save capture": copies the first `limit` bytes of `from` (all of it when null) to `dest`, which is opened as a
 * sink's file is (private, never through a link, an existing file only when it is the user's own). Throws the
 * open's or the copy's error.
 */
export async function copyToPrivateFile(from: string, dest: string, limit: number | null, mode = 0o600): Promise<void> {
  // Opened first, so a source that cannot be read leaves dest untouched.
  const src = await openFd(from, constants.O_RDONLY);
  try {
    const o = await openPrivate(dest, mode);
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (let left = limit ?? Infinity; left > 0; ) {
        const { bytesRead: n } = await readFd(src, buf, 0, Math.min(buf.length, left), null);
        if (n === 0) break;
        for (let off = 0; off < n; ) off += await writeFd(o.fd, buf, off, n - off);
        left -= n;
      }
    } finally {
      await closeFd(o.fd).catch(() => {});
    }
  } finally {
    await closeFd(src).catch(() => {});
  }
}

/**
 * Checks that FILE can be written (throws a one-line FileSinkError) and returns a sink that opens it on first use.
 * `mode`: the new file's permissions.
 */
export function preparePcapFileSink(file: string, mode = 0o600): PcapFileSink {
  const fail = (e: unknown): never => {
    throw new FileSinkError(`cannot write ${file}: ${reason(e)}`);
  };
  try {
    const st = lstatSync(file);
    const problem = existingProblem(st);
    if (problem !== null) fail(refusal(problem));
    accessSync(file, constants.W_OK);
  } catch (e) {
    if (e instanceof FileSinkError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') fail(e);
    try {
      const dir = statSync(path.dirname(path.resolve(file)));
      if (!dir.isDirectory()) fail({ code: 'ENOENT' });
      accessSync(path.dirname(path.resolve(file)), constants.W_OK | constants.X_OK);
    } catch (e2) {
      if (e2 instanceof FileSinkError) throw e2;
      fail(e2);
    }
  }

  let stream: WriteStream | null = null;
  let failure: string | null = null;
  let written = 0;
  /** The descriptor and its kind once open (the stream does not close it: close() trims through it first). */
  let opened: { fd: number; regular: boolean } | null = null;
  const drainFns: Array<() => void> = [];
  const errorFns: Array<(m: string) => void> = [];

  const open = (): WriteStream => {
    const s = createWriteStream(file, {
      mode,
      // The pipe is paused whenever more than this waits for the disk: at the default 16 KiB every 64 KiB read of
      // the helper's pipe paused it until the write came back, too slow for a flood.
      highWaterMark: 8 << 20,
      autoClose: false,
      fs: {
        write,
        writev,
        close,
        open: (_p: string, _flags: unknown, _mode: unknown, cb: (err: NodeJS.ErrnoException | null, fd?: number) => void) => {
          openPrivate(file, mode).then(
            (o) => {
              opened = o;
              cb(null, o.fd);
            },
            (e: NodeJS.ErrnoException) => cb(e),
          );
        },
      },
    });
    s.on('error', (e) => {
      if (failure !== null) return;
      failure = `cannot write ${file}: ${reason(e)}`;
      for (const fn of errorFns) fn(failure);
      for (const fn of drainFns) fn(); // nobody should stay paused on a dead file
    });
    for (const fn of drainFns) s.on('drain', fn);
    return s;
  };

  return {
    path: file,
    get written() {
      return written;
    },
    write(chunk) {
      if (failure !== null) return true;
      stream ??= open();
      written += chunk.length;
      return stream.write(chunk);
    },
    flush() {
      const s = stream;
      if (s === null || s.writableEnded || s.destroyed || failure !== null) return Promise.resolve();
      return new Promise<void>((resolve) => s.write('', () => resolve()));
    },
    onDrain(fn) {
      drainFns.push(fn);
      stream?.on('drain', fn);
    },
    onError(fn) {
      errorFns.push(fn);
    },
    async close(completeBytes) {
      const s = stream;
      if (s !== null && !s.destroyed && !s.writableFinished) {
        await new Promise<void>((resolve) => {
          s.once('error', () => resolve());
          s.end(() => resolve());
        });
      }
      const o = opened as { fd: number; regular: boolean } | null;
      opened = null;
      if (o !== null) {
        try {
          if (failure === null && o.regular && completeBytes > 0 && written > completeBytes) {
            await ftruncateFd(o.fd, completeBytes);
          }
        } catch (e) {
          failure ??= `cannot write ${file}: ${reason(e)}`;
        } finally {
          await closeFd(o.fd).catch(() => {});
        }
      }
      if (failure !== null) throw new FileSinkError(failure);
    },
  };
}
