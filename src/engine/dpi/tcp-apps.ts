/**
 * Labels for TCP applications told by the first bytes of one direction, where nothing more is read from the flow:
 * BitTorrent's handshake and MQTT's CONNECT on any port (both begin with a fixed protocol name), SMB after its
 * NetBIOS session header on 445/139, Kerberos's record-marked requests and replies on 88 (kerberos.ts), an LDAP bind or
 * search on 389/3268 (ldap.ts).
 */
import type { FlowApp } from '../../shared/flow.ts';
import { startsWithAscii } from './bytes.ts';
import { KERBEROS_PORT, looksLikeKerberosRecord } from './kerberos.ts';
import { LDAP_GC_PORT, LDAP_PORT, looksLikeLdapMessage } from './ldap.ts';

const BT_NAME = 'BitTorrent protocol';

/** MQTT CONNECT (3.1 "MQIsdp" level 3, 3.1.1 "MQTT" level 4, 5.0 level 5): fixed header 0x10, remaining length. */
function looksLikeMqttConnect(d: Uint8Array, o: number, end: number): boolean {
  if (d[o] !== 0x10) return false;
  let p = o + 1;
  let remaining = 0;
  let shift = 0;
  for (let i = 0; ; i++) {
    if (i === 4 || p >= end) return false;
    const b = d[p++];
    remaining += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  if (remaining < 12) return false;
  if (startsWithAscii(d, p, end - p, '\x00\x04MQTT')) return p + 6 < end && (d[p + 6] === 4 || d[p + 6] === 5);
  return startsWithAscii(d, p, end - p, '\x00\x06MQIsdp') && p + 8 < end && d[p + 8] === 3;
}

/** SMB1/SMB2/SMB3-transform header after a NetBIOS session message header. */
function looksLikeSmb(d: Uint8Array, o: number, end: number): boolean {
  if (o + 8 > end || d[o] !== 0x00) return false;
  const m = d[o + 4];
  return (m === 0xff || m === 0xfe || m === 0xfd) && d[o + 5] === 0x53 && d[o + 6] === 0x4d && d[o + 7] === 0x42;
}

export function tcpAppLabel(srcPort: number, dstPort: number, d: Uint8Array, o: number, n: number): FlowApp | null {
  const end = o + n;
  const b0 = d[o];
  if (b0 === 0x13) return startsWithAscii(d, o + 1, n - 1, BT_NAME) ? 'bittorrent' : null;
  if (b0 === 0x10) return looksLikeMqttConnect(d, o, end) ? 'mqtt' : null;
  if (b0 === 0x30) {
    const ldapPort = srcPort === LDAP_PORT || dstPort === LDAP_PORT || srcPort === LDAP_GC_PORT || dstPort === LDAP_GC_PORT;
    return ldapPort && looksLikeLdapMessage(d, o, n, false) ? 'ldap' : null;
  }
  if (b0 !== 0x00) return null;
  const port445 = srcPort === 445 || dstPort === 445 || srcPort === 139 || dstPort === 139;
  if (port445 && looksLikeSmb(d, o, end)) return 'smb';
  if ((srcPort === KERBEROS_PORT || dstPort === KERBEROS_PORT) && looksLikeKerberosRecord(d, o, end)) return 'kerberos';
  return null;
}
