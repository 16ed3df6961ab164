/**
 * The socket-event channel for a helper started through pkexec, which closes every descriptor above stderr, so the
 * helper's fd 3 cannot be handed over. We make a FIFO, mode 0600, in a fresh directory of ours (mode 0700), open its
 * read end, and pass its path (`--events-fifo`); the helper opens the write end in its first stage (checks in
 * src/privileged-helper/events-fifo.ts). The FIFO is read only once the helper's `attribution` line says eBPF, when it
 * holds the write end: before that a read would see end-of-file. Its directory is removed as soon as reading starts.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface EventsFifo {
  /** What to pass as `--events-fifo`. */
  readonly path: string;
  /** Starts reading (the helper holds the write end); resolves at end-of-file, i.e. when the helper has exited. */
  read(onData: (chunk: Buffer) => void): Promise<void>;
  /** Stops reading, closes our end, removes the directory. Idempotent. */
  close(): void;
}

/** $XDG_RUNTIME_DIR when it is ours and private (tmpfs, per user), else $TMPDIR, else the system's temp directory. */
function baseDir(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && path.isAbsolute(runtime)) {
    try {
      const st = statSync(runtime);
      if (st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0) return runtime;
    } catch {
      /* not there: the temp directory */
    }
  }
  return env.TMPDIR !== undefined && path.isAbsolute(env.TMPDIR) ? env.TMPDIR : tmpdir();
}

/** Makes the FIFO and opens its read end; throws with a sentence when it cannot. */
export function createEventsFifo(env: NodeJS.ProcessEnv = process.env): EventsFifo {
  const base = baseDir(env);
  const fail = (e: unknown) => new Error(`cannot make the socket-event FIFO in ${base}: ${e instanceof Error ? e.message : String(e)}`);
  let dir: string;
  try {
    dir = mkdtempSync(path.join(base, 'sandpiper-events-'));
  } catch (e) {
    throw fail(e);
  }
  const fifoPath = path.join(dir, 'events');
  let fd: number | null = null;
  try {
    // Node has no mkfifo; coreutils' sets the mode itself (no umask race, and the directory is ours alone anyway).
    const made = spawnSync('mkfifo', ['-m', '600', '--', fifoPath], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.error?.message ?? made.stderr.trim()}`);
    if (!lstatSync(fifoPath).isFIFO()) throw new Error('mkfifo made something that is not a FIFO');
    // Non-blocking: with no writer yet, a blocking open would wait for the helper.
    fd = openSync(fifoPath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw fail(e);
  }
  let socket: Socket | null = null;
  let closed = false;
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  return {
    path: fifoPath,
    read(onData) {
      if (closed || fd === null || socket !== null) return Promise.resolve();
      // Both ends are open now; the name is no longer needed.
      removeDir();
      const s = new Socket({ fd, readable: true, writable: false });
      fd = null; // the socket owns it
      socket = s;
      s.on('data', onData);
      return new Promise<void>((resolve) => {
        s.once('end', () => resolve());
        s.once('close', () => resolve());
        s.once('error', () => resolve());
      });
    },
    close() {
      if (closed) return;
      closed = true;
      socket?.destroy();
      if (fd !== null) closeSync(fd);
      fd = null;
      removeDir();
    },
  };
}
