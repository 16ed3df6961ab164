import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECODED_IP, DECODED_UNDECODED, PacketInfo, decodePacket } from '../../src/engine/packet-decoder.ts';
import { createEngine } from '../../src/engine/index.ts';
import { ipv4, ipv6, pcap, tcp, udp, TCP } from './capture-fixtures.ts';

const v4 = ipv4('10.1.0.1', '10.1.0.2', 6, tcp(40000, 80, TCP.SYN));
const v6 = ipv6('2001:db8::1', '2001:db8::2', 17, udp(5000, 53, [1, 2]));
const le16 = (v: number) => [v & 255, (v >> 8) & 255];
const le32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];
const snap = (type: number, ip: number[]) => [0xaa, 0xaa, 0x03, 0, 0, 0, type >> 8, type & 255, ...ip];
const macs = Array(18).fill(1);
/** 802.11 data frame (FromDS), QoS data when `qos`. */
const wifi = (ip: number[], o: { qos?: boolean; protectedFrame?: boolean; fourAddr?: boolean; type?: number } = {}) => [
  o.type ?? (o.qos ? 0x88 : 0x08), (o.fourAddr ? 3 : 2) | (o.protectedFrame ? 0x40 : 0), 0, 0, ...macs, 0, 0,
  ...(o.fourAddr ? Array(6).fill(2) : []), ...(o.qos ? [0, 0] : []), ...snap(ip[0] >> 4 === 6 ? 0x86dd : 0x0800, ip),
];

function decode(bytes: number[], linktype: number) {
  const buf = new Uint8Array(bytes.length + 3);
  buf.set(bytes, 3);
  const p = new PacketInfo();
  return { r: decodePacket(buf, 3, bytes.length, linktype, p), p };
}

test('PPP (9), PPP in HDLC framing (50), PPP with direction (204), PPPoE without Ethernet (51), Cisco HDLC (104, 205)', () => {
  for (const [name, bytes, lt] of [
    ['PPP with address/control', [0xff, 0x03, 0, 0x21, ...v4], 9],
    ['PPP without address/control', [0, 0x21, ...v4], 9],
    ['PPP, compressed protocol field', [0x21, ...v4], 9],
    ['PPP, IPv6', [0xff, 0x03, 0, 0x57, ...v6], 9],
    ['PPP_HDLC', [0xff, 0x03, 0, 0x21, ...v4], 50],
    ['PPP with direction', [1, 0xff, 0x03, 0, 0x21, ...v4], 204],
    ['PPP_ETHER', [0x11, 0, 0, 1, 0, v4.length + 2, 0, 0x21, ...v4], 51],
    ['Cisco HDLC', [0x0f, 0, 0x08, 0x00, ...v4], 104],
    ['Cisco HDLC, IPv6', [0x0f, 0, 0x86, 0xdd, ...v6], 104],
    ['Cisco HDLC with direction', [0, 0x0f, 0, 0x08, 0x00, ...v4], 205],
  ] as const) {
    const { r, p } = decode([...bytes], lt);
    assert.equal(r, DECODED_IP, name);
    assert.ok(p.dport === 80 || p.dport === 53, name);
  }
  assert.equal(decode([0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4], 9).r, DECODED_UNDECODED, 'LCP is not a flow');
});

test('802.11 data frames with LLC/SNAP, bare (105), under radiotap (127) and PPI (192); other frames undecoded', () => {
  for (const [name, frame] of [
    ['data', wifi(v4)],
    ['QoS data', wifi(v4, { qos: true })],
    ['four addresses', wifi(v6, { fourAddr: true })],
  ] as const) {
    assert.equal(decode(frame, 105).r, DECODED_IP, name);
    // Radiotap: present = Flags only; flags 0x10 says a 4-byte FCS ends the frame.
    const rt = [0, 0, ...le16(9), ...le32(2), 0x10];
    const d = decode([...rt, ...frame, 0xde, 0xad, 0xbe, 0xef], 127);
    assert.equal(d.r, DECODED_IP, `radiotap, ${name}`);
    // With TSFT (8 bytes aligned to 8) before Flags, and an extended presence word.
    const rt2 = [0, 0, ...le16(28), ...le32(0x80000003), ...le32(0), 0, 0, 0, 0, ...le32(0x11111111), ...le32(0x22222222), 0x00, 0, 0, 0];
    assert.equal(decode([...rt2, ...frame], 127).r, DECODED_IP, `radiotap with TSFT, ${name}`);
    const ppi = [0, 0, ...le16(8), ...le32(105)];
    assert.equal(decode([...ppi, ...frame], 192).r, DECODED_IP, `PPI, ${name}`);
  }
  assert.equal(decode(wifi(v4, { protectedFrame: true }), 105).r, DECODED_UNDECODED, 'encrypted');
  assert.equal(decode(wifi(v4, { type: 0x80 }), 105).r, DECODED_UNDECODED, 'beacon (management)');
  assert.equal(decode(wifi(v4, { type: 0x48 }), 105).r, DECODED_UNDECODED, 'null function');
});

