/** Argument checks that need system state but no privilege: the interface exists, the filter compiles. */
import { readFileSync, readdirSync } from 'node:fs';
import type { Libpcap } from './native/libpcap.ts';

const SYS_NET = '/sys/class/net';

/** True for `any` or a name listed in /sys/class/net (listed, not just resolvable: `..` must not pass). */
export function interfaceExists(name: string): boolean {
  if (name === 'any') return true;
  try {
    return readdirSync(SYS_NET).includes(name);
  } catch {
    return false;
  }
}

const DLT_EN10MB = 1;
const DLT_RAW = 12;
const DLT_LINUX_SLL = 113;

/** The link type libpcap will most likely report for the interface, so the filter is checked against it. */
export function likelyLinkType(name: string): number {
  if (name === 'any') return DLT_LINUX_SLL;
  try {
    const arphrd = Number(readFileSync(`${SYS_NET}/${name}/type`, 'utf8').trim());
    if (arphrd === 65534) return DLT_RAW; // ARPHRD_NONE: tun devices and the like
  } catch {
    /* fall back to Ethernet */
  }
  return DLT_EN10MB;
}

/** null when the filter compiles, else libpcap's message. An empty filter captures everything. */
export function checkFilter(pcap: Libpcap, iface: string, snaplen: number, filter: string): string | null {
  if (filter === '') return null;
  return pcap.checkFilter(likelyLinkType(iface), snaplen, filter);
}
