// FTP: the control flow's PASV/EPSV replies and PORT/EPRT commands link the data connection that follows (app
// ftp-data, ftp_control = the control flow's id); tshark links the same connection as ftp-data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/engine/index.ts';
import { FlowJsonWriter } from '../../../src/engine/flow-json.ts';
import { FTP_ACTIVE, FTP_PASSIVE, ftpAnnouncement } from '../../../src/engine/dpi/ftp.ts';
import { TCP, eth, ipv4, pcap, tcp } from '../capture-fixtures.ts';
import { ascii } from './builders.ts';
import { tcpConversation, tsharkFields, tsharkSkip } from './tshark-fixture.ts';

const C = (s: string) => ({ fromClient: true, data: ascii(s) });
const S = (s: string) => ({ fromClient: false, data: ascii(s) });
const login = [S('220 ftp ready\r\n'), C('USER anonymous\r\n'), S('331 password\r\n'), C('PASS x\r\n'), S('230 in\r\n')];

/** The server 10.0.0.2 connecting from port 20 to the client's port (active mode). */
function activeData(port: number): number[][] {
  const f = (src: string, dst: string, sp: number, dp: number, flags: number, data: number[] = []) => eth(0x0800, ipv4(src, dst, 6, tcp(sp, dp, flags, data)));
  return [f('10.0.0.2', '10.0.0.1', 20, port, TCP.SYN), f('10.0.0.1', '10.0.0.2', port, 20, TCP.SYN | TCP.ACK), f('10.0.0.2', '10.0.0.1', 20, port, TCP.ACK | TCP.PSH, [...ascii('file body')])];
}

function flowsOf(frames: number[][]) {
  const engine = createEngine({ detail: false, retainEnded: true });
  engine.push(pcap(frames.map((data, k) => ({ ts: 1_700_000_000 + k / 1000, data }))));
  engine.end();
  return { engine, records: [...engine.flows()].map((f) => engine.toRecord(f)) };
}

test('control segments: PASV, EPSV, PORT and EPRT give the data port and its side; other lines none', () => {
  const a = (s: string, fromServer: boolean) => { const b = ascii(s); return ftpAnnouncement(b, 0, b.length, fromServer); };
  assert.equal(a('227 Entering Passive Mode (10,0,0,2,195,80).\r\n', true), 50000 + FTP_PASSIVE);
  assert.equal(a('227 =10,0,0,2,4,1\r\n', true), 1025 + FTP_PASSIVE);
  assert.equal(a('229 Entering Extended Passive Mode (|||50001|)\r\n', true), 50001 + FTP_PASSIVE);
  assert.equal(a('PORT 10,0,0,1,195,82\r\n', false), 50002 + FTP_ACTIVE);
  assert.equal(a('EPRT |2|2001:db8::1|50003|\r\n', false), 50003 + FTP_ACTIVE);
  assert.equal(a('PORT 10,0,0,1,195,82\r\n', true), 0, 'a command from the server');
  assert.equal(a('227 Entering Passive Mode (10,0,0,2,195,800).\r\n', true), 0);
  assert.equal(a('227 Entering Passive Mode (10,0,0,2,195).\r\n', true), 0);
  assert.equal(a('229 Entering Extended Passive Mode (|||99999|)\r\n', true), 0);
  assert.equal(a('230 Login successful.\r\n', true), 0);
});

test('passive and active data connections are ftp-data and name their control flow, in the record and the in-place line', () => {
  const control = tcpConversation(40000, 21, [...login, C('PASV\r\n'), S('227 Entering Passive Mode (10,0,0,2,195,80).\r\n'),
    C('EPSV\r\n'), S('229 Entering Extended Passive Mode (|||50001|)\r\n'), C('PORT 10,0,0,1,195,82\r\n'), S('200 ok\r\n')]);
  const frames = [...control, ...tcpConversation(40001, 50000, [S('listing')]), ...tcpConversation(40002, 50001, [S('file')]), ...activeData(50002),
    // Not announced, or announced for another address: not data connections.
    ...tcpConversation(40003, 50009, [S('x')]), ...activeData(50000)];
  const { engine, records } = flowsOf(frames);
  const ctl = records.find((r) => r.dport === 21)!;
  assert.equal(ctl.app, 'ftp');
  const byPort = (p: number, src = '10.0.0.1') => records.filter((r) => r.dport === p && r.src === src);
  for (const [p, src] of [[50000, '10.0.0.1'], [50001, '10.0.0.1'], [50002, '10.0.0.2']] as const) {
    const [d] = byPort(p, src);
    assert.deepEqual([d.app, d.ftp_control], ['ftp-data', ctl.id], `port ${p}`);
  }
  assert.deepEqual(byPort(50009).map((r) => [r.app, r.ftp_control]), [[null, undefined]]);
  assert.deepEqual(byPort(50000, '10.0.0.2').map((r) => [r.app, r.ftp_control]), [[null, undefined]], 'each announcement links one connection');
  for (const f of engine.flows()) {
    const a: Buffer[] = [], b: Buffer[] = [];
    const wa = new FlowJsonWriter((x) => a.push(x)), wb = new FlowJsonWriter((x) => b.push(x));
    wa.flow(engine.toRecord(f));
    engine.writeFlowJson(f, wb);
    wa.flush(); wb.flush();
    assert.equal(Buffer.concat(b).toString('utf8'), Buffer.concat(a).toString('utf8'));
  }
});

test('tshark links the same passive data connection as ftp-data', { skip: tsharkSkip }, () => {
  const frames = [...tcpConversation(40000, 21, [...login, C('PASV\r\n'), S('227 Entering Passive Mode (10,0,0,2,195,80).\r\n')]),
    ...tcpConversation(40001, 50000, [S('listing\r\n')])];
  const rows = tsharkFields(frames, ['frame.protocols', 'tcp.dstport', 'tcp.srcport']);
  assert.ok(rows.some((r) => r[0].includes(':ftp-data') && r[2] === '50000'), rows.map((r) => r[0]).join(' '));
  assert.equal(flowsOf(frames).records.find((r) => r.dport === 50000)?.app, 'ftp-data');
});
