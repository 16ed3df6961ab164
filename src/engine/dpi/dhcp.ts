/**
 * DHCP (RFC 2131, UDP 67/68) and DHCPv6 (RFC 8415, UDP 546/547): a label only when the fixed header and the option
 * list are well formed, so other traffic on these ports is not called DHCP. The identifying fields a client sends
 * about itself are read out: DHCPv4 host name (option 12) and vendor class (60); DHCPv6 client FQDN (39, its first
 * label's text is not decoded here) and vendor class (16, the enterprise number).
 */
import { asciiText, u16, u32 } from './bytes.ts';

export interface DhcpInfo {
  hostname: string | null;
  vendorClass: string | null;
}

const COOKIE = 0x63825363;
const MAX_TEXT = 255;

/** DHCPv4: BOOTREQUEST/BOOTREPLY, Ethernet-style hardware lengths, the magic cookie, options ending in END. */
export function parseDhcp4(buf: Uint8Array, off: number, len: number): DhcpInfo | null {
  if (len < 240) return null;
  const op = buf[off];
  if ((op !== 1 && op !== 2) || buf[off + 2] > 16 || buf[off + 3] > 16) return null;
  if (u32(buf, off + 236) !== COOKIE) return null;
  const info: DhcpInfo = { hostname: null, vendorClass: null };
  const end = off + len;
  let p = off + 240;
  let sawType = false;
  while (p < end) {
    const code = buf[p];
    if (code === 255) return info;
    if (code === 0) { p++; continue; }
    if (p + 2 > end) return null;
    const l = buf[p + 1];
    if (p + 2 + l > end) return null;
    if (code === 53) { if (l !== 1 || buf[p + 2] < 1 || buf[p + 2] > 18) return null; sawType = true; }
    else if (code === 12 && l > 0) info.hostname = asciiText(buf, p + 2, Math.min(l, MAX_TEXT));
    else if (code === 60 && l > 0) info.vendorClass = asciiText(buf, p + 2, Math.min(l, MAX_TEXT));
    p += 2 + l;
  }
  // Options ran to the end of the datagram without END: BOOTP replies may do this, but only with a message type.
  return p === end && sawType ? info : null;
}

/** Relay agents nest: a relay-forward may carry another relay's message. Deeper nesting is not read into. */
const MAX_RELAY_DEPTH = 8;

/**
 * DHCPv6 client/server and relay messages; options must tile the rest of the datagram exactly. A relay message's
 * client fields are those of the message it relays (option 9), when well formed.
 */
export function parseDhcp6(buf: Uint8Array, off: number, len: number, depth = 0): DhcpInfo | null {
  if (len < 4) return null;
  const type = buf[off];
  if (type < 1 || type > 13) return null;
  // Relay-forward/-reply (12, 13): hop count, link and peer addresses before the options.
  let p = off + (type >= 12 ? 34 : 4);
  const end = off + len;
  if (p > end) return null;
  const info: DhcpInfo = { hostname: null, vendorClass: null };
  let relayed: DhcpInfo | null = null;
  while (p < end) {
    if (p + 4 > end) return null;
    const code = u16(buf, p);
    const l = u16(buf, p + 2);
    if (code === 0 || p + 4 + l > end) return null;
    if (code === 39 && l > 1) info.hostname = fqdnText(buf, p + 5, l - 1);
    else if (code === 16 && l >= 4) info.vendorClass = String(u32(buf, p + 4));
    else if (code === 9 && type >= 12 && depth < MAX_RELAY_DEPTH) relayed = parseDhcp6(buf, p + 4, l, depth + 1);
    p += 4 + l;
  }
  if (relayed !== null) {
    info.hostname ??= relayed.hostname;
    info.vendorClass ??= relayed.vendorClass;
  }
  return info;
}

/** A DNS-encoded name (RFC 4704 §4.2) as dotted text; a partial name (no root) is fine. */
function fqdnText(buf: Uint8Array, off: number, len: number): string | null {
  const parts: string[] = [];
  let p = off;
  const end = off + len;
  while (p < end) {
    const l = buf[p];
    if (l === 0) break;
    if (l > 63 || p + 1 + l > end) return null;
    parts.push(asciiText(buf, p + 1, l));
    p += 1 + l;
  }
  return parts.length ? parts.join('.').toLowerCase() : null;
}
