import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { PacketInfo, decodePacket } from '../../src/engine/packet-decoder.ts';
import { MAX_TUNNEL_DEPTH } from '../../src/engine/tunnels.ts';
import { CORPUS_DIR } from './cli-bundle.ts';
import { chunking, feed, mutatedCapture } from './capture-mutation.ts';
import { eth, ipv4, pcap } from './capture-fixtures.ts';
import { OUT_A, OUT_B, capwap, geneve, gre, gtpu, innerTcp, innerUdp6, mpls, overIp, overUdp, pppoe, vxlan } from './tunnel-fixtures.ts';

const LINK_TYPES = [1, 9, 50, 51, 104, 105, 127, 192, 204, 205, 239];

/** Tunnels stay within their depth bound and too-deep packets are counted among the undecoded. */
function checkTunnels(e: Engine): void {
  for (const f of e.flows()) {
    const r = e.toRow(f);
    if (r.tunnel) assert.ok(r.tunnel.kinds.length >= 1 && r.tunnel.kinds.length <= MAX_TUNNEL_DEPTH);
  }
  const s = e.summary();
  assert.ok(s.tunnel_too_deep <= s.undecoded);
}

const tunnelled = [
  eth(0x8864, pppoe([0, 0x21, ...innerTcp]), [[0x8100, 2]]),
  eth(0x8847, mpls([16, 17], innerTcp)),
  overIp(47, gre(0x0800, innerTcp, 0xb000, Array(12).fill(0))),
  overIp(47, gre(0x88be, [0x10, 0, 0, 1, 0, 0, 0, 0, ...eth(0x0800, innerTcp)], 0x1000, Array(4).fill(0))),
  overIp(47, gre(0x22eb, [0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, ...Array(8).fill(0), ...eth(0x0800, innerTcp)], 0x1000, Array(4).fill(0))),
  overIp(41, innerUdp6),
  overUdp(4789, vxlan(eth(0x0800, innerTcp))),
  overUdp(6081, geneve(0x6558, eth(0x0800, innerTcp), 1)),
  overUdp(2152, gtpu(innerTcp, true)),
  overUdp(3544, [0, 1, 1, 1, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...innerUdp6]),
  overUdp(5247, capwap(eth(0x0800, innerTcp))),
  eth(0x0800, ipv4(OUT_A, OUT_B, 4, ipv4(OUT_A, OUT_B, 4, ipv4(OUT_A, OUT_B, 47, gre(0x0800, innerTcp))))),
];
const wifi = [0x08, 0x02, 0, 0, ...Array(18).fill(1), 0, 0, 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...innerTcp];
const generated = [
  pcap(tunnelled.map((data, i) => ({ ts: i + 1, data }))),
  pcap([{ ts: 1, data: [0xff, 3, 0, 0x21, ...innerTcp] }], { linktype: 9 }),
  pcap([{ ts: 1, data: [0x0f, 0, 8, 0, ...innerTcp] }], { linktype: 104 }),
  pcap([{ ts: 1, data: [0, 0, 9, 0, 2, 0, 0, 0, 0x10, ...wifi, 1, 2, 3, 4] }], { linktype: 127 }),
  pcap([{ ts: 1, data: [0, 0, 8, 0, 105, 0, 0, 0, ...wifi] }], { linktype: 192 }),
  pcap([{ ts: 1, data: [2, 0, 0, 1, (innerTcp.length + 4) & 255, 0, 9, 0, ...innerTcp] }], { linktype: 239 }),
];
const corpusSamples = ['pppoes.pcap', 'vxlan.pcap', 'geneve.pcap', 'erspan-type-iii-pb-1.pcap', 'various_gre.pcap', 'mpls-over-udp.pcap',
  'HDLC.pcap', 'nflog.pcap', 'radiotap-heapoverflow.pcap', 'ppp_ip_udp_dns.pcap']
  .map((f) => `${CORPUS_DIR}/${f}`)
  .filter((p) => existsSync(p))
  .map((p) => new Uint8Array(readFileSync(p)));
const seeds = [...generated, ...corpusSamples];
test('tunnel and link-layer captures, mutated (byte flips, truncation, splices): only CaptureFormatError, flows bounded', () => {
  fc.assert(fc.property(mutatedCapture(seeds), chunking, (b, chunks) => { feed(b, chunks, checkTunnels); }), { numRuns: 600, seed: 17 });
});

test('the decoder never throws on mutated tunnel packets or random bytes of the new link types; offsets stay in the packet', () => {
  const p = new PacketInfo();
  const packet = fc.oneof(
    fc.tuple(fc.constant(1), fc.nat(tunnelled.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat())
      .map(([lt, i, flips, cut]) => {
        const b = tunnelled[i].slice();
        for (const [pos, v] of flips) b[pos % b.length] = v;
        return { lt, bytes: Uint8Array.from(b.slice(0, b.length - (cut % 8))) };
      }),
    fc.tuple(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 200 })).map(([lt, bytes]) => ({ lt, bytes })),
  );
  fc.assert(
    fc.property(packet, fc.nat(8), ({ lt, bytes }, slack) => {
      const buf = new Uint8Array(bytes.length + slack);
      buf.set(bytes);
      const r = decodePacket(buf, 0, bytes.length, lt, p);
      assert.ok(r >= 0 && r <= 3);
      assert.ok(p.tunnelDepth <= MAX_TUNNEL_DEPTH);
      if (r === 2 || r === 3) assert.ok(p.srcOff + (p.family === 6 ? 16 : 4) <= bytes.length);
      if (r === 2) assert.ok(p.payloadOff + p.payloadLen <= bytes.length);
      if ((r === 2 || r === 3) && p.outerFamily !== 0) assert.ok(p.outerSrcOff + (p.outerFamily === 6 ? 16 : 4) <= bytes.length);
    }),
    { numRuns: 4000, seed: 5 },
  );
});

test('tunnel seed captures read cleanly and every tunnelled packet reaches its inner flow', () => {
  const e = createEngine();
  e.push(generated[0]);
  e.end();
  const recs = [...e.flows()].map((f) => e.toRecord(f));
  assert.equal(e.summary().undecoded, 0);
  assert.ok(recs.every((r) => r.tunnel !== null && (r.dport === 443 || r.dport === 53)), JSON.stringify(recs.map((r) => [r.proto, r.dport, r.tunnel])));
});
