/**
 * A root-safe copy of the bundled Node runtime for the one-time install, when nothing of ours is root-owned yet: the
 * runtime's bytes go into a memfd that is then sealed (no write, grow, shrink or further seals — immutable even to
 * us), hashed from the sealed copy against the app's manifest, and handed to pkexec as `/proc/self/fd/3`. No path a
 * user could rewrite is ever executed by root. memfd_create/fcntl come from the bundle's own koffi.node, loaded
 * directly (after its hash check) into this unprivileged process.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as KoffiModule from 'koffi';
import type { Manifest } from './manifest.ts';

const MFD_CLOEXEC = 0x1;
const MFD_ALLOW_SEALING = 0x2;
/** Linux ≥ 6.3: ask for an executable memfd explicitly (older kernels reject the flag; we retry without). */
const MFD_EXEC = 0x10;
const F_ADD_SEALS = 1024 + 9;
const F_GET_SEALS = 1024 + 10;
const F_SEAL_ALL = 0x1 | 0x2 | 0x4 | 0x8; // SEAL | SHRINK | GROW | WRITE

export class SealedRuntimeError extends Error {}

function sha256Fd(fd: number): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
    pos += n;
  }
  return h.digest('hex');
}

function sha256File(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return sha256Fd(fd);
  } finally {
    closeSync(fd);
  }
}

export interface SealedRuntime {
  /** The memfd; pass it to the child as fd 3 and run `/proc/self/fd/3`. */
  fd: number;
  close(): void;
}

/** Seals the bundle's `node` into a memfd after checking it and koffi.node against the app's own hashes. */
export function sealBundledRuntime(bundleDir: string, sums: Manifest): SealedRuntime {
  const wantNode = sums.get('node');
  const wantKoffi = sums.get('koffi.node');
  if (wantNode === undefined || wantKoffi === undefined) throw new SealedRuntimeError("the app's helper manifest lists no node or koffi.node");
  const koffiPath = path.join(bundleDir, 'koffi.node');
  // Loaded into this (unprivileged) process only; still, load exactly the file the app vouches for.
  if (sha256File(koffiPath) !== wantKoffi) throw new SealedRuntimeError(`${koffiPath} does not match the app's hashes`);
  const koffi = createRequire(import.meta.url)(koffiPath) as typeof KoffiModule;
  const libc = koffi.load('libc.so.6');
  const memfdCreate = libc.func('int memfd_create(const char *name, unsigned int flags)');
  const fcntl = libc.func('int fcntl(int fd, int cmd, ...)');

  let fd = memfdCreate('sandpiper-node', MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC) as number;
  if (fd < 0) fd = memfdCreate('sandpiper-node', MFD_CLOEXEC | MFD_ALLOW_SEALING) as number;
  if (fd < 0) throw new SealedRuntimeError('memfd_create failed');
  try {
    const src = openSync(path.join(bundleDir, 'node'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (let pos = 0; ; ) {
        const n = readSync(src, buf, 0, buf.length, pos);
        if (n === 0) break;
        for (let off = 0; off < n; ) off += writeSync(fd, buf, off, n - off);
        pos += n;
      }
    } finally {
      closeSync(src);
    }
    if ((fcntl(fd, F_ADD_SEALS, 'int', F_SEAL_ALL) as number) !== 0) throw new SealedRuntimeError('cannot seal the memfd');
    if (((fcntl(fd, F_GET_SEALS) as number) & F_SEAL_ALL) !== F_SEAL_ALL) throw new SealedRuntimeError('the memfd is not sealed');
    // Verify the sealed copy, the bytes root will execute, not the file they came from.
    if (sha256Fd(fd) !== wantNode) throw new SealedRuntimeError("the bundled Node runtime does not match the app's hashes");
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return { fd, close: () => closeSync(fd) };
}
