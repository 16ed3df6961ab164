/**
 * Textual IP addresses for DNS answers and /proc/net sockets: dotted quad for IPv4, RFC 5952 for IPv6 (lowercase,
 * no leading zeros, the longest run of two or more zero groups compressed, the first on a tie, IPv4-mapped as
 * ::ffff:a.b.c.d). These strings are NameCache keys, so they must match the flow table's formatAddress.
 */
import { scratchBytes, scratchText } from './bytes.ts';

/** Writes the decimal digits of v (0..255) at out[n]; returns the new length. */
function decimal(out: Uint8Array, n: number, v: number): number {
  if (v >= 100) out[n++] = 0x30 + ((v / 100) | 0);
  if (v >= 10) out[n++] = 0x30 + (((v / 10) | 0) % 10);
  out[n++] = 0x30 + (v % 10);
  return n;
}

/** Dotted quad, written into the scratch and decoded once (a template literal builds it from five pieces). */
export function formatIPv4(buf: Uint8Array, off: number): string {
  const out = scratchBytes();
  let n = decimal(out, 0, buf[off]);
  for (let i = 1; i < 4; i++) {
    out[n++] = 0x2e;
    n = decimal(out, n, buf[off + i]);
  }
  return scratchText(n);
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
  const out = scratchBytes();
  let n = 0;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      if (i === 0) out[n++] = 0x3a;
      out[n++] = 0x3a;
      i += bestLen - 1;
      continue;
    }
    const v = g[i];
    // Hex digits without leading zeros.
    for (let shift = 12, started = false; shift >= 0; shift -= 4) {
      const d = (v >> shift) & 15;
      if (d === 0 && !started && shift > 0) continue;
      started = true;
      out[n++] = d < 10 ? 0x30 + d : 0x57 + d;
    }
    if (i < 7) out[n++] = 0x3a;
  }
  return scratchText(n);
}

const groups = new Uint16Array(8);

export function formatIPv6(buf: Uint8Array, off: number): string {
  for (let i = 0; i < 8; i++) groups[i] = (buf[off + 2 * i] << 8) | buf[off + 2 * i + 1];
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return '::ffff:' + formatIPv4(buf, off + 12); // IPv4-mapped, as inet_ntop and tshark print it
  }
  return formatIPv6Groups(groups);
}
