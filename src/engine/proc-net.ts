/**
 * Parsing of /proc/net/{tcp,tcp6,udp,udp6}: each socket's local and remote address, state, owner uid and inode.
 * Addresses are hex dumps of the kernel's in-memory (network order) bytes printed as 32-bit words in host order,
 * so on little-endian machines each 4-byte group is reversed: 0100007F is 127.0.0.1, and an IPv6 address is four
 * such words. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, dual-stack sockets) are reported as plain IPv4 so they
 * match the addresses of IPv4 packets.
 */
import { formatIPv4, formatIPv6 } from './dpi/ip-text.ts';

export type SocketProto = 'tcp' | 'udp';

export interface ProcSocket {
  proto: SocketProto;
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  /** Kernel TCP state number (0x0A is LISTEN); for UDP, 0x07 is unconnected and 0x01 connected. */
  state: number;
  uid: number;
  inode: number;
}

export const TCP_LISTEN = 0x0a;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const scratch = new Uint8Array(16);

function hexByte(s: string, i: number): number {
  const v = parseInt(s.substr(i, 2), 16);
  return Number.isNaN(v) ? -1 : v;
}

/** Decodes an 8- or 32-hex-digit /proc/net address into text; null if malformed. */
export function decodeProcAddress(hex: string): string | null {
  if ((hex.length !== 8 && hex.length !== 32) || !/^[0-9A-Fa-f]+$/.test(hex)) return null;
  const n = hex.length / 2;
  for (let w = 0; w < n / 4; w++) {
    for (let b = 0; b < 4; b++) {
      const v = hexByte(hex, w * 8 + b * 2);
      if (v < 0) return null;
      scratch[w * 4 + (littleEndian ? 3 - b : b)] = v;
    }
  }
  if (n === 4) return formatIPv4(scratch, 0);
  let mapped = scratch[10] === 0xff && scratch[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (scratch[i] !== 0) mapped = false;
  return mapped ? formatIPv4(scratch, 12) : formatIPv6(scratch, 0);
}

/** "ADDR:PORT" → [address, port], or null. */
function decodeEndpoint(s: string): [string, number] | null {
  const colon = s.indexOf(':');
  if (colon < 0) return null;
  const addr = decodeProcAddress(s.slice(0, colon));
  const portHex = s.slice(colon + 1);
  const port = /^[0-9A-Fa-f]{1,4}$/.test(portHex) ? parseInt(portHex, 16) : -1;
  if (addr === null || port < 0) return null;
  return [addr, port];
}

/** Parses one /proc/net table; malformed lines are skipped. */
export function parseProcNetTable(text: string, proto: SocketProto): ProcSocket[] {
  const out: ProcSocket[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (f.length < 10) continue;
    const local = decodeEndpoint(f[1]);
    const remote = decodeEndpoint(f[2]);
    const state = parseInt(f[3], 16);
    const uid = Number(f[7]);
    const inode = Number(f[9]);
    if (!local || !remote || Number.isNaN(state) || !Number.isInteger(uid) || !Number.isInteger(inode)) continue;
    out.push({ proto, local: local[0], localPort: local[1], remote: remote[0], remotePort: remote[1], state, uid, inode });
  }
  return out;
}
