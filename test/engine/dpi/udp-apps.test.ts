import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import { ascii, concat, hex } from './builders.ts';
import { UDP_APP_SEEDS } from './udp-app-seeds.ts';

function label(payload: Uint8Array, sport: number, dport: number): ReturnType<typeof createFlowDpi>['facts'] {
  const dpi = createFlowDpi(createNameCache());
  dpi.inspect({ proto: 17, fromInitiator: true, srcPort: sport, dstPort: dport, seq: 0, ts: 0 }, payload, 0, payload.length);
  return dpi.facts;
}

test('each UDP application is labelled from one datagram, with DHCP\'s identifying fields', () => {
  const [d4, d6, ntp, snmp, ssdp, stun, wg, syslog] = UDP_APP_SEEDS;
  const f4 = label(d4, 68, 67);
  assert.equal(f4.app, 'dhcp');
  assert.deepEqual(f4.dhcp, { hostname: 'laptop-7', vendorClass: 'MSFT 5.0' });
  const f6 = label(d6, 546, 547);
  assert.equal(f6.app, 'dhcpv6');
  assert.deepEqual(f6.dhcp, { hostname: 'host', vendorClass: '311' });
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

test('IKE on 500 and behind the NAT-T marker on 4500, RADIUS on its ports, SIP on 5060', () => {
  const [, , , , , , , , ike, radius, , sip] = UDP_APP_SEEDS;
  assert.equal(label(ike, 500, 500).app, 'ike');
  assert.equal(label(concat(hex('00000000'), ike), 4500, 4500).app, 'ike');
  assert.equal(label(ike, 4500, 4500).app, null, 'on 4500 the non-ESP marker must come first (else it is ESP)');
  for (const port of [1812, 1813, 1645, 1646, 1700, 3799]) assert.equal(label(radius, 40000, port).app, 'radius', `port ${port}`);
  assert.equal(label(sip, 5060, 5060).app, 'sip');
  assert.equal(label(ascii('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1\r\n\r\n'), 5060, 40000).app, 'sip');
});

test('NetBIOS datagrams on 138 by their exact length', () => {
  const dgm = UDP_APP_SEEDS[10];
  assert.equal(label(dgm, 138, 138).app, 'netbios');
  assert.equal(label(concat(dgm, hex('00')), 138, 138).app, null);
  const reserved = dgm.slice(); reserved[1] = 0x12;
  assert.equal(label(reserved, 138, 138).app, null);
  assert.equal(label(dgm, 40000, 139).app, null);
});

test('IKE, RADIUS and SIP need their structure, not only the port', () => {
  const [, , , , , , , , ike, radius, , sip] = UDP_APP_SEEDS;
  const zeroSpi = ike.slice(); zeroSpi.fill(0, 0, 8);
  assert.equal(label(zeroSpi, 500, 500).app, null);
  const badLength = ike.slice(); badLength[27]++;
  assert.equal(label(badLength, 500, 500).app, null);
  const v2InV1 = ike.slice(); v2InV1[17] = 0x10; // IKE_SA_INIT is not an IKEv1 exchange
  assert.equal(label(v2InV1, 500, 500).app, null);
  const badCode = radius.slice(); badCode[0] = 99;
  assert.equal(label(badCode, 40000, 1812).app, null);
  const overrun = radius.slice(); overrun[21] = 6; // the first attribute runs into the second
  assert.equal(label(overrun, 40000, 1812).app, null);
  assert.equal(label(concat(radius, hex('00')), 40000, 1812).app, null, 'length field must equal the datagram');
  assert.equal(label(ascii('REGISTER http://x SIP/2.0\r\n'), 5060, 5060).app, null);
  assert.equal(label(ascii('FOO sip:x SIP/2.0\r\n'), 5060, 5060).app, null);
  assert.equal(label(sip, 40000, 5061).app, null, 'SIP only on 5060');
});

test('the port alone labels nothing: wrong structure on the right port stays unlabelled', () => {
  const junk = new Uint8Array(300).fill(0x41);
  for (const port of [67, 547, 123, 161, 514, 1900, 3478, 51820, 500, 4500, 1812, 5060]) assert.equal(label(junk, 40000, port).app, null, `port ${port}`);
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
