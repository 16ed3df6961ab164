/**
 * Textual IP addresses from the flow table's key words (big-endian 32-bit words): dotted quad for IPv4, RFC 5952
 * for IPv6 (lowercase, longest run of two or more zero groups as ::, IPv4-mapped as ::ffff:a.b.c.d), which is what
 * inet_ntop, tshark and the DPI name cache print.
 */

function v4(w: number): string {
  return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
}

export function formatAddress(words: Uint32Array, i: number, family: number): string {
  if (family === 4) return v4(words[i]);
  const g: number[] = [];
  for (let k = 0; k < 4; k++) {
    const w = words[i + k];
    g.push(w >>> 16, w & 0xffff);
  }
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return `::ffff:${v4(words[i + 3])}`;
  let bestAt = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && g[j] === 0) j++;
    if (j - k > bestLen) {
      bestAt = k;
      bestLen = j - k;
    }
    k = j;
  }
  const hex = (a: number, b: number) => g.slice(a, b).map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

/** `addr:port`, with IPv6 addresses in brackets. */
export function formatEndpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