test('NFLOG (239): the payload TLV is the IP packet', () => {
  const tlv = (type: number, body: number[]) => {
    const len = 4 + body.length;
    return [...le16(len), ...le16(type), ...body, ...Array((4 - (len % 4)) % 4).fill(0)];
  };
  const pkt = (family: number, ip: number[]) => [family, 0, 0, 1, ...tlv(1, [8, 0, 1, 0]), ...tlv(10, [0, 0, 0, 0, 1]), ...tlv(9, ip)];
  assert.equal(decode(pkt(2, v4), 239).p.dport, 80);
  assert.equal(decode(pkt(10, v6), 239).p.dport, 53);
  assert.equal(decode([2, 0, 0, 1, ...tlv(1, [8, 0, 1, 0])], 239).r, DECODED_UNDECODED, 'no payload TLV');
  assert.equal(decode([2, 0, 0, 1, 200, 0, 9, 0, ...v4], 239).r, DECODED_UNDECODED, 'TLV longer than the packet');
});

test('read summary: packets of link types not decoded are counted by link type name, else number', () => {
  const e = createEngine({ detail: false });
  e.push(pcap([{ ts: 1, data: [1, 2, 3, 4] }, { ts: 2, data: [5, 6, 7, 8] }], { linktype: 189 }));
  e.end();
  const s = e.summary();
  assert.deepEqual([s.undecoded, s.undecoded_link_types], [2, { USB_LINUX: 2 }]);
  const f = createEngine({ detail: false });
  f.push(pcap([{ ts: 1, data: [1, 2, 3, 4] }], { linktype: 4000 }));
  f.end();
  assert.deepEqual(f.summary().undecoded_link_types, { 4000: 1 });
  // A decoded link type's undecodable packet is undecoded, not an unknown link type.
  const g = createEngine({ detail: false });
  g.push(pcap([{ ts: 1, data: [0xff, 0x03, 0xc0, 0x21] }], { linktype: 9 }));
  g.end();
  assert.deepEqual([g.summary().undecoded, g.summary().undecoded_link_types], [1, {}]);
});

test('IP over InfiniBand (242): the 40-byte address header, then type and reserved', () => {
  const hdr = (type: number) => [...Array(40).fill(0x11), type >> 8, type & 255, 0, 0];
  assert.equal(decode([...hdr(0x0800), ...v4], 242).p.dport, 80);
  assert.equal(decode([...hdr(0x86dd), ...v6], 242).p.dport, 53);
  assert.equal(decode(hdr(0x0800).slice(0, 43), 242).r, DECODED_UNDECODED, 'shorter than its header');
});

test('Ethernet: MACsec with integrity only is read through (with or without the SCI); encrypted MACsec is not; NSH', () => {
  const ethHead = (type: number) => [...Array(12).fill(2), type >> 8, type & 255];
  const icv = Array(16).fill(0xee);
  const secTag = (tci: number) => [tci, 0, 0, 0, 0, 1, ...((tci & 0x20) !== 0 ? Array(8).fill(3) : [])];
  assert.equal(decode([...ethHead(0x88e5), ...secTag(0x20), 0x08, 0x00, ...v4, ...icv], 1).p.dport, 80);
  assert.equal(decode([...ethHead(0x88e5), ...secTag(0x00), 0x86, 0xdd, ...v6, ...icv], 1).p.dport, 53);
  assert.equal(decode([...ethHead(0x88e5), ...secTag(0x2c), 0x08, 0x00, ...v4, ...icv], 1).r, DECODED_UNDECODED, 'encrypted');
  // NSH base header (length 6 words, MD type 1), service path header, 16 bytes of context, next protocol IPv4.
  const nsh = [0x00, 0x06, 0x01, 0x01, 0, 0, 1, 255, ...Array(16).fill(0)];
  assert.equal(decode([...ethHead(0x894f), ...nsh, ...v4], 1).p.dport, 80);
});

test('Apple PKTAP (258): its header names the link type inside; only packet records, never PKTAP in PKTAP', () => {
  const hdr = (dlt: number, next = 1) => [...le32(108), ...le32(next), ...le32(dlt), ...Array(96).fill(0)];
  const ethIp = [...Array(12).fill(2), 0x08, 0x00, ...v4];
  assert.equal(decode([...hdr(1), ...ethIp], 258).p.dport, 80);
  assert.equal(decode([...hdr(12), ...v6], 258).p.dport, 53);
  assert.equal(decode([...hdr(1, 2), ...ethIp], 258).r, DECODED_UNDECODED, 'not a packet record');
  assert.equal(decode([...hdr(258), ...hdr(1), ...ethIp], 258).r, DECODED_UNDECODED);
  assert.equal(decode(hdr(1).slice(0, 100), 258).r, DECODED_UNDECODED, 'a header longer than the packet');
});
