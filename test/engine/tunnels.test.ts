import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECODED_IP, DECODED_UNDECODED, PacketInfo, decodePacket } from '../../src/engine/packet-decoder.ts';
import { MAX_TUNNEL_DEPTH, TUNNEL_KIND_NAMES } from '../../src/engine/tunnels.ts';
import { createEngine } from '../../src/engine/index.ts';
import { FlowJsonWriter } from '../../src/engine/flow-json.ts';
import { eth, ipv4, ipv6, pcap, tcp, udp, TCP } from './capture-fixtures.ts';

import { OUT_A, OUT_B, capwap, geneve, gre, gtpu, innerTcp, innerUdp6, mpls, overIp, overUdp, pppoe, vxlan } from './tunnel-fixtures.ts';

function decode(bytes: number[], linktype = 1) {
  const buf = new Uint8Array(bytes.length + 5);
  buf.set(bytes, 5);
  const p = new PacketInfo();
  const r = decodePacket(buf, 5, bytes.length, linktype, p);
  const kinds: string[] = [];
  for (let i = 0; i < p.tunnelDepth; i++) kinds.push(TUNNEL_KIND_NAMES[(p.tunnelKinds >>> (4 * i)) & 15]);
  const addr = (o: number) => Array.from(buf.subarray(o, o + 4)).join('.');
  return { r, p, kinds, src: addr(p.srcOff), outerSrc: p.outerFamily === 4 ? addr(p.outerSrcOff) : null };
}

function lineOf(write: (w: FlowJsonWriter) => void): string {
  const chunks: Buffer[] = [];
  const w = new FlowJsonWriter((b) => chunks.push(b));
  write(w);
  w.flush();
  return Buffer.concat(chunks).toString();
}

