/**
 * openEventsFifo, the check stage 1 makes of `--events-fifo` before it writes a byte there: only an inode that is a
 * FIFO of the invoking user, mode 0600, already open for reading, reached with that user's own permissions, is
 * opened; everything else is refused with one sentence naming the fault, and this thread's identity is restored.
 * Needs root (it switches the file-system uid); the files are made in a fresh directory and removed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEventsFifo } from '../../src/privileged-helper/events-fifo.ts';
import { libc } from '../../src/privileged-helper/native/libc.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (the check switches the file-system uid)' : spawnSync('mkfifo', ['--version']).status !== 0 ? 'mkfifo is not installed' : null;
/** Stand-ins for the invoking user and someone else; no account is needed for either. */
const USER = 42_420;
const OTHER = 42_421;

const root = skip ? '' : mkdtempSync(path.join(tmpdir(), 'sp-events-fifo-'));
// Searchable by the stand-in user (it is root's, 0700, from mkdtemp), as the user's temp or runtime directory is.
if (root) chmodSync(root, 0o711);
after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A directory of `owner`, mode 0700, holding a FIFO of `owner` (mode `mode`); `reader`: open its read end. */
function makeFifo(name: string, o: { owner?: number; dirOwner?: number; mode?: number; reader?: boolean } = {}): { path: string; readFd: number | null } {
  const dir = path.join(root, name);
  mkdirSync(dir, { mode: 0o700 });
  chownSync(dir, o.dirOwner ?? USER, o.dirOwner ?? USER);
  const p = path.join(dir, 'events');
  assert.equal(spawnSync('mkfifo', ['-m', '600', p]).status, 0);
  chownSync(p, o.owner ?? USER, o.owner ?? USER);
  chmodSync(p, o.mode ?? 0o600);
  const readFd = o.reader === false ? null : openSync(p, constants.O_RDONLY | constants.O_NONBLOCK);
  return { path: p, readFd };
}

/** This thread's fsuid and groups, to see they come back. */
function identity(): string {
  const s = readFileSync('/proc/thread-self/status', 'utf8');
  return ['Uid', 'Gid', 'Groups'].map((k) => new RegExp(`^${k}:(.*)$`, 'm').exec(s)?.[1].trim()).join(' | ');
}

function refused(p: string, invoker: number, why: RegExp): void {
  const before = identity();
  const r = openEventsFifo(libc(), p, invoker);
  assert.equal(identity(), before, 'the thread is root again, with its groups');
  assert.ok(!r.ok, `${p} was accepted`);
  assert.ok(r.message.startsWith(`--events-fifo ${JSON.stringify(p.length > 40 ? `${p.slice(0, 40)}…` : p)} `), r.message);
  assert.match(r.message, why);
  assert.doesNotMatch(r.message, /\n|    at /, 'one line, no stack');
}

describe('the events FIFO check', { skip: skip ?? false }, () => {
  test("the user's own FIFO, open for reading: opened for writing, blocking, and the data arrives", () => {
    const f = makeFifo('ok');
    const before = identity();
    const r = openEventsFifo(libc(), f.path, USER);
    assert.equal(identity(), before);
    assert.ok(r.ok, r.ok ? '' : r.message);
    try {
      const flags = libc().syscall(72, 'int', r.fd, 'int', 3, 'int', 0); // fcntl(F_GETFL)
      assert.equal(flags & 3, constants.O_WRONLY); // O_ACCMODE
      assert.equal(flags & constants.O_NONBLOCK, 0, 'blocking, like an inherited fd 3 (stage 2 makes it non-blocking)');
      writeSync(r.fd, 'SPSE');
      const got = Buffer.alloc(8);
      assert.equal(readSync(f.readFd as number, got), 4);
      assert.equal(got.subarray(0, 4).toString(), 'SPSE');
    } finally {
      closeSync(r.fd);
      closeSync(f.readFd as number);
    }
  });

  test('nobody reading: refused, not waited for', () => {
    refused(makeFifo('noreader', { reader: false }).path, USER, /is not open for reading: the caller must open it before starting the helper$/);
  });

  test('a symbolic link to a good FIFO is refused, not followed', () => {
    const f = makeFifo('link');
    const link = path.join(root, 'link', 'via-link');
    symlinkSync(f.path, link);
    refused(link, USER, /is a symbolic link \(not followed\)$/);
    closeSync(f.readFd as number);
  });

  test('not a FIFO: a regular file of the user, a device (never opened: O_PATH runs no driver)', () => {
    const dir = path.join(root, 'plain');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, USER, USER);
    const file = path.join(dir, 'events');
    writeFileSync(file, '', { mode: 0o600 });
    chownSync(file, USER, USER);
    refused(file, USER, /is not a FIFO$/);
    refused('/dev/null', USER, /is not a FIFO$/);
    refused(dir, USER, /is not a FIFO$/);
  });

  test("another user's FIFO, or one open to group or others, is refused", () => {
    const other = makeFifo('other', { owner: OTHER, dirOwner: USER });
    refused(other.path, USER, /belongs to uid 42421, not to the invoking user \(uid 42420\)$/);
    const open = makeFifo('mode', { mode: 0o620 });
    refused(open.path, USER, /is open to group or others \(mode 0620\); it must be 0600$/);
    for (const f of [other, open]) closeSync(f.readFd as number);
  });

  test('the path is resolved as the user: a directory the user cannot search hides what is in it, existing or not', () => {
    // A good FIFO of the user, but in a root-only directory: root could open it, the user could not.
    const f = makeFifo('rootonly', { dirOwner: 0 });
    const hidden = /cannot be reached by you \(a directory on the way is not searchable\)$/;
    refused(f.path, USER, hidden);
    refused(path.join(root, 'rootonly', 'no-such-file'), USER, hidden);
    refused(path.join(root, 'missing', 'events'), USER, /does not exist$/);
    refused('/root/.profile', USER, /cannot be reached by you|does not exist/);
    closeSync(f.readFd as number);
  });
});
