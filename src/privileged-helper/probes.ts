/**
 * After the drop, the helper tries what the sandbox must forbid and reports what actually happened. A probe that
 * succeeds closes what it opened at once.
 */
import { open as openAsync } from 'node:fs/promises';
import type { ProbeResult } from '../shared/helper-protocol.ts';
import type { Libc } from './native/libc.ts';

const AF_UNIX = 1;
const AF_INET = 2;
const AF_PACKET = 17;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const ETH_P_ALL_BE = 0x0300; // htons(ETH_P_ALL)
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const EPERM = 1;
const EACCES = 13;
/** The discard port: the UDP probe's datagram goes to 127.0.0.1 on it. */
export const UDP_PROBE_PORT = 9;
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

/** The sandbox's refusals: seccomp answers EPERM, Landlock EACCES. Anything else is not the sandbox speaking. */
const refused = (errno: number) => errno === EPERM || errno === EACCES;

/**
 * One datagram to 127.0.0.1:9. Landlock has no UDP rules, so only the seccomp filter stops this. Denied only when
 * socket or sendto is refused with EPERM/EACCES; a socket that cannot be made for another reason proves nothing
 * (skipped); a sendto that went through or failed in the network stack was allowed.
 */
export function probeUdpSend(c: Libc): ProbeResult {
  const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return refused(c.errno()) ? 'denied' : 'skipped';
  try {
    const sa = Buffer.alloc(16);
    sa.writeUInt16LE(AF_INET, 0);
    sa.writeUInt16BE(UDP_PROBE_PORT, 2);
    sa.writeUInt32BE(0x7f000001, 4);
    const payload = Buffer.from('x');
    const r = c.sendto(fd, payload, payload.length, 0, sa, sa.length);
    return r < 0 && refused(c.errno()) ? 'denied' : 'allowed';
  } finally {
    c.close(fd);
  }
}

/**
 * The unix socket the probe connects to: the session bus of the user the helper became, the kind of socket the
 * drop alone leaves reachable. Only that user (and root) can create it, so no other user can plant a listener there.
 */
export function unixProbePath(uid: number): string {
  return `/run/user/${uid}/bus`;
}

/**
 * connect() to a pathname unix socket. Denied only when socket or connect is refused with EPERM/EACCES. Any other
 * outcome means the call got past the sandbox: connected, or the kernel looked the path up and answered ENOENT or
 * ECONNREFUSED, which it does only when nothing refused the call first.
 */
export function probeUnixConnect(c: Libc, path: string): ProbeResult {
  const sa = Buffer.alloc(110); // struct sockaddr_un: sa_family_t + char sun_path[108]
  const name = Buffer.from(path);
  if (name.length >= 108) throw new Error(`unix probe path too long: ${path}`);
  sa.writeUInt16LE(AF_UNIX, 0);
  name.copy(sa, 2);
  const fd = c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return refused(c.errno()) ? 'denied' : 'skipped';
  try {
    const r = c.connect(fd, sa, 2 + name.length + 1);
    return r < 0 && refused(c.errno()) ? 'denied' : 'allowed';
  } finally {
    c.close(fd);
  }
}
