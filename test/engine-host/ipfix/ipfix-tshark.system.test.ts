/**
 * An independent check of the encoder: tshark's IPFIX dissector (cflow) reads messages the exporter wrote for a
 * generated capture, wrapped in a pcap of UDP datagrams, and finds the same records, sequence numbers and no
 * malformed packet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEngine } from '../../../src/engine/index.ts';
import { FlowExporter } from '../../../src/engine-host/ipfix/flow-exporter.ts';
import type { IpfixTransport, TransportStats } from '../../../src/engine-host/ipfix/transport.ts';
import { TCP, eth, ipv4, ipv6, pcap, tcp, udp, type Rec } from '../../engine/capture-fixtures.ts';
import { inTempDir } from '../../support/temp-dir.ts';

const TSHARK = '/usr/bin/tshark';
const skip = existsSync(TSHARK) ? false : 'needs tshark';

test('tshark decodes the exported records: fields, sequence numbers, no malformed message', { skip }, async () => {
  const recs: Rec[] = [];
  for (let i = 0; i < 60; i++) {
    const t = 1_700_000_000 + i;
    const a = `10.1.${i >> 8}.${i & 255}`;
    recs.push(
      { ts: t, data: eth(0x0800, ipv4(a, '10.9.9.9', 6, tcp(30000 + i, 443, TCP.SYN))) },
      { ts: t + 0.1, data: eth(0x0800, ipv4('10.9.9.9', a, 6, tcp(443, 30000 + i, TCP.SYN | TCP.ACK, Array(i).fill(1)))) },
      { ts: t + 0.2, data: eth(0x86dd, ipv6('2001:db8::1', `2001:db8::${(i + 2).toString(16)}`, 17, udp(9000, 53, Array(i).fill(2)))) },
    );
  }
  const msgs: Uint8Array[] = [];
  const stats: TransportStats = { messagesSent: 0, bytesSent: 0, sendErrors: 0, dropped: 0, queuedBytes: 0 };
  const transport: IpfixTransport = { kind: 'udp', stats, lastError: null, busy: false, room: async () => {}, send: (m) => void msgs.push(m), sessionStart: () => {}, close: async () => {} };
  const engine = createEngine({ detail: false });
  const x = new FlowExporter({ engine, transport, linkHeaderBytes: 14, observationDomainId: 77, now: () => 1_800_000_000_000 });
  engine.push(pcap(recs));
  engine.end();
  await x.finish();
  assert.ok(msgs.length > 3, 'several messages');
  await inTempDir('sp-ipfix-tshark-', async (dir) => {
    const file = path.join(dir, 'ipfix.pcap');
    writeFileSync(file, pcap(msgs.map((m, i) => ({ ts: 1_800_000_000 + i, data: eth(0x0800, ipv4('127.0.0.1', '127.0.0.2', 17, udp(50000, 4739, [...m]))) }))));
    const run = (args: string[]) => {
      const r = spawnSync(TSHARK, ['-n', '-r', file, '-d', 'udp.port==4739,cflow', ...args], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim().split('\n').filter((l) => l.length > 0);
    };
    assert.deepEqual(run(['-Y', '_ws.malformed || _ws.expert.severity >= warning']), []);
    const headers = run(['-T', 'fields', '-e', 'cflow.version', '-e', 'cflow.od_id', '-e', 'cflow.sequence', '-e', 'cflow.len']).map((l) => l.split('\t'));
    let seq = 0;
    const counts: number[] = [];
    const fields = run(['-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'cflow.packets']).map((l) => l.split('|').filter((v) => v !== '').length);
    headers.forEach((h, i) => {
      assert.deepEqual(h.slice(0, 3), ['10', '77', String(seq)]);
      assert.equal(Number(h[3]), msgs[i].length);
      seq += fields[i];
      counts.push(fields[i]);
    });
    assert.equal(seq, 180, `records per message: ${counts.join(',')}`);
    const rows = run(['-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|',
      '-e', 'cflow.srcaddr', '-e', 'cflow.srcaddrv6', '-e', 'cflow.srcport', '-e', 'cflow.dstport', '-e', 'cflow.protocol', '-e', 'cflow.octets', '-e', 'cflow.packets', '-e', 'cflow.flow_end_reason']);
    const col = (k: number) => rows.flatMap((r) => r.split('\t')[k].split('|').filter((v) => v !== ''));
    const v4src = col(0);
    const v6src = col(1);
    assert.equal(v4src.length, 120);
    assert.equal(v6src.length, 60);
    assert.ok(v6src.every((a) => a === '2001:db8::1'));
    const ports = col(2).map(Number);
    const octets = col(5).map(Number);
    const packets = col(6).map(Number);
    assert.ok(packets.every((p) => p === 1));
    // IP-layer octets: the TCP SYN is 40, the SYN-ACK 40 + i, the UDP/IPv6 datagram 48 + i.
    for (let i = 0; i < 180; i++) {
      if (ports[i] >= 30000 && ports[i] < 30060) assert.equal(octets[i], 40);
      else if (ports[i] === 443) assert.ok(octets[i] >= 40 && octets[i] < 100);
      else assert.equal(ports[i], 9000);
    }
    assert.equal(octets.reduce((a, b) => a + b, 0), 60 * 40 + 60 * 40 + 1770 + 60 * 48 + 1770);
    assert.ok(col(7).every((r) => r === '4'), 'forced end at the end of the file');
  });
});
