/**
 * Textual IP addresses from the flow table's key words (big-endian 32-bit words): dotted quad for IPv4, RFC 5952
 * for IPv6 (lowercase, longest run of two or more zero groups as ::, IPv4-mapped as ::ffff:a.b.c.d), which is what
 * inet_ntop, tshark and the DPI name cache print; and back (addressWords).
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

/** Writes address text's big-endian words into `out` (IPv4 in word 0, zeros after); its family, or 0 if not one. */
export function addressWords(text: string, out: Uint32Array): 0 | 4 | 6 {
  out.fill(0);
  if (!text.includes(':')) {
    const v = ipv4Value(text);
    if (v < 0) return 0;
    out[0] = v;
    return 4;
  }
  const halves = text.split('::');
  if (halves.length > 2) return 0;
  const groups = (h: string | undefined) => (h === undefined || h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const last = halves.length === 2 ? tail : head;
  // A dotted IPv4 tail (::ffff:1.2.3.4) is the last two groups.
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    const v = ipv4Value(last.pop() ?? '');
    if (v < 0) return 0;
    last.push((v >>> 16).toString(16), (v & 0xffff).toString(16));
  }
  const n = head.length + tail.length;
  if (halves.length === 2 ? n > 7 : n !== 8) return 0;
  const all = [...head, ...new Array<string>(8 - n).fill('0'), ...tail];
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return 0;
    const g = parseInt(all[i], 16);
    out[i >> 1] = i & 1 ? (out[i >> 1] | g) >>> 0 : (g << 16) >>> 0;
  }
  return 6;
}

function ipv4Value(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return -1;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return -1;
    v = v * 256 + Number(p);
  }
  return v;
}
