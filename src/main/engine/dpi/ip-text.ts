/**
 * Textual IP addresses for DNS answers and /proc/net sockets: dotted quad for IPv4, RFC 5952 for IPv6 (lowercase,
 * no leading zeros, the longest run of two or more zero groups compressed, the first on a tie, IPv4-mapped as
 * ::ffff:a.b.c.d). These strings are NameCache keys, so they must match the flow table's formatAddress.
 */

export function formatIPv4(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** Formats eight 16-bit groups. */
export function formatIPv6Groups(g: ArrayLike<number>): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += g[i].toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

const groups = new Uint16Array(8);

export function formatIPv6(buf: Uint8Array, off: number): string {
  for (let i = 0; i < 8; i++) groups[i] = (buf[off + 2 * i] << 8) | buf[off + 2 * i + 1];
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(buf, off + 12)}`; // IPv4-mapped, as inet_ntop and tshark print it
  }
  return formatIPv6Groups(groups);
}
