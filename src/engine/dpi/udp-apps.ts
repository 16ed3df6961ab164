/**
 * Labels for UDP applications told by one datagram: chosen by port first (a switch, no allocation), then the
 * datagram's structure must match, since a wrong label is worse than none. STUN is the exception, recognised on any
 * port by its magic cookie and exact length, as WebRTC picks ports freely; WireGuard handshakes likewise by type and
 * exact length.
 */
import type { DpiFacts, PayloadContext } from './types.ts';
import { parseDhcp4, parseDhcp6, type DhcpInfo } from './dhcp.ts';
import { IKE_NATT_PORT, IKE_PORT, looksLikeIke } from './ike.ts';
import { KERBEROS_PORT, looksLikeKerberosDatagram } from './kerberos.ts';
import { NETBIOS_DGM_PORT, looksLikeNetbiosDatagram } from './netbios-datagram.ts';
import { LDAP_PORT, looksLikeLdapMessage } from './ldap.ts';
import { looksLikeNtp } from './ntp.ts';
import { isRadiusPort, looksLikeRadius } from './radius.ts';
import { SIP_PORT, looksLikeSip } from './sip.ts';
import { looksLikeSnmp } from './snmp.ts';
import { looksLikeSsdp } from './ssdp.ts';
import { looksLikeStun } from './stun.ts';
import { looksLikeSyslog } from './syslog.ts';
import { WG_PORT, wireguardKind } from './wireguard.ts';

function onPort(ctx: PayloadContext, a: number, b = a): boolean {
  return ctx.srcPort === a || ctx.dstPort === a || ctx.srcPort === b || ctx.dstPort === b;
}

/** Kept only when the message names its client at all. */
function clientInfo(info: DhcpInfo): DhcpInfo | null {
  return info.hostname !== null || info.vendorClass !== null ? info : null;
}

/** Sets facts.app (and facts.dhcp) when the datagram is one of these applications; true when it did. */
export function udpAppLabel(ctx: PayloadContext, buf: Uint8Array, off: number, len: number, facts: DpiFacts): boolean {
  const lo = ctx.srcPort < ctx.dstPort ? ctx.srcPort : ctx.dstPort;
  let app: DpiFacts['app'] = null;
  if (lo <= 1900) {
    if (onPort(ctx, 67, 68)) {
      const info = parseDhcp4(buf, off, len);
      if (info !== null) { app = 'dhcp'; facts.dhcp = clientInfo(info); }
    } else if (onPort(ctx, 546, 547)) {
      const info = parseDhcp6(buf, off, len);
      if (info !== null) { app = 'dhcpv6'; facts.dhcp = clientInfo(info); }
    } else if (onPort(ctx, KERBEROS_PORT)) {
      if (looksLikeKerberosDatagram(buf, off, len)) app = 'kerberos';
    } else if (onPort(ctx, NETBIOS_DGM_PORT)) {
      if (looksLikeNetbiosDatagram(buf, off, len)) app = 'netbios';
    } else if (onPort(ctx, 123)) {
      if (looksLikeNtp(buf, off, len)) app = 'ntp';
    } else if (onPort(ctx, 161, 162)) {
      if (looksLikeSnmp(buf, off, len)) app = 'snmp';
    } else if (onPort(ctx, LDAP_PORT)) {
      if (looksLikeLdapMessage(buf, off, len, true)) app = 'ldap';
    } else if (onPort(ctx, 514)) {
      if (looksLikeSyslog(buf, off, len)) app = 'syslog';
    } else if (onPort(ctx, 1900)) {
      if (looksLikeSsdp(buf, off, len)) app = 'ssdp';
    } else if (onPort(ctx, IKE_PORT)) {
      if (looksLikeIke(buf, off, len, false)) app = 'ike';
    }
  }
  if (app === null) {
    if (onPort(ctx, IKE_NATT_PORT)) {
      if (looksLikeIke(buf, off, len, true)) app = 'ike';
    } else if (isRadiusPort(ctx.srcPort) || isRadiusPort(ctx.dstPort)) {
      if (looksLikeRadius(buf, off, len)) app = 'radius';
    } else if (onPort(ctx, SIP_PORT)) {
      if (looksLikeSip(buf, off, len)) app = 'sip';
    }
  }
  if (app === null && len >= 20) {
    if (looksLikeStun(buf, off, len)) app = 'stun';
    else {
      const wg = wireguardKind(buf, off, len);
      if (wg === 1 || (wg === 2 && onPort(ctx, WG_PORT))) app = 'wireguard';
    }
  }
  if (app === null) return false;
  facts.app = app;
  return true;
}
