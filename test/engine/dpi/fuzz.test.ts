// Property tests: random and mutated bytes never make a parser throw, loop or read out of bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createFlowDpi, createNameCache, dpiInternalErrors } from '../../../src/engine/dpi/index.ts';
import { parseDnsMessage, readName } from '../../../src/engine/dpi/dns.ts';
import { parseHttpRequestHead } from '../../../src/engine/dpi/http-request.ts';
import { QuicInitialReader } from '../../../src/engine/dpi/quic-initial.ts';
import { parseSshBanner } from '../../../src/engine/dpi/ssh-banner.ts';
import { StreamPrefix } from '../../../src/engine/dpi/stream-prefix.ts';
import { parseClientHello, TlsClientHelloReader } from '../../../src/engine/dpi/tls-client-hello.ts';
import { scanPreamble } from '../../../src/engine/dpi/tls-preamble.ts';
import { scanNbnsMessage } from '../../../src/engine/dpi/nbns.ts';
import { parseDhcp4, parseDhcp6 } from '../../../src/engine/dpi/dhcp.ts';
import { looksLikeNtp } from '../../../src/engine/dpi/ntp.ts';
import { looksLikeSnmp } from '../../../src/engine/dpi/snmp.ts';
import { looksLikeSsdp } from '../../../src/engine/dpi/ssdp.ts';
import { looksLikeStun } from '../../../src/engine/dpi/stun.ts';
import { looksLikeSyslog } from '../../../src/engine/dpi/syslog.ts';
import { wireguardKind } from '../../../src/engine/dpi/wireguard.ts';
import { looksLikeIke } from '../../../src/engine/dpi/ike.ts';
import { looksLikeNetbiosDatagram } from '../../../src/engine/dpi/netbios-datagram.ts';
import { looksLikeRadius } from '../../../src/engine/dpi/radius.ts';
import { looksLikeSip, sdpMedia } from '../../../src/engine/dpi/sip.ts';
import { looksLikeKerberosDatagram } from '../../../src/engine/dpi/kerberos.ts';
import { tcpAppLabel } from '../../../src/engine/dpi/tcp-apps.ts';
import { looksLikeLdapMessage } from '../../../src/engine/dpi/ldap.ts';
import { isOpenvpnClientReset, isOpenvpnServerReset } from '../../../src/engine/dpi/openvpn.ts';
import { isRdpConnectionRequest } from '../../../src/engine/dpi/tls-preamble.ts';
import { DIRECTORY_VPN_SEEDS } from './directory-vpn-seeds.ts';
import { rtpKind } from '../../../src/engine/dpi/rtp.ts';
import { ftpAnnouncement } from '../../../src/engine/dpi/ftp.ts';
import { TCP_APP_SEEDS } from './tcp-app-seeds.ts';
import { UDP_APP_SEEDS } from './udp-app-seeds.ts';
import { ascii, clientHelloMessage, concat, cryptoFrame, dnsMessage, dnsName, hex, protectInitial, ptr, tlsRecords } from './builders.ts';

const seeds: Uint8Array[] = [
  dnsMessage({ response: true, questions: [{ name: dnsName('www.example.com'), type: 1 }], answers: [{ name: ptr(12), type: 5, rdata: dnsName('a.b.c') }, { name: dnsName('a.b.c'), type: 1, rdata: hex('01020304') }] }),
  tlsRecords(clientHelloMessage({ sni: 'fuzz.example', alpn: ['h2', 'http/1.1'] }), 70),
  clientHelloMessage({ sni: 'raw.example', alpn: ['h3'] }),
  ascii('GET / HTTP/1.1\r\nHost: fuzz.example\r\n\r\n'),
  ascii('SSH-2.0-fuzz\r\n'),
  concat(ascii('a1 STARTTLS\r\n'), tlsRecords(clientHelloMessage({ sni: 'imap.example' }))),
  concat(hex('05010005010003'), new Uint8Array([9]), ascii('s.example'), hex('01bb')),
  concat(hex('0401005000000001'), ascii('u'), hex('00'), ascii('h.example'), hex('00')),
  ascii('CONNECT c.example:443 HTTP/1.1\r\nHost: c.example:443\r\n\r\n'),
  concat(hex('0d0a0d0a000d0a515549540a2111000c'), new Uint8Array(12), tlsRecords(clientHelloMessage({ sni: 'p.example' }))),
  hex('80010110000100000000000020464845504643454c45484643455046464641434143414341434143414341424e0000200001'), // NBNS query for WORKGROUP<1d>
  protectInitial({ dcid: hex('0102030405060708'), frames: cryptoFrame(0, clientHelloMessage({ sni: 'q.example' })), pad: false }),
  ...UDP_APP_SEEDS,
  ...TCP_APP_SEEDS,
  ...DIRECTORY_VPN_SEEDS,
  concat(hex('806f00641234abcd1234abcd'), new Uint8Array(20)), // RTP, payload type 111
  concat(hex('92e000011234abcd1234abcd00000000'), hex('bede0001'), new Uint8Array(8)), // CSRC and extension
  ascii('227 Entering Passive Mode (10,0,0,2,195,80).\r\n'),
  ascii('229 Entering Extended Passive Mode (|||50001|)\r\n'),
  ascii('EPRT |2|2001:db8::1|50003|\r\n'),
  ascii('INVITE sip:b@x SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 49170 RTP/AVP 0\r\n'),
];

