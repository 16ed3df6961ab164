import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
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
];

function label(payload: Uint8Array, sport: number, dport: number): ReturnType<typeof createFlowDpi>['facts'] {
  const dpi = createFlowDpi(createNameCache());
  dpi.inspect({ proto: 17, fromInitiator: true, srcPort: sport, dstPort: dport, seq: 0, ts: 0 }, payload, 0, payload.length);
  return dpi.facts;
}

test('each UDP application is labelled from one datagram, with DHCP\'s identifying fields', () => {
  const [d4, d6, ntp, snmp, ssdp, stun, wg, syslog] = UDP_APP_SEEDS;
  const f4 = label(d4, 68, 67);
  assert.equal(f4.app, 'dhcp');
  assert.equal(f4.appDetail, 'host=laptop-7 vendor=MSFT 5.0');
  const f6 = label(d6, 546, 547);
  assert.equal(f6.app, 'dhcpv6');
  assert.equal(f6.appDetail, 'host=host vendor=311');
  assert.equal(label(ntp, 40000, 123).app, 'ntp');
  const fs = label(snmp, 40000, 161);
  assert.equal(fs.app, 'snmp');
  assert.ok(!JSON.stringify(fs).includes('private'), 'the community is never kept');
  assert.equal(label(ssdp, 40000, 1900).app, 'ssdp');
  assert.equal(label(stun, 40000, 3478).app, 'stun');
  assert.equal(label(stun, 50123, 61234).app, 'stun', 'STUN on any port');
  assert.equal(label(wg, 40000, 9999).app, 'wireguard');
  assert.equal(label(syslog, 40000, 514).app, 'syslog');
});

test('the port alone labels nothing: wrong structure on the right port stays unlabelled', () => {
  const junk = new Uint8Array(300).fill(0x41);
  for (const port of [67, 547, 123, 161, 514, 1900, 3478, 51820]) assert.equal(label(junk, 40000, port).app, null, `port ${port}`);
  const [d4, , ntp, snmp, , stun, wg] = UDP_APP_SEEDS;
  // One field off each: the cookie, the NTP version, an SNMP length, STUN's length, WireGuard's size.
  const badCookie = d4.slice(); badCookie[236] = 0;
  assert.equal(label(badCookie, 68, 67).app, null);
  const badNtp = ntp.slice(); badNtp[0] = 0xc3; // version 0
  assert.equal(label(badNtp, 40000, 123).app, null);
  const badSnmp = snmp.slice(); badSnmp[1]++;
  assert.equal(label(badSnmp, 40000, 161).app, null);
  assert.equal(label(concat(stun, hex('00')), 40000, 3478).app, null);
  assert.equal(label(wg.subarray(0, 147), 40000, 51820).app, null);
  assert.equal(label(ascii('<999>x'), 40000, 514).app, null);
  assert.equal(label(ascii('GET / HTTP/1.1\r\n\r\n'), 40000, 1900).app, null);
});

test('WireGuard transport data alone is labelled only on its port', () => {
  const data = concat(hex('04000000'), new Uint8Array(12 + 32));
  assert.equal(label(data, 40000, 51820).app, 'wireguard');
  assert.equal(label(data, 40000, 9999).app, null);
});
