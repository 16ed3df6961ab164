/** Well-formed first bytes for the LDAP, RDP and OpenVPN labels (ldap.ts, tls-preamble.ts, openvpn.ts), for their tests and the fuzzer. */
import { ascii, concat, hex, u16be } from './builders.ts';

/** A BER TLV with a short (< 128) or two-byte long length. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const v = concat(...parts);
  const len = v.length < 0x80 ? new Uint8Array([v.length]) : concat(hex('82'), u16be(v.length));
  return concat(new Uint8Array([tag]), len, v);
}
const int = (n: number) => tlv(0x02, new Uint8Array([n]));
const str = (s: string) => tlv(0x04, ascii(s));
const ldapMessage = (id: number, op: Uint8Array) => tlv(0x30, int(id), op);

/** A simple bind as cn=admin,dc=example,dc=test, LDAPv3. */
export const LDAP_BIND = ldapMessage(1, tlv(0x60, int(3), str('cn=admin,dc=example,dc=test'), tlv(0x80, ascii('secret'))));
/** The bind's success. */
export const LDAP_BIND_OK = ldapMessage(1, tlv(0x61, tlv(0x0a, hex('00')), str(''), str('')));
/** A search of the root DSE (base scope) for objectClass=*, as a connectionless LDAP ping does. */
export const LDAP_SEARCH = ldapMessage(2, tlv(0x63, str(''), tlv(0x0a, hex('00')), tlv(0x0a, hex('00')), int(0), int(0), tlv(0x01, hex('00')),
  tlv(0x87, ascii('objectClass')), tlv(0x30, str('namingContexts'))));

/** An X.224 Connection Request in a TPKT: RDP's with the cookie line and a Negotiation Request for TLS. */
export function x224Request(body: Uint8Array): Uint8Array {
  const x224 = concat(new Uint8Array([6 + body.length, 0xe0]), hex('0000'), hex('0000'), hex('00'), body);
  return concat(hex('0300'), u16be(4 + x224.length), x224);
}
export const RDP_REQUEST = x224Request(concat(ascii('Cookie: mstshash=alice\r\n'), hex('0100080001000000')));
/** The server's Connection Confirm with a Negotiation Response (TLS). */
export const RDP_CONFIRM = hex('030000130ed000001234000200080001000000');

export const OVPN_CLIENT_SID = hex('a1b2c3d4e5f60718');
export const OVPN_SERVER_SID = hex('1122334455667788');
/** P_CONTROL_HARD_RESET_CLIENT_V2, key id 0: session id, no acks, message packet id 0. */
export const OVPN_CLIENT_RESET = concat(hex('38'), OVPN_CLIENT_SID, hex('00'), hex('00000000'));
/** P_CONTROL_HARD_RESET_SERVER_V2 acknowledging packet 0 of the client's session. */
export const OVPN_SERVER_RESET = concat(hex('40'), OVPN_SERVER_SID, hex('01'), hex('00000000'), OVPN_CLIENT_SID, hex('00000000'));
/** The same with tls-auth (HMAC-SHA1, replay packet id 1, time) before the ack array. */
const auth = concat(new Uint8Array(20).fill(0x5a), hex('00000001'), hex('65000000'));
export const OVPN_CLIENT_RESET_AUTH = concat(hex('38'), OVPN_CLIENT_SID, auth, hex('00'), hex('00000000'));
export const OVPN_SERVER_RESET_AUTH = concat(hex('40'), OVPN_SERVER_SID, auth, hex('01'), hex('00000000'), OVPN_CLIENT_SID, hex('00000000'));

export const DIRECTORY_VPN_SEEDS: Uint8Array[] = [LDAP_BIND, LDAP_BIND_OK, LDAP_SEARCH, RDP_REQUEST, OVPN_CLIENT_RESET, OVPN_SERVER_RESET, OVPN_CLIENT_RESET_AUTH, OVPN_SERVER_RESET_AUTH];
