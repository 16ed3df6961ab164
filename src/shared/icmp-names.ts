/** Names for ICMP and ICMPv6 message types, shown as "echo request (8/0)" where a port would be. */

const ICMP4: Record<number, string> = {
  0: 'echo reply', 3: 'unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request', 9: 'router advertisement',
  10: 'router solicitation', 11: 'time exceeded', 12: 'parameter problem', 13: 'timestamp', 14: 'timestamp reply',
};
const ICMP6: Record<number, string> = {
  1: 'unreachable', 2: 'packet too big', 3: 'time exceeded', 4: 'parameter problem', 128: 'echo request',
  129: 'echo reply', 130: 'listener query', 131: 'listener report', 133: 'router solicitation',
  134: 'router advertisement', 135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect',
  143: 'listener report v2',
};

/** "echo request (8/0)"; an unnamed type is "type 42 (42/0)". */
export function icmpLabel(proto: 'icmp' | 'icmpv6', type: number, code: number): string {
  const name = (proto === 'icmp' ? ICMP4 : ICMP6)[type] ?? `type ${type}`;
  return `${name} (${type}/${code})`;
}
