/**
 * Test hosts: two network namespaces joined by a veth pair, with IPv4 and IPv6 addresses and no route anywhere
 * else, so traffic between them never leaves this machine. Names carry a random tag so concurrent tests do not
 * collide; destroy() removes everything this pair created.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface NetnsPair {
  /** Namespace names. */
  a: string;
  b: string;
  /** veth interface names inside a and b. */
  ifA: string;
  ifB: string;
  ipA: string;
  ipB: string;
  /** Empty when the MTU asked for is below IPv6's minimum (no IPv6 on the link). */
  ip6A: string;
  ip6B: string;
  /** Runs a command inside a namespace and returns its stdout. */
  exec(ns: string, cmd: string, args: string[], opts?: { input?: string; timeoutMs?: number }): string;
  /** Spawns a long-running command inside a namespace. */
  spawn(ns: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  destroy(): void;
}

export function canMakeNetns(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (`ip`) is not installed';
  }
  return null;
}

export function createNetnsPair(opts: { mtu?: number } = {}): NetnsPair {
  const tag = randomBytes(3).toString('hex');
  const octet = 16 + (parseInt(tag.slice(0, 2), 16) % 200);
  const a = `spa-${tag}`;
  const b = `spb-${tag}`;
  const ifA = `va${tag}`;
  const ifB = `vb${tag}`;
  const ipA = `10.213.${octet}.1`;
  const ipB = `10.213.${octet}.2`;
  const ip6A = `fd5a:${tag.slice(0, 4)}::1`;
  const ip6B = `fd5a:${tag.slice(0, 4)}::2`;
  const ipv6 = opts.mtu === undefined || opts.mtu >= 1280;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const destroy = () => {
    for (const ns of [a, b]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
    }
  };
  try {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('link', 'add', ifA, 'netns', a, 'type', 'veth', 'peer', 'name', ifB, 'netns', b);
    for (const [ns, dev, v4, v6] of [
      [a, ifA, ipA, ip6A],
      [b, ifB, ipB, ip6B],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', dev);
      // A link with an MTU below IPv6's minimum (1280) carries no IPv6: the kernel refuses the address.
      if (ipv6) ip('-n', ns, 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad');
      if (opts.mtu) ip('-n', ns, 'link', 'set', dev, 'mtu', String(opts.mtu));
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return {
    a, b, ifA, ifB, ipA, ipB,
    ip6A: ipv6 ? ip6A : '',
    ip6B: ipv6 ? ip6B : '',
    exec(ns, cmd, args, o = {}) {
      return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], {
        input: o.input,
        timeout: o.timeoutMs ?? 30000,
        stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      }).toString();
    },
    spawn(ns, cmd, args, o = {}) {
      return spawn('ip', ['netns', 'exec', ns, cmd, ...args], o);
    },
    destroy,
  };
}
