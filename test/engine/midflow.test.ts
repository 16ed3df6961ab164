/**
 * TCP flows first seen without a SYN (the capture began mid-connection): the server is told by ports, the state is
 * `mid-flow` until a FIN or RST moves it on, and DPI still reads what the packets carry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/index.ts';
import { FlowJsonWriter } from '../../src/engine/flow-json.ts';
import { isServicePort, serverByPorts, SERVER_A, SERVER_B, SERVER_UNKNOWN } from '../../src/engine/service-ports.ts';
import type { FlowRecord } from '../../src/shared/flow.ts';
import { ipv4, ipv6, tcp, TCP, tlsClientHello } from './capture-fixtures.ts';

const C = '10.2.0.1';
const S = '10.2.0.2';
const ascii = (s: string) => [...new TextEncoder().encode(s)];

function harness() {
  const e = createEngine({ geo: null });
  const send = (bytes: number[], ts: number) => {
    const buf = Uint8Array.from(bytes);
    e.packet(buf, 0, buf.length, buf.length, ts, 101);
  };
  const flows = () => [...e.flows()].map((f) => e.toRecord(f)).sort((a, b) => a.id - b.id);
  return { e, send, flows };
}

const t4 = (src: string, dst: string, sp: number, dp: number, flags: number, payload: number[] = [], seq = 1000) => ipv4(src, dst, 6, tcp(sp, dp, flags, payload, seq));
const ends = (f: FlowRecord) => [f.src, f.sport, f.dst, f.dport];

test('no SYN, server speaks first: the service port is the responder, state mid-flow, counts by direction', () => {
  const { send, flows } = harness();
  send(t4(S, C, 80, 51000, TCP.ACK | TCP.PSH, [1, 2, 3]), 1);
  send(t4(C, S, 51000, 80, TCP.ACK), 1.1);
  send(t4(S, C, 80, 51000, TCP.ACK | TCP.PSH, [4, 5]), 1.2);
  const [f] = flows();
  assert.deepEqual(ends(f), [C, 51000, S, 80]);
  assert.equal(f.state, 'mid-flow');
  assert.deepEqual([f.packets_fwd, f.bytes_fwd, f.packets_rev, f.bytes_rev], [1, 40, 2, 43 + 42]);
});

test('no SYN, client speaks first: the same flow, the same way round', () => {
  const { send, flows } = harness();
  send(t4(C, S, 51000, 80, TCP.ACK), 1);
  send(t4(S, C, 80, 51000, TCP.ACK | TCP.PSH, [1, 2, 3]), 1.1);
  const [f] = flows();
  assert.deepEqual(ends(f), [C, 51000, S, 80]);
  assert.equal(f.state, 'mid-flow');
  assert.deepEqual([f.packets_fwd, f.packets_rev], [1, 1]);
});

test('the port rule: a registered port above 1023, the lower of two service ports, a tie left to the first sender; IPv6 too', () => {
  const { send, flows } = harness();
  send(t4(S, C, 3306, 40001, TCP.ACK), 1); // MySQL
  send(t4(S, C, 22, 1022, TCP.ACK), 2); // both below 1024 (an rsh-style client port): the lower one serves
  send(t4(C, S, 1022, 22, TCP.ACK), 2.5);
  send(t4(S, C, 40002, 50002, TCP.ACK), 3); // two ephemeral ports: no telling, the first sender initiates
  send(t4(S, C, 7000, 7000, TCP.ACK), 4); // equal ports
  send(ipv6('2001:db8::2', '2001:db8::1', 6, tcp(443, 60000, TCP.ACK)), 5);
  const got = flows().map(ends);
  assert.deepEqual(got, [
    [C, 40001, S, 3306],
    [C, 1022, S, 22],
    [S, 40002, C, 50002],
    [S, 7000, C, 7000],
    ['2001:db8::1', 60000, '2001:db8::2', 443],
  ]);
  assert.ok(flows().every((f) => f.state === 'mid-flow'));
});

test('serverByPorts and isServicePort', () => {
  assert.equal(serverByPorts(80, 50000), SERVER_A);
  assert.equal(serverByPorts(50000, 443), SERVER_B);
  assert.equal(serverByPorts(5432, 40000), SERVER_A);
  assert.equal(serverByPorts(22, 1022), SERVER_A);
  assert.equal(serverByPorts(8080, 3306), SERVER_B);
  assert.equal(serverByPorts(40000, 50000), SERVER_UNKNOWN);
  assert.equal(serverByPorts(443, 443), SERVER_UNKNOWN);
  assert.ok(isServicePort(1023) && !isServicePort(1024) && isServicePort(27017) && !isServicePort(49152));
});

test('FIN and RST move a mid-flow flow on as usual; a SYN on a finished mid-flow 5-tuple starts a new flow', () => {
  const { send, flows } = harness();
  send(t4(S, C, 443, 52000, TCP.ACK), 1);
  send(t4(C, S, 52000, 443, TCP.ACK | TCP.FIN), 2);
  assert.equal(flows()[0].state, 'closing');
  send(t4(S, C, 443, 52000, TCP.ACK | TCP.FIN), 3);
  assert.equal(flows()[0].state, 'closed');
  send(t4(C, S, 52001, 443, TCP.ACK), 4);
  send(t4(S, C, 443, 52001, TCP.RST), 5);
  assert.equal(flows()[1].state, 'reset');
  send(t4(C, S, 52000, 443, TCP.SYN), 6);
  const f = flows();
  assert.equal(f.length, 3);
  assert.deepEqual([ends(f[2]), f[2].state], [[C, 52000, S, 443], 'syn_sent']);
  // A handshake seen (even from its SYN-ACK) is not mid-flow.
  send(t4(S, C, 443, 52002, TCP.SYN | TCP.ACK), 7);
  assert.equal(flows()[3].state, 'syn_sent');
});

test('DPI on a mid-flow connection: an HTTP request gets its Host though the server was seen first', () => {
  const { send, flows } = harness();
  send(t4(S, C, 8080, 53000, TCP.ACK | TCP.PSH, ascii('tail of an earlier response body'), 9000), 1);
  send(t4(C, S, 53000, 8080, TCP.ACK | TCP.PSH, ascii('GET /next HTTP/1.1\r\nHost: app.example.test\r\n\r\n'), 5000), 1.1);
  const [f] = flows();
  assert.deepEqual(ends(f), [C, 53000, S, 8080]);
  assert.deepEqual([f.state, f.app, f.host], ['mid-flow', 'http', 'app.example.test']);
});

test('DPI on a mid-flow connection: a ClientHello from the client gives the SNI; a ServerHello alone labels tls, no name', () => {
  const { send, flows } = harness();
  send(t4(C, S, 54000, 443, TCP.ACK | TCP.PSH, tlsClientHello('mid.example.test')), 1);
  const serverHello = [0x16, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3, ...Array(32).fill(1), 0, 0x13, 1, 0];
  send(t4(S, C, 443, 54001, TCP.ACK | TCP.PSH, serverHello), 2);
  send(t4(C, S, 54001, 443, TCP.ACK), 2.1);
  const [a, b] = flows();
  assert.deepEqual([a.state, a.app, a.host], ['mid-flow', 'tls', 'mid.example.test']);
  assert.deepEqual(ends(b), [C, 54001, S, 443]);
  assert.equal(b.state, 'mid-flow');
  assert.equal(b.host, null);
});

test('read --json writes the state as mid-flow', () => {
  const { e, send } = harness();
  send(t4(S, C, 993, 55000, TCP.ACK), 1);
  const chunks: Buffer[] = [];
  const w = new FlowJsonWriter((c) => chunks.push(c));
  for (const f of e.flows()) e.writeFlowJson(f, w);
  w.flush();
  const line = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FlowRecord;
  assert.deepEqual([line.src, line.sport, line.dport, line.state], [C, 55000, 993, 'mid-flow']);
});
