import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { createEngine } from '../../src/engine/index.ts';
import { PacketInfo, decodePacket } from '../../src/engine/packet-decoder.ts';
import { CORPUS_DIR } from './cli-bundle.ts';
import { chunking, feed, mutatedCapture } from './capture-mutation.ts';
import { eth, ipv4, ipv6, pcap, pcapng, sll2, tcp, udp, TCP } from './capture-fixtures.ts';

const generated = [
  pcap([
    { ts: 1, data: eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 443, TCP.SYN))) },
    { ts: 2, data: eth(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 17, udp(5, 53, [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 119, 119, 119, 0, 0, 1, 0, 1]), [{ type: 0 }, { type: 44 }]), [[0x8100, 3]]) },
    { ts: 3, data: eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(9, 9, Array(40).fill(7)), { id: 3, mf: true })) },
    { ts: 4, data: eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, Array(40).fill(7), { id: 3, fragOffset8: 6 })) },
  ]),
  pcapng([{ le: false, interfaces: [{ linktype: 276, tsresol: 9 }, { linktype: 1 }], blocks: [
    { kind: 'epb', iface: 0, ts: 5, data: sll2(0x0800, ipv4('10.0.0.3', '10.0.0.4', 6, tcp(80, 2, TCP.SYN | TCP.ACK, [1, 2]))) },
    { kind: 'spb', data: eth(0x0806, Array(28).fill(1)) },
    { kind: 'epb', iface: 1, ts: 6, data: eth(0x0800, ipv4('10.0.0.3', '10.0.0.4', 1, [8, 0, 0, 0, 0, 1, 0, 1])) },
  ] }]),
];
const corpusSamples = ['dns_tcp.pcap', 'tcp_header_heapoverflow.pcap', 'OSPFv2_Capture_FINAL.pcapng', 'ipv6-routing-header.pcap', 'pppoe.pcap', 'isis-seqnum.pcap']
  .map((f) => `${CORPUS_DIR}/${f}`)
  .filter((p) => existsSync(p))
  .map((p) => new Uint8Array(readFileSync(p)));
const seeds = [...generated, ...corpusSamples];

test('random bytes, with or without a capture magic: only CaptureFormatError', () => {
  const magics = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d], [0x0a, 0x0d, 0x0d, 0x0a], []];
  fc.assert(
    fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 2000 }), chunking, (magic, body, chunks) => {
      const bytes = Uint8Array.from([...magic, ...body]);
      feed(bytes, chunks);
    }),
    { numRuns: 400, seed: 7 },
  );
});

test('mutated real and generated captures (byte flips, truncation, splices): only CaptureFormatError, flows bounded', () => {
  fc.assert(fc.property(mutatedCapture(seeds), chunking, (b, chunks) => { feed(b, chunks); }), { numRuns: 600, seed: 11 });
});

test('the decoder never throws on random packet bytes for any supported link type', () => {
  const p = new PacketInfo();
  fc.assert(
    fc.property(fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 229, 276), fc.uint8Array({ maxLength: 200 }), fc.nat(8), (lt, bytes, slack) => {
      const buf = new Uint8Array(bytes.length + slack);
      buf.set(bytes);
      const r = decodePacket(buf, 0, bytes.length, lt, p);
      assert.ok(r >= 0 && r <= 3);
      if (r === 2 || r === 3) assert.ok(p.srcOff + (p.family === 6 ? 16 : 4) <= bytes.length);
      if (r === 2) assert.ok(p.payloadOff + p.payloadLen <= bytes.length);
    }),
    { numRuns: 3000, seed: 3 },
  );
});

test('seed captures themselves read cleanly (the mutations start from valid input)', () => {
  for (const s of generated) assert.equal(feed(s, []), null);
});

test('conservation: every packet counts to exactly one flow, ARP or undecoded, whatever the sequence and the cap', () => {
  const hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const hosts6 = ['2001:db8::1', '2001:db8::2'];
  const pkt = fc.record({
    kind: fc.constantFrom('tcp', 'udp', 'icmp', 'tcp6', 'arp', 'junk', 'frag1', 'frag2'),
    a: fc.nat(2),
    b: fc.nat(2),
    sp: fc.constantFrom(1, 2, 80),
    dp: fc.constantFrom(1, 2, 80),
    flags: fc.constantFrom(TCP.SYN, TCP.SYN | TCP.ACK, TCP.ACK, TCP.FIN | TCP.ACK, TCP.RST, TCP.PSH | TCP.ACK),
    dt: fc.constantFrom(0, 0.001, 0.5, 11, 130),
    wire: fc.integer({ min: 60, max: 1514 }),
  });
  fc.assert(
    fc.property(fc.array(pkt, { maxLength: 120 }), fc.integer({ min: 1, max: 6 }), (pkts, maxFlows) => {
      const e = createEngine({ maxFlows });
      let evictedPkts = 0;
      let evictedBytes = 0;
      e.onFlowEvicted((f) => {
        const r = e.toRecord(f);
        evictedPkts += r.packets_fwd + r.packets_rev;
        evictedBytes += r.bytes_fwd + r.bytes_rev;
      });
      let ts = 1000;
      let total = 0;
      for (const p of pkts) {
        ts += p.dt;
        const [a, b] = [hosts[p.a], hosts[p.b]];
        let data: number[];
        if (p.kind === 'tcp') data = eth(0x0800, ipv4(a, b, 6, tcp(p.sp, p.dp, p.flags)));
        else if (p.kind === 'udp') data = eth(0x0800, ipv4(a, b, 17, udp(p.sp, p.dp, [1, 2])));
        else if (p.kind === 'icmp') data = eth(0x0800, ipv4(a, b, 1, [8, 0, 0, 0, 0, p.sp, 0, 1]));
        else if (p.kind === 'tcp6') data = eth(0x86dd, ipv6(hosts6[p.a % 2], hosts6[p.b % 2], 6, tcp(p.sp, p.dp, p.flags)));
        else if (p.kind === 'arp') data = eth(0x0806, Array(28).fill(0));
        else if (p.kind === 'frag1') data = eth(0x0800, ipv4(a, b, 17, udp(p.sp, p.dp, Array(16).fill(0)), { id: p.sp, mf: true }));
        else if (p.kind === 'frag2') data = eth(0x0800, ipv4(a, b, 17, Array(16).fill(0), { id: p.sp, fragOffset8: 3 }));
        else data = [1, 2, 3];
        const buf = Uint8Array.from(data);
        e.packet(buf, 0, buf.length, Math.max(p.wire, buf.length), ts, 1);
        total += Math.max(p.wire, buf.length);
        assert.ok(e.stats.liveFlows <= maxFlows);
      }
      let livePkts = 0;
      let liveBytes = 0;
      for (const f of e.flows()) {
        const r = e.toRecord(f);
        livePkts += r.packets_fwd + r.packets_rev;
        liveBytes += r.bytes_fwd + r.bytes_rev;
        assert.ok(r.first_seen <= r.last_seen);
      }
      const s = e.summary();
      assert.equal(s.packets, pkts.length);
      assert.equal(livePkts + evictedPkts + s.arp + s.undecoded, s.packets);
      assert.equal(s.bytes, total);
      assert.ok(liveBytes + evictedBytes <= total);
    }),
    { numRuns: 500, seed: 13 },
  );
});