test('each encapsulation yields the innermost flow, its kinds (outermost first) and the outer endpoints', () => {
  const cases: [string, number[], string[], string | null][] = [
    ['PPPoE', eth(0x8864, pppoe([0, 0x21, ...innerTcp])), ['pppoe'], null],
    ['PPPoE under QinQ', eth(0x8864, pppoe([0, 0x21, ...innerTcp]), [[0x88a8, 1], [0x8100, 2]]), ['pppoe'], null],
    ['MPLS stack of 3', eth(0x8847, mpls([16, 17, 18], innerTcp)), ['mpls'], null],
    ['MPLS pseudowire with control word', eth(0x8847, mpls([20], [0, 0, 0, 0, ...eth(0x0800, innerTcp)])), ['mpls'], null],
    ['GRE IPv4', overIp(47, gre(0x0800, innerTcp)), ['gre'], OUT_A],
    ['GRE with checksum, key, sequence', overIp(47, gre(0x0800, innerTcp, 0xb000, Array(12).fill(0))), ['gre'], OUT_A],
    ['GRE transparent Ethernet bridging', overIp(47, gre(0x6558, eth(0x0800, innerTcp))), ['gre'], OUT_A],
    ['GRE MPLS', overIp(47, gre(0x8847, mpls([5], innerTcp))), ['gre', 'mpls'], OUT_A],
    ['PPTP (GRE v1, PPP)', overIp(47, gre(0x880b, [0xff, 3, 0, 0x21, ...innerTcp], 0x2001, Array(4).fill(0))), ['gre'], OUT_A],
    ['ERSPAN I', overIp(47, gre(0x88be, eth(0x0800, innerTcp))), ['erspan'], OUT_A],
    ['ERSPAN II', overIp(47, gre(0x88be, [0x10, 0, 0, 1, 0, 0, 0, 0, ...eth(0x0800, innerTcp)], 0x1000, Array(4).fill(0))), ['erspan'], OUT_A],
    ['ERSPAN III', overIp(47, gre(0x22eb, [0x20, 0, 0, 1, ...Array(8).fill(0), ...eth(0x0800, innerTcp)], 0x1000, Array(4).fill(0))), ['erspan'], OUT_A],
    ['ERSPAN III with platform subheader', overIp(47, gre(0x22eb, [0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, ...Array(8).fill(0), ...eth(0x0800, innerTcp)], 0x1000, Array(4).fill(0))), ['erspan'], OUT_A],
    ['4in4', overIp(4, innerTcp), ['4in4'], OUT_A],
    ['6in4', overIp(41, innerUdp6), ['6in4'], OUT_A],
    ['VXLAN', overUdp(4789, vxlan(eth(0x0800, innerTcp))), ['vxlan'], OUT_A],
    ['Geneve, Ethernet, with options', overUdp(6081, geneve(0x6558, eth(0x0800, innerTcp), 2)), ['geneve'], OUT_A],
    ['Geneve, IPv4', overUdp(6081, geneve(0x0800, innerTcp)), ['geneve'], OUT_A],
    ['GTP-U', overUdp(2152, gtpu(innerTcp)), ['gtpu'], OUT_A],
    ['GTP-U with an extension header', overUdp(2152, gtpu(innerTcp, true)), ['gtpu'], OUT_A],
    ['Teredo', overUdp(3544, innerUdp6), ['teredo'], OUT_A],
    ['Teredo with origin indication', overUdp(3544, [0, 0, ...Array(6).fill(0), ...innerUdp6]), ['teredo'], OUT_A],
    ['VXLAN-GPE, Ethernet', overUdp(4790, [0x0c, 0, 0, 3, 0, 0, 1, 0, ...eth(0x0800, innerTcp)]), ['vxlan-gpe'], OUT_A],
    ['VXLAN-GPE, NSH, IPv4', overUdp(4790, [0x0c, 0, 0, 4, 0, 0, 1, 0, 0x0f, 0xc2, 0x01, 0x01, 0, 0, 1, 0xff, ...innerTcp]), ['vxlan-gpe', 'nsh'], OUT_A],
    ['GRE WCCP redirect', overIp(47, gre(0x883e, [0, 0, 0, 0, ...innerTcp])), ['gre'], OUT_A],
    ['MPLS over UDP', overUdp(6635, mpls([16, 17], innerTcp)), ['mpls'], OUT_A],
    ['CAPWAP data, 802.3', overUdp(5247, capwap(eth(0x0800, innerTcp))), ['capwap'], OUT_A],
    ['VXLAN in GRE in PPPoE', eth(0x8864, pppoe([0, 0x21, ...ipv4(OUT_A, OUT_B, 47, gre(0x0800, ipv4('198.18.1.1', '198.18.1.2', 17, udp(1, 4789, vxlan(eth(0x0800, innerTcp))))))])), ['pppoe', 'gre', 'vxlan'], OUT_A],
  ];
  for (const [name, bytes, kinds, outer] of cases) {
    const d = decode(bytes);
    assert.equal(d.r, DECODED_IP, name);
    assert.deepEqual(d.kinds, kinds, name);
    assert.equal(d.outerSrc, outer, name);
    if (d.p.family === 4) {
      assert.deepEqual([d.src, d.p.proto, d.p.sport, d.p.dport], ['10.0.0.1', 6, 40000, 443], name);
    } else {
      assert.deepEqual([d.p.proto, d.p.sport, d.p.dport, d.p.payloadLen], [17, 5000, 53, 3], name);
    }
  }
});

test('IP-in-IPv6: 4in6 and 6in6', () => {
  const d4 = decode(eth(0x86dd, ipv6('2001:db8::a', '2001:db8::b', 4, innerTcp)));
  assert.deepEqual([d4.r, d4.kinds, d4.p.outerFamily, d4.p.dport], [DECODED_IP, ['4in6'], 6, 443]);
  const d6 = decode(eth(0x86dd, ipv6('2001:db8::a', '2001:db8::b', 41, innerUdp6)));
  assert.deepEqual([d6.r, d6.kinds, d6.p.family, d6.p.dport], [DECODED_IP, ['6in6'], 6, 53]);
});

