/**
 * The interface list for the capture picker: every interface the kernel knows (also those without an address),
 * its addresses, up/down from sysfs, plus libpcap's pseudo-interface `any`.
 */
import { networkInterfaces } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import type { InterfaceInfo } from '../shared/ipc.ts';

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

export interface InterfaceSources {
  /** os.networkInterfaces()-shaped address list. */
  addresses(): Record<string, { address: string; internal: boolean }[] | undefined>;
  /** Names under /sys/class/net. */
  sysNames(): string[];
  /** Contents of /sys/class/net/NAME/FILE, trimmed; null when absent. */
  sysRead(name: string, file: 'operstate' | 'flags'): string | null;
}

export const systemInterfaceSources: InterfaceSources = {
  addresses: () => networkInterfaces(),
  sysNames: () => {
    try {
      return readdirSync('/sys/class/net');
    } catch {
      return [];
    }
  },
  sysRead: (name, file) => {
    try {
      return readFileSync(`/sys/class/net/${name}/${file}`, 'utf8').trim();
    } catch {
      return null;
    }
  },
};

export function listInterfaces(src: InterfaceSources = systemInterfaceSources): InterfaceInfo[] {
  const addrs = src.addresses();
  const names = new Set<string>([...src.sysNames(), ...Object.keys(addrs)]);
  const out: InterfaceInfo[] = [];
  for (const name of [...names].sort()) {
    const list = addrs[name] ?? [];
    const flags = Number.parseInt(src.sysRead(name, 'flags') ?? '', 16);
    const oper = src.sysRead(name, 'operstate');
    const adminUp = Number.isFinite(flags) ? (flags & IFF_UP) !== 0 : list.length > 0;
    // Loopback and some virtual links report operstate "unknown" while working: trust the admin flag there.
    const up = adminUp && (oper === null || oper === 'up' || oper === 'unknown');
    const loopback = Number.isFinite(flags) ? (flags & IFF_LOOPBACK) !== 0 : list.some((a) => a.internal);
    out.push({ name, addresses: list.map((a) => a.address), up, loopback });
  }
  out.push({ name: 'any', addresses: [], up: true, loopback: false });
  return out;
}
