/**
 * The link type (DLT_) libpcap will give a live capture on an interface, predicted without opening it, so the
 * filter can be compiled as the user for the right packet layout. The helper checks the prediction against
 * pcap_datalink() and refuses a mismatch, so a wrong guess costs a clear error, never a wrong filter.
 */
import { readFileSync } from 'node:fs';

export const DLT = { EN10MB: 1, RAW: 12, LINUX_SLL: 113, IEEE802_11_RADIO: 127 } as const;

/** ARPHRD_ values (linux/if_arp.h) and the DLT libpcap 1.10's pcap-linux maps each to. */
const ARPHRD_TO_DLT: ReadonlyMap<number, number> = new Map([
  [1, DLT.EN10MB], // ARPHRD_ETHER: Ethernet, veth, bridges, most NICs
  [772, DLT.EN10MB], // ARPHRD_LOOPBACK: lo gets fake Ethernet headers
  [65534, DLT.RAW], // ARPHRD_NONE: tun, WireGuard
  [768, DLT.RAW], // ARPHRD_TUNNEL (ipip)
  [769, DLT.RAW], // ARPHRD_TUNNEL6
  [776, DLT.RAW], // ARPHRD_SIT
  [803, DLT.IEEE802_11_RADIO], // ARPHRD_IEEE80211_RADIOTAP (monitor mode)
]);

/** `any`, and types libpcap has no header mapping for, are captured "cooked" (Linux SLL). */
export function linkTypeFor(iface: string, sysNet = '/sys/class/net'): number {
  if (iface === 'any') return DLT.LINUX_SLL;
  let arphrd: number;
  try {
    arphrd = Number(readFileSync(`${sysNet}/${iface}/type`, 'utf8').trim());
  } catch {
    // Not readable here (gone, or another namespace): the helper reports the interface itself.
    return DLT.EN10MB;
  }
  return ARPHRD_TO_DLT.get(arphrd) ?? DLT.LINUX_SLL;
}
