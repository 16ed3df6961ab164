/**
 * Addresses that belong to no country or AS: private, loopback, link-local, shared (CGNAT), documentation,
 * benchmarking, multicast, reserved (IANA special-purpose registries). Such an endpoint's country and AS are null.
 */

/** [network, prefix length] of the IPv4 special-purpose blocks. */
const V4: readonly [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8 this network
  [0x0a000000, 8], // 10/8 private
  [0x64400000, 10], // 100.64/10 shared address space
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 IETF protocol assignments
  [0xc0000200, 24], // 192.0.2/24 documentation
  [0xc0586300, 24], // 192.88.99/24 6to4 relay anycast (deprecated)
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xc6336400, 24], // 198.51.100/24 documentation
  [0xcb007100, 24], // 203.0.113/24 documentation
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, and the broadcast address
];

/** The blocks as parallel words, so the check is a plain indexed loop (it runs for every address a flow reports). */
const V4_NET = Uint32Array.from(V4, ([net]) => net);
const V4_MASK = Uint32Array.from(V4, ([, len]) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0));

/** An IPv4 address as a host-order u32. */
export function isSpecial4(a: number): boolean {
  a >>>= 0;
  for (let i = 0; i < V4_NET.length; i++) if (((a & V4_MASK[i]) >>> 0) === V4_NET[i]) return true;
  return false;
}

/** An IPv6 address as four big-endian words. IPv4-mapped addresses (::ffff:a.b.c.d) are judged by their IPv4 part. */
export function isSpecial6(w: ArrayLike<number>, at: number): boolean {
  const w0 = w[at] >>> 0;
  const w1 = w[at + 1] >>> 0;
  const w2 = w[at + 2] >>> 0;
  const w3 = w[at + 3] >>> 0;
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return isSpecial4(w3);
  // ::/8 holds the unspecified and loopback addresses and the deprecated IPv4-compatible ones.
  if (w0 >>> 24 === 0) return true;
  if (w0 >>> 25 === 0x7e) return true; // fc00::/7 unique local
  if (w0 >>> 22 === 0x3fa) return true; // fe80::/10 link-local
  if (w0 >>> 22 === 0x3fb) return true; // fec0::/10 site-local (deprecated)
  if (w0 >>> 24 === 0xff) return true; // ff00::/8 multicast
  if (w0 === 0x20010db8) return true; // 2001:db8::/32 documentation
  if (w0 >>> 12 === 0x3fff0) return true; // 3fff::/20 documentation
  if (w0 === 0x0064ff9b) return true; // 64:ff9b::/96 and /48 NAT64
  if (w0 === 0x20010000) return true; // 2001::/32 Teredo
  if (w0 === 0x20010002 && w1 >>> 16 === 0) return true; // 2001:2::/48 benchmarking
  if (w0 === 0x01000000 && w1 === 0) return true; // 100::/64 discard
  return false;
}
