/** One well-formed datagram per UDP app label (udp-apps.ts), in a fixed order, for the label tests and the fuzzer. */
import { ascii, concat, hex, u16be } from './builders.ts';

/** A DHCPv4 message: fixed header, cookie, the given options, END. */
export function dhcp4(options: Uint8Array, op = 1): Uint8Array {
  const head = new Uint8Array(236);
  head[0] = op; head[1] = 1; head[2] = 6;
  return concat(head, hex('63825363'), options, hex('ff'));
}
const opt = (code: number, v: Uint8Array): Uint8Array => concat(new Uint8Array([code, v.length]), v);
const opt6 = (code: number, v: Uint8Array): Uint8Array => concat(u16be(code), u16be(v.length), v);

export const UDP_APP_SEEDS: Uint8Array[] = [
  dhcp4(concat(opt(53, hex('01')), opt(12, ascii('laptop-7')), opt(60, ascii('MSFT 5.0')))),
  concat(hex('01abcdef'), opt6(1, hex('000100010102030405060708090a')), opt6(39, concat(hex('00'), hex('04'), ascii('host'), hex('00'))), opt6(16, concat(hex('0000013700'), ascii('x')))),
  concat(hex('e30003fa'), new Uint8Array(44)), // NTP v4 client
  concat(hex('3027020101040770726976617465a019020101020100020100300e300c06082b060102010101000500')), // v2c get, community "private"
  ascii('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nST: ssdp:all\r\n\r\n'),
  concat(hex('000100082112a442'), hex('0102030405060708090a0b0c'), hex('80220004'), ascii('test')), // binding request, SOFTWARE
  concat(hex('01000000'), new Uint8Array(144)), // WireGuard initiation
  ascii('<34>Oct 11 22:14:15 mymachine su: failed for lonvick'),
  // IKEv2 IKE_SA_INIT: initiator SPI, zero responder SPI, next payload SA, version 2.0, exchange 34, flags I, length 28+8.
  concat(hex('0102030405060708'), new Uint8Array(8), hex('21202208'), hex('00000000'), hex('00000024'), hex('0000000800000000')),
  // RADIUS Access-Request, id 1, length 31: authenticator, User-Name "bob", NAS-Port 0.
  concat(hex('0101001f'), new Uint8Array(16), hex('0105'), ascii('bob'), hex('0506'), hex('00000000')),
  // NetBIOS direct-group datagram: type, flags, id, source 10.0.0.7:138, 6 bytes after the header.
  concat(hex('11020001'), hex('0a000007'), u16be(138), u16be(6), u16be(0), ascii('abcdef')),
  ascii('REGISTER sip:example.test SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\nCSeq: 1 REGISTER\r\n\r\n'),
];