/** A seed with some bytes overwritten, truncated or extended. */
const mutated = fc.tuple(
  fc.constantFrom(...seeds),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
  fc.nat(),
  fc.uint8Array({ maxLength: 16 }),
).map(([seed, edits, cut, tail]) => {
  const b = seed.slice();
  for (const [i, v] of edits) b[i % b.length] = v;
  return concat(b.subarray(0, 1 + (cut % b.length)), tail);
});

const bytes = fc.oneof(fc.uint8Array({ maxLength: 1500 }), mutated);

function udpApps(b: Uint8Array, off: number, n: number): unknown[] {
  return [parseDhcp4(b, off, n), parseDhcp6(b, off, n), looksLikeNtp(b, off, n), looksLikeSnmp(b, off, n), looksLikeSsdp(b, off, n),
    looksLikeStun(b, off, n), looksLikeSyslog(b, off, n), wireguardKind(b, off, n), looksLikeIke(b, off, n, false), looksLikeIke(b, off, n, true),
    looksLikeRadius(b, off, n), looksLikeSip(b, off, n), looksLikeKerberosDatagram(b, off, n), looksLikeNetbiosDatagram(b, off, n), tcpAppLabel(445, 88, b, off, n),
    tcpAppLabel(40000, 389, b, off, n), looksLikeLdapMessage(b, off, n, true), isOpenvpnClientReset(b, off, n),
    isOpenvpnServerReset(b, off, n, 0xa1b2c3d4, 0xe5f60718), isRdpConnectionRequest(b, off, n), rtpKind(b, off, n),
    ftpAnnouncement(b, off, n, true), ftpAnnouncement(b, off, n, false), sdpMedia(b, off, n)];
}

function allParsers(b: Uint8Array): void {
  for (const off of [0, 1, 2]) {
    if (off > b.length) continue;
    const n = b.length - off;
    parseDnsMessage(b, off, n);
    if (n > 0) readName(b, off, n, off);
    parseClientHello(b, off, n);
    parseHttpRequestHead(b, off, n);
    parseSshBanner(b, off, n);
    new TlsClientHelloReader().update(b, off, n);
    new QuicInitialReader().pushDatagram(b, off, n);
    for (let k = 1; k <= 12; k++) scanPreamble(k, b, off, n);
    scanNbnsMessage(b, off, n, []);
    udpApps(b, off, n);
  }
}

test('no parser throws on random or mutated bytes', () => {
  fc.assert(fc.property(bytes, (b) => { allParsers(b); }), { numRuns: 1500 });
});

test('parsers read only their own bytes: the same input embedded between junk parses identically', () => {
  fc.assert(fc.property(bytes, fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (b, pre, post) => {
    const big = concat(pre, b, post);
    const o = pre.length;
    assert.deepEqual(parseDnsMessage(big, o, b.length), parseDnsMessage(b, 0, b.length));
    assert.deepEqual(parseClientHello(big, o, b.length), parseClientHello(b, 0, b.length));
    assert.deepEqual(parseHttpRequestHead(big, o, b.length), parseHttpRequestHead(b, 0, b.length));
    assert.deepEqual(parseSshBanner(big, o, b.length), parseSshBanner(b, 0, b.length));
    const q1 = new QuicInitialReader(), q2 = new QuicInitialReader();
    assert.equal(q1.pushDatagram(big, o, b.length), q2.pushDatagram(b, 0, b.length));
    assert.deepEqual(q1.info, q2.info);
    for (let k = 1; k <= 12; k++) assert.deepEqual({ ...scanPreamble(k, big, o, b.length) }, { ...scanPreamble(k, b, 0, b.length) }, `preamble kind ${k}`);
    const n1: string[] = [], n2: string[] = [];
    assert.equal(scanNbnsMessage(big, o, b.length, n1), scanNbnsMessage(b, 0, b.length, n2));
    assert.deepEqual(n1, n2);
    assert.deepEqual(udpApps(big, o, b.length), udpApps(b, 0, b.length));
  }), { numRuns: 1500 });
});

test('the dispatcher survives random packet sequences in both directions over TCP and UDP', () => {
  const packet = fc.record({ fromInitiator: fc.boolean(), seq: fc.nat(), data: bytes });
  fc.assert(fc.property(fc.constantFrom(6, 17), fc.constantFrom(53, 443, 22, 80, 9999, 25, 143, 389, 137, 1080, 5353, 1194, 3389, 3478, 21, 5060), fc.array(packet, { maxLength: 12 }), (proto, port, pkts) => {
    const dpi = createFlowDpi(createNameCache());
    let base = 1000;
    for (const p of pkts) {
      // Mostly in-order sequence numbers with occasional jumps, so reassembly paths are exercised.
      const seq = p.seq % 7 === 0 ? p.seq : base;
      base += p.data.length;
      dpi.inspect({ proto: proto as 6 | 17, fromInitiator: p.fromInitiator, srcPort: 40000, dstPort: port, seq, ts: 0 }, p.data, 0, p.data.length);
    }
    const f = dpi.facts;
    assert.ok(f.dnsQueries.length <= 32 && f.dnsAnswers.length <= 64 && f.alpn.length <= 16);
  }), { numRuns: 600 });
  assert.equal(dpiInternalErrors(), 0);
});

test('stream reassembly stays within its bound for arbitrary segments', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: -5000, max: 40000 }), fc.uint8Array({ maxLength: 3000 })), { maxLength: 30 }), (segs) => {
    const s = new StreamPrefix(16384);
    for (const [rel, d] of segs) s.push((1_000_000 + rel) >>> 0, d, 0, d.length);
    assert.ok(s.contiguous <= 16384 && s.data.length <= 16384);
  }), { numRuns: 400 });
});
