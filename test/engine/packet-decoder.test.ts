import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DECODED_ARP, DECODED_FRAGMENT, DECODED_IP, DECODED_UNDECODED, PacketInfo, decodePacket, ICMP_KIND_ECHO, ICMP_KIND_OTHER,
} from '../../src/engine/packet-decoder.ts';
import { eth, icmpEcho, ipv4, ipv6, sll, sll2, tcp, udp, TCP } from './capture-fixtures.ts';

function decode(bytes: number[], linktype: number, pad = 0) {
  // Place the packet at an offset inside a larger buffer, as readers do.
  const buf = new Uint8Array(bytes.length + 7 + pad);
  buf.set(bytes, 7);
  const p = new PacketInfo();
  const r = decodePacket(buf, 7, bytes.length, linktype, p);
  return { r, p, buf };
}

const v4udp = ipv4('192.0.2.1', '198.51.100.7', 17, udp(5353, 53, [1, 2, 3, 4, 5]));

test('Ethernet, 802.1Q, QinQ (0x88a8 and 0x9100): ports and payload found', () => {
  for (const tags of [[], [[0x8100, 5]], [[0x88a8, 10], [0x8100, 20]], [[0x9100, 1], [0x8100, 2]]]) {
    const { r, p, buf } = decode(eth(0x0800, v4udp, tags), 1);
    assert.equal(r, DECODED_IP, JSON.stringify(tags));
    assert.equal(p.family, 4);
    assert.equal(p.proto, 17);
    assert.equal(p.sport, 5353);
    assert.equal(p.dport, 53);
    assert.equal(p.payloadLen, 5);
    assert.deepEqual(Array.from(buf.subarray(p.srcOff, p.srcOff + 4)), [192, 0, 2, 1]);
  }
});

test('a stack of more tags than the bound is undecoded, not a loop', () => {
  const tags = Array.from({ length: 12 }, () => [0x8100, 1]);
  assert.equal(decode(eth(0x0800, v4udp, tags), 1).r, DECODED_UNDECODED);
});

test('Linux cooked SLL and SLL2, raw IP (101, 12, 14, 228, 229), null and loop', () => {
  const v6 = ipv6('2001:db8::1', '2001:db8::2', 6, tcp(40000, 443, TCP.SYN));
  assert.equal(decode(sll(0x0800, v4udp), 113).p.dport, 53);
  assert.equal(decode(sll2(0x86dd, v6), 276).p.dport, 443);
  for (const lt of [101, 12, 14, 228]) assert.equal(decode(v4udp, lt).r, DECODED_IP, `linktype ${lt}`);
  assert.equal(decode(v6, 229).p.family, 6);
  assert.equal(decode(v6, 101).p.family, 6);
  assert.equal(decode([2, 0, 0, 0, ...v4udp], 0).r, DECODED_IP, 'null, little-endian AF_INET');
  assert.equal(decode([0, 0, 0, 2, ...v4udp], 0).r, DECODED_IP, 'null, big-endian AF_INET');
  assert.equal(decode([30, 0, 0, 0, ...v6], 0).p.family, 6, 'null, AF_INET6 of macOS');
  assert.equal(decode([0, 0, 0, 24, ...v6], 108).p.family, 6, 'loop, AF_INET6 of NetBSD');
  assert.equal(decode([0, 0, 0, 99, ...v4udp], 108).r, DECODED_UNDECODED);
  assert.equal(decode(v4udp, 147).r, DECODED_UNDECODED, 'unknown link type');
});

test('ARP is counted as ARP; other ethertypes are undecoded', () => {
  assert.equal(decode(eth(0x0806, Array(28).fill(0)), 1).r, DECODED_ARP);
  assert.equal(decode(eth(0x88cc, Array(28).fill(0)), 1).r, DECODED_UNDECODED);
});

test('IPv6 extension headers (hop-by-hop, routing, dest options, AH, fragment) are walked to TCP', () => {
  const v6 = ipv6('2001:db8::1', '2001:db8::2', 6, tcp(1234, 80, TCP.ACK | TCP.PSH, [71, 69, 84]), [
    { type: 0 }, { type: 43 }, { type: 60 }, { type: 51 }, { type: 44 },
  ]);
  const { r, p } = decode(eth(0x86dd, v6), 1);
  assert.equal(r, DECODED_IP);
  assert.equal(p.proto, 6);
  assert.equal(p.sport, 1234);
  assert.equal(p.payloadLen, 3);
  assert.equal(p.fragFirst, true, 'offset 0 with M set is a first fragment');
});

