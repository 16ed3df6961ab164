/**
 * `--write FILE`: the helper's pcap stream saved by this (unprivileged) process, so the file belongs to the user.
 * The path is checked before the capture starts but opened (and an existing file truncated) only when the first
 * bytes arrive, so a capture that never starts (authentication dismissed, bad interface) leaves an existing file
 * untouched. Writes are queued with backpressure (the caller pauses the pipe rather than buffering without bound);
 * on close, a record cut short by an abrupt end is trimmed so every reader accepts the file.
 */
import { accessSync, constants, createWriteStream, statSync, truncateSync, type WriteStream } from 'node:fs';
import path from 'node:path';

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

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return err.message ?? String(e);
  }
}

/**
 * Checks that FILE can be written (throws a one-line FileSinkError) and returns a sink that opens it on first use.
 * `mode`: the new file's permissions (a private recording is 0600).
 */
export function preparePcapFileSink(file: string, mode = 0o644): PcapFileSink {
  const fail = (e: unknown): never => {
    throw new FileSinkError(`cannot write ${file}: ${reason(e)}`);
  };
  try {
    const st = statSync(file);
    if (st.isDirectory()) fail({ code: 'EISDIR' });
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
  const drainFns: Array<() => void> = [];
  const errorFns: Array<(m: string) => void> = [];

  const open = (): WriteStream => {
    const s = createWriteStream(file, { flags: 'w', mode });
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
      if (s === null || s.closed || s.destroyed || failure !== null) return Promise.resolve();
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
      if (s !== null && !s.closed && !s.destroyed) {
        await new Promise<void>((resolve) => {
          s.once('error', () => resolve());
          s.end(() => resolve());
        });
      }
      if (failure !== null) throw new FileSinkError(failure);
      if (s === null) return;
      let regular = false;
      try {
        regular = statSync(file).isFile();
      } catch {
        /* removed under us: nothing to trim */
      }
      if (regular && completeBytes > 0 && written > completeBytes) truncateSync(file, completeBytes);
    },
  };
}