test('a payload that is not what its port or protocol says stays the outer flow, without a tunnel', () => {
  for (const [name, bytes, proto, dport] of [
    ['UDP 4789 without the VXLAN I flag', overUdp(4789, [0, 0, 0, 0, 0, 0, 0, 0, ...eth(0x0800, innerTcp)]), 17, 4789],
    ['UDP 2152, not a G-PDU', overUdp(2152, [0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0]), 17, 2152],
    ['UDP 3544, not IPv6', overUdp(3544, innerTcp), 17, 3544],
    ['GRE of an unknown protocol', overIp(47, gre(0x1234, [1, 2, 3, 4])), 47, 0],
    ['GRE with source routing', overIp(47, gre(0x0800, innerTcp, 0x4000)), 47, 0],
    ['IP-in-IP, truncated inner header', overIp(4, innerTcp.slice(0, 12)), 4, 0],
  ] as const) {
    const d = decode([...bytes]);
    assert.deepEqual([d.r, d.kinds, d.src, d.p.proto, d.p.dport, d.p.outerFamily], [DECODED_IP, [], OUT_A, proto, dport, 0], name);
  }
});

test(`nesting deeper than ${MAX_TUNNEL_DEPTH} encapsulations is undecoded and counted once per packet`, () => {
  let pkt = innerTcp;
  for (let i = 0; i < MAX_TUNNEL_DEPTH; i++) pkt = ipv4(OUT_A, OUT_B, 4, pkt);
  const ok = decode(eth(0x0800, pkt));
  assert.deepEqual([ok.r, ok.kinds.length, ok.p.tunnelTooDeep], [DECODED_IP, MAX_TUNNEL_DEPTH, 0]);
  const deep = decode(eth(0x0800, ipv4(OUT_A, OUT_B, 4, pkt)));
  assert.deepEqual([deep.r, deep.p.tunnelTooDeep], [DECODED_UNDECODED, 1]);
  // MPLS labels are one layer however many; a stack without a bottom is undecoded, not a loop.
  assert.deepEqual(decode(eth(0x8847, mpls(Array(12).fill(3), innerTcp))).kinds, ['mpls']);
  assert.equal(decode(eth(0x8847, Array(40 * 4).fill(0))).r, DECODED_UNDECODED);
});

test('engine: the innermost flow carries its tunnel in the record and in the in-place JSON line; bytes are frame lengths', () => {
  const c2s = overIp(47, gre(0x0800, innerTcp));
  const s2c = overIp(47, gre(0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, tcp(443, 40000, TCP.SYN | TCP.ACK))));
  const plain = eth(0x0800, ipv4('10.0.0.3', '10.0.0.4', 17, udp(1000, 2000, [1])));
  const e = createEngine({ detail: false });
  e.push(pcap([{ ts: 1, data: c2s }, { ts: 2, data: s2c }, { ts: 3, data: plain }]));
  e.end();
  const recs = [...e.flows()].map((f) => e.toRecord(f)).sort((a, b) => a.id - b.id);
  assert.equal(recs.length, 2);
  const [t, u] = recs;
  assert.deepEqual([t.proto, t.src, t.dst, t.sport, t.dport], ['tcp', '10.0.0.1', '10.0.0.2', 40000, 443]);
  assert.deepEqual([t.packets_fwd, t.bytes_fwd, t.packets_rev, t.bytes_rev], [1, c2s.length, 1, s2c.length]);
  assert.deepEqual(t.tunnel, { kinds: ['gre'], src: OUT_A, dst: OUT_B });
  assert.equal(u.tunnel, null);
  for (const f of e.flows()) {
    const viaRecord = lineOf((w) => w.flow(e.toRecord(f)));
    assert.equal(lineOf((w) => e.writeFlowJson(f, w)), viaRecord);
    assert.equal(viaRecord, JSON.stringify(e.toRecord(f)) + '\n');
  }
  assert.match(lineOf((w) => w.flow(t)), /"tunnel":\{"kinds":\["gre"\],"src":"198\.18\.0\.1","dst":"198\.18\.0\.2"\}\}\n$/);
  assert.equal(e.summary().tunnel_too_deep, 0);
});
