/**
 * A DHCP flow's client host name (option 12; DHCPv6 client FQDN) and vendor class (option 60; DHCPv6 enterprise
 * number) as `dhcp_hostname` / `dhcp_vendor_class`, the last keys of its JSON line; other lines are unchanged. The
 * generated fixture is checked against tshark's reading of the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type EngineOptions } from '../../src/engine/index.ts';
import { FlowJsonWriter } from '../../src/engine/flow-json.ts';
import type { FlowRecord } from '../../src/shared/flow.ts';
import { eth, ipv4, ipv6, tcp, udp, TCP } from './capture-fixtures.ts';
import { ascii, concat, dnsName, hex, u16be } from './dpi/builders.ts';
import { dhcp4 } from './dpi/udp-app-seeds.ts';
import { tsharkFields, tsharkSkip } from './dpi/tshark-fixture.ts';

const opt = (code: number, v: Uint8Array) => concat(new Uint8Array([code, v.length]), v);
const opt6 = (code: number, v: Uint8Array) => concat(u16be(code), u16be(v.length), v);

const discover = dhcp4(concat(opt(53, hex('01')), opt(12, ascii('laptop-7')), opt(60, ascii('MSFT 5.0')), opt(55, hex('010306'))));
const offer = dhcp4(concat(opt(53, hex('02')), opt(54, hex('c0a80101'))), 2);
const solicit = concat(hex('01abcdef'), opt6(1, hex('000100010102030405060708090a')), opt6(39, concat(hex('00'), dnsName('pi-node.example'))), opt6(16, concat(hex('00009f08'), u16be(3), ascii('abc'))));
/** A relay-forward (hop 0, link and peer addresses) carrying the Solicit in option 9. */
const relayed = concat(hex('0c00'), new Uint8Array(32), opt6(18, ascii('eth0')), opt6(9, solicit));

const frames: number[][] = [
  eth(0x0800, ipv4('0.0.0.0', '255.255.255.255', 17, udp(68, 67, [...discover]))),
  eth(0x0800, ipv4('192.168.1.1', '192.168.1.50', 17, udp(67, 68, [...offer]))),
  eth(0x86dd, ipv6('fe80::1', 'ff02::1:2', 17, udp(546, 547, [...solicit]))),
  eth(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 17, udp(547, 547, [...relayed]))),
  eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(40000, 80, TCP.SYN))),
];

function lines(o: EngineOptions): { records: FlowRecord[]; json: string[] } {
  const e = createEngine({ geo: null, ...o });
  frames.forEach((f, i) => {
    const b = Uint8Array.from(f);
    e.packet(b, 0, b.length, b.length, 1_700_000_000 + i, 1);
  });
  const chunks: Buffer[] = [];
  const w = new FlowJsonWriter((c) => chunks.push(c));
  const records: FlowRecord[] = [];
  for (const f of e.flows()) {
    records.push(e.toRecord(f));
    e.writeFlowJson(f, w);
  }
  w.flush();
  return { records, json: Buffer.concat(chunks).toString('utf8').trim().split('\n') };
}

for (const detail of [false, true]) {
  test(`DHCP host name and vendor class in the record and the JSON line, after every other key (detail ${detail})`, () => {
    const { records, json } = lines({ detail });
    const byPort = (p: number) => records.findIndex((r) => r.sport === p);
    const d4 = records[byPort(68)];
    assert.equal(d4.app, 'dhcp');
    assert.deepEqual([d4.dhcp_hostname, d4.dhcp_vendor_class], ['laptop-7', 'MSFT 5.0']);
    const keys = Object.keys(JSON.parse(json[byPort(68)]) as object);
    assert.deepEqual(keys.slice(-3), ['tunnel', 'dhcp_hostname', 'dhcp_vendor_class']);
    const d6 = records[byPort(546)];
    assert.deepEqual([d6.app, d6.dhcp_hostname, d6.dhcp_vendor_class], ['dhcpv6', 'pi-node.example', '40712']);
    const relay = records.find((r) => r.sport === 547 && r.dport === 547)!;
    assert.deepEqual([relay.app, relay.dhcp_hostname, relay.dhcp_vendor_class], ['dhcpv6', 'pi-node.example', '40712'], 'the relayed message\'s fields');
    // The offer names no client; the TCP flow is no DHCP flow: neither has the keys.
    for (const r of records.filter((x) => x.sport === 67 || x.proto === 'tcp')) {
      assert.ok(!('dhcp_hostname' in r) && !('dhcp_vendor_class' in r), JSON.stringify(r));
    }
    // The fast writer and JSON.stringify agree on every line.
    assert.deepEqual(json, records.map((r) => JSON.stringify(r)));
  });
}

test('the fixture as tshark reads it: the same host names and vendor classes', { skip: tsharkSkip }, () => {
  const rows = tsharkFields(frames, ['dhcp.option.hostname', 'dhcp.option.vendor_class_id', 'dhcpv6.client_domain', 'dhcpv6.vendorclass.enterprise']);
  assert.deepEqual(rows[0].slice(0, 2), ['laptop-7', 'MSFT 5.0']);
  assert.deepEqual(rows[1].slice(0, 2), ['', '']);
  // tshark writes a fully qualified name with its root dot; the flow's name has none, as DNS names in flows.
  assert.deepEqual(rows[2].slice(2, 4), ['pi-node.example.', '40712']);
  assert.deepEqual(rows[3].slice(2, 4), ['pi-node.example.', '40712']);
});
