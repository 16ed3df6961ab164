/**
 * After the drop, the helper tries what the sandbox must forbid and reports what actually happened. A probe that
 * succeeds closes what it opened at once.
 */
import { open as openAsync } from 'node:fs/promises';
import type { ProbeResult } from '../shared/helper-protocol.ts';
import type { Libc } from './native/libc.ts';

const AF_INET = 2;
const AF_PACKET = 17;
const SOCK_STREAM = 1;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const ETH_P_ALL_BE = 0x0300; // htons(ETH_P_ALL)
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const EACCES = 13;
export const PROBE_FILE = '/etc/passwd';

/** A packet socket needs CAP_NET_RAW, which the drop removed. */
export function probeRawSocket(c: Libc): ProbeResult {
  const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ETH_P_ALL_BE);
  if (fd < 0) return 'denied';
  c.close(fd);
  return 'allowed';
}

/** open(2) from the calling (main) thread. */
export function probeFileSync(c: Libc, path = PROBE_FILE): ProbeResult {
  const fd = c.open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 'denied';
  c.close(fd);
  return 'allowed';
}

/** open from a libuv threadpool thread (Node's async fs), which is not the thread that applied the last layer. */
export async function probeFileAsync(path = PROBE_FILE): Promise<ProbeResult> {
  try {
    const fh = await openAsync(path, 'r');
    await fh.close();
    return 'allowed';
  } catch {
    return 'denied';
  }
}

/**
 * TCP connect to 127.0.0.1:9. Landlock answers EACCES before the stack is involved; any other outcome (refused,
 * unreachable, connected) means the connect was allowed to proceed.
 */
export function probeTcpConnect(c: Libc): ProbeResult {
  const fd = c.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 'denied';
  try {
    const sa = Buffer.alloc(16);
    sa.writeUInt16LE(AF_INET, 0);
    sa.writeUInt16BE(9, 2);
    sa.writeUInt32BE(0x7f000001, 4);
    const r = c.connect(fd, sa, sa.length);
    return r < 0 && c.errno() === EACCES ? 'denied' : 'allowed';
  } finally {
    c.close(fd);
  }
}