test('IPv6 with 8 and 12 hop-by-hop/destination-options headers then UDP is decoded', () => {
  for (const n of [8, 12]) {
    const exts = Array.from({ length: n }, (_, i) => ({ type: i === 0 ? 0 : 60 }));
    const { r, p } = decode(ipv6('2001:db8::1', '2001:db8::2', 17, udp(5353, 53, [9, 8, 7]), exts), 229);
    assert.equal(r, DECODED_IP, `${n} headers`);
    assert.equal(p.proto, 17);
    assert.equal(p.dport, 53);
    assert.equal(p.payloadLen, 3);
    assert.equal(p.ipv6ExtChainTooLong, 0);
  }
});

test('an IPv6 extension chain longer than the bound is undecoded and counted', () => {
  const v6 = ipv6('2001:db8::1', '2001:db8::2', 17, udp(1, 2), Array.from({ length: 40 }, () => ({ type: 60 })));
  const { r, p } = decode(v6, 229);
  assert.equal(r, DECODED_UNDECODED);
  assert.equal(p.ipv6ExtChainTooLong, 1);
});

test('IPv4 and IPv6 fragments: the first carries ports, later ones are fragments', () => {
  const first = decode(ipv4('10.0.0.1', '10.0.0.2', 17, udp(7, 9, Array(16).fill(0)), { id: 77, mf: true }), 101);
  assert.equal(first.r, DECODED_IP);
  assert.equal(first.p.fragFirst, true);
  assert.equal(first.p.fragId, 77);
  const later = decode(ipv4('10.0.0.1', '10.0.0.2', 17, Array(16).fill(0), { id: 77, fragOffset8: 3 }), 101);
  assert.equal(later.r, DECODED_FRAGMENT);
  assert.equal(later.p.fragId, 77);
  const v6later = decode(ipv6('2001:db8::1', '2001:db8::2', 17, Array(8).fill(0), [{ type: 44, body: [0, 16, 0, 0, 0, 9] }]), 229);
  assert.equal(v6later.r, DECODED_FRAGMENT);
  assert.equal(v6later.p.fragId, 9);
});

test('ICMP echo is keyed by identifier, other ICMP by hosts', () => {
  const e = decode(ipv4('10.0.0.1', '10.0.0.2', 1, icmpEcho(true, 4242, 1)), 101);
  assert.equal(e.p.icmpKind, ICMP_KIND_ECHO);
  assert.equal(e.p.sport, 4242);
  const e6 = decode(ipv6('2001:db8::1', '2001:db8::2', 58, icmpEcho(false, 9, 1, true)), 229);
  assert.equal(e6.p.icmpKind, ICMP_KIND_ECHO);
  const unreach = decode(ipv4('10.0.0.1', '10.0.0.2', 1, [3, 3, 0, 0, 0, 0, 0, 0]), 101);
  assert.equal(unreach.p.icmpKind, ICMP_KIND_OTHER);
  assert.equal(unreach.p.sport, 0);
});

test('lengths: Ethernet padding is not payload, truncated headers are undecoded, IP length beyond the capture is clipped', () => {
  const small = eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, TCP.ACK)));
  const padded = [...small, ...Array(60 - small.length).fill(0xee)];
  assert.equal(decode(padded, 1).p.payloadLen, 0);
  const full = eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, TCP.ACK, Array(100).fill(1))));
  assert.equal(decode(full.slice(0, 14 + 20 + 20 + 10), 1).p.payloadLen, 10);
  assert.equal(decode(full.slice(0, 14 + 20 + 8), 1).r, DECODED_UNDECODED, 'TCP header cut before the flags');
  assert.equal(decode(full.slice(0, 14 + 19), 1).r, DECODED_UNDECODED);
  const badIhl = ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2));
  badIhl[0] = 0x4f; // 60-byte header in a 28-byte packet
  assert.equal(decode(badIhl, 101).r, DECODED_UNDECODED);
  // Reads stop at caplen even when the buffer holds more bytes after the packet.
  assert.equal(decode(full.slice(0, 20), 1, 200).r, DECODED_UNDECODED);
});
