/**
 * The engine's join of the helper's socket events to flows (src/engine/socket-attribution.ts): an event before or
 * after the flow's first packet, both ends of a loopback connection, the bounds on waiting events and on /proc
 * reads, lost records, and streams that are not one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { FlowJsonWriter } from '../../src/engine/flow-json.ts';
import { SocketAttribution, type SocketAttributionOptions } from '../../src/engine/socket-attribution.ts';
import { encodeSocketEvent, encodeSocketEventsHeader, RECORD_SIZE, SocketEventKind, type SocketEventKind as Kind } from '../../src/shared/socket-events.ts';
import type { FlowRecord } from '../../src/shared/flow.ts';
import { TCP, eth, ip4, ip6, ipv4, ipv6, pcap, tcp, udp } from './capture-fixtures.ts';

const ME = 1000;
const NOBODY = 65534;
const T0 = 1_700_000_000;
const CLOCK = { monotonicNs: 0n, realtimeNs: BigInt(T0) * 1_000_000_000n };
const HEADER = encodeSocketEventsHeader(CLOCK);

const dir = mkdtempSync(path.join(tmpdir(), 'sp-sockattr-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const PASSWD = path.join(dir, 'passwd');
writeFileSync(PASSWD, 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n');
/** This host's addresses in these tests (a socket bound to the wildcard address stands for any of them). */
const LOCALS = ['127.0.0.1', '10.0.0.1', '::1', 'fd00::1', 'fe80::1'];
/** A /proc with no processes: nothing of another user is read from it anyway. */
const NO_PROC = path.join(dir, 'noproc');
mkdirSync(NO_PROC);

interface Ev {
  kind?: Kind;
  local: string;
  lport: number;
  remote: string;
  rport: number;
  proto?: 6 | 17;
  pid: number;
  uid?: number;
  comm?: string;
  ts?: number;
}

function addr(a: string): Uint8Array {
  return Uint8Array.from(a.includes(':') ? ip6(a) : ip4(a));
}

function event(e: Ev): Buffer {
  const family = e.local.includes(':') ? 6 : 4;
  const localAddress = new Uint8Array(16);
  localAddress.set(addr(e.local));
  const remoteAddress = new Uint8Array(16);
  remoteAddress.set(addr(e.remote));
  return encodeSocketEvent({
    kind: e.kind ?? (e.proto === 17 ? SocketEventKind.udpSend : SocketEventKind.tcpConnect), family, protocol: e.proto ?? 6,
    localAddress, localPort: e.lport, remoteAddress, remotePort: e.rport, pid: e.pid, uid: e.uid ?? NOBODY,
    timeNs: BigInt(Math.round(((e.ts ?? T0 + 1) - T0) * 1e6)) * 1000n, comm: e.comm ?? 'curl',
  });
}

function lost(n: number): Buffer {
  const b = Buffer.alloc(RECORD_SIZE);
  b[0] = SocketEventKind.lost;
  b.writeUInt32LE(n, 8);
  return b;
}

function frame(src: string, dst: string, proto: 6 | 17, sport: number, dport: number, flags: number = TCP.SYN): number[] {
  const l4 = proto === 6 ? tcp(sport, dport, flags) : udp(sport, dport, [1]);
  return src.includes(':') ? eth(0x86dd, ipv6(src, dst, proto, l4)) : eth(0x0800, ipv4(src, dst, proto, l4));
}

/** An engine fed socket events; `packets` pushes records of one pcap stream (its header once). */
function setup(o: SocketAttributionOptions = {}): { e: Engine; sa: SocketAttribution; packets: (recs: { ts: number; data: number[] }[]) => void } {
  const sa = new SocketAttribution({ procRoot: NO_PROC, passwdPath: PASSWD, uid: ME, localAddresses: () => LOCALS, ...o });
  const e = createEngine({ detail: true, socketAttribution: sa, geo: null });
  let started = false;
  const packets = (recs: { ts: number; data: number[] }[]) => {
    const b = pcap(recs);
    e.push(started ? b.subarray(24) : b);
    started = true;
  };
  e.pushSocketEvents(HEADER);
  return { e, sa, packets };
}

function records(e: Engine): FlowRecord[] {
  return [...e.flows()].map((f) => e.toRecord(f));
}

function only(e: Engine, sport: number): FlowRecord {
  const r = records(e).filter((f) => f.sport === sport);
  assert.equal(r.length, 1, JSON.stringify(records(e)));
  return r[0];
}

test('an event before the flow\'s first packet names it: another user\'s process by comm, uid as a user name', () => {
  const { e, sa, packets } = setup();
  e.pushSocketEvents(event({ local: '10.0.0.1', lport: 40000, remote: '10.0.0.2', rport: 443, pid: 4242, comm: 'curl' }));
  assert.equal(sa.waiting, 1);
  packets([{ ts: T0 + 1.001, data: frame('10.0.0.1', '10.0.0.2', 6, 40000, 443) }]);
  const r = only(e, 40000);
  assert.equal(r.pid, 4242);
  assert.equal(r.process, 'curl');
  assert.equal(r.user, 'nobody');
  assert.equal(r.process_unknown, undefined);
  assert.equal(e.toRow([...e.flows()][0]).local, 'src');
  assert.equal(sa.waiting, 0);
  assert.equal(e.stats.socketEvents?.matched, 1);
});

test('an event after the first packet names the flow at once, without waiting for another packet; the reply end too', () => {
  const { e, packets } = setup();
  packets([{ ts: T0 + 1, data: frame('10.0.0.2', '10.0.0.1', 6, 51000, 8080) }]);
  const [slot] = [...e.flows()];
  assert.equal(e.toRecord(slot).pid, null);
  assert.equal(e.toRecord(slot).process_unknown, 'no_socket');
  const before = e.textVersionAt(slot);
  e.drainChanged(() => {});
  // A server's accept: its local end is the flow's responder.
  e.pushSocketEvents(event({ kind: SocketEventKind.tcpAccept, local: '10.0.0.1', lport: 8080, remote: '10.0.0.2', rport: 51000, pid: 77, comm: 'nginx' }));
  const r = e.toRecord(slot);
  assert.deepEqual([r.pid, r.process, r.user], [77, 'nginx', 'nobody']);
  assert.equal(e.toRow(slot).local, 'dst');
  assert.ok(e.textVersionAt(slot) > before, 'the text changed');
  const changed: number[] = [];
  e.drainChanged((s) => changed.push(s));
  assert.deepEqual(changed, [slot]);
  // The same process sending again on the named flow changes nothing.
  e.pushSocketEvents(event({ kind: SocketEventKind.tcpAccept, local: '10.0.0.1', lport: 8080, remote: '10.0.0.2', rport: 51000, pid: 77, comm: 'nginx' }));
  const again: number[] = [];
  e.drainChanged((s) => again.push(s));
  assert.deepEqual(again, []);
});

test('both ends of a loopback connection: the client owns the flow, the server is its peer, whatever the order', () => {
  for (const acceptFirst of [true, false]) {
    const { e, packets } = setup();
    const connect = event({ local: '127.0.0.1', lport: 45000, remote: '127.0.0.1', rport: 6000, pid: 10, comm: 'client' });
    const accept = event({ kind: SocketEventKind.tcpAccept, local: '127.0.0.1', lport: 6000, remote: '127.0.0.1', rport: 45000, pid: 20, uid: 0, comm: 'server' });
    e.pushSocketEvents(acceptFirst ? accept : connect);
    packets([{ ts: T0 + 1, data: frame('127.0.0.1', '127.0.0.1', 6, 45000, 6000) }]);
    e.pushSocketEvents(acceptFirst ? connect : accept);
    const r = only(e, 45000);
    const ends = { pid: 10, process: 'client', user: 'nobody', peer_pid: 20, peer_process: 'server', peer_user: 'root' };
    assert.equal(e.toRow([...e.flows()][0]).local, 'src');
    assert.deepEqual({ pid: r.pid, process: r.process, user: r.user, peer_pid: r.peer_pid, peer_process: r.peer_process, peer_user: r.peer_user }, ends);
    // The JSON line from the table is the record's, new fields included.
    const a: Buffer[] = [];
    const b: Buffer[] = [];
    const wa = new FlowJsonWriter((c) => a.push(c), 64);
    const wb = new FlowJsonWriter((c) => b.push(c), 64);
    for (const f of e.flows()) {
      wa.flow(e.toRecord(f));
      e.writeFlowJson(f, wb);
    }
    wa.flush();
    wb.flush();
    assert.equal(Buffer.concat(b).toString(), Buffer.concat(a).toString());
    assert.equal(JSON.stringify(JSON.parse(Buffer.concat(a).toString())), JSON.stringify(r));
  }
});

test('UDP: a socket bound to the wildcard address, IPv6, and many datagrams on one flow', () => {
  const { e, sa, packets } = setup();
  e.pushSocketEvents(event({ proto: 17, local: '0.0.0.0', lport: 5353, remote: '224.0.0.251', rport: 5353, pid: 5, comm: 'avahi' }));
  e.pushSocketEvents(event({ proto: 17, local: 'fd00::1', lport: 40001, remote: 'fd00::2', rport: 53, pid: 6, comm: 'dig' }));
  for (let i = 0; i < 3; i++) e.pushSocketEvents(event({ proto: 17, local: 'fd00::1', lport: 40001, remote: 'fd00::2', rport: 53, pid: 6, comm: 'dig' }));
  assert.equal(sa.waiting, 2, 'repeated events of one socket wait once');
  packets([
    { ts: T0 + 1, data: frame('10.0.0.1', '224.0.0.251', 17, 5353, 5353) },
    { ts: T0 + 1.1, data: frame('fd00::1', 'fd00::2', 17, 40001, 53) },
  ]);
  assert.equal(only(e, 5353).process, 'avahi');
  assert.equal(only(e, 40001).process, 'dig');
  for (let i = 0; i < 100; i++) e.pushSocketEvents(event({ proto: 17, local: 'fd00::1', lport: 40001, remote: 'fd00::2', rport: 53, pid: 6, comm: 'dig' }));
  assert.equal(sa.waiting, 0, 'events of a named flow do not wait');
  assert.equal(e.stats.socketEvents?.events, 105);
});

test('a wildcard-bound UDP server: its event names the flow on any of this host\'s addresses, before or after the first packet', () => {
  for (const eventFirst of [true, false]) {
    for (const [server, client, any] of [['10.0.0.1', '10.0.0.2', '0.0.0.0'], ['fd00::1', 'fd00::2', '::'], ['127.0.0.1', '127.0.0.1', '0.0.0.0']]) {
      const { e, sa, packets } = setup();
      // The reply from an unconnected socket bound to the wildcard address: the kernel's event may carry no address.
      const reply = event({ proto: 17, local: any, lport: 53, remote: client, rport: 40000, pid: 9, uid: 0, comm: 'dnsd' });
      if (eventFirst) e.pushSocketEvents(reply);
      packets([{ ts: T0 + 1, data: frame(client, server, 17, 40000, 53) }]);
      if (!eventFirst) e.pushSocketEvents(reply);
      const r = only(e, 40000);
      const where = `${server}, event ${eventFirst ? 'first' : 'after'}`;
      assert.deepEqual([r.pid, r.process, r.user], [9, 'dnsd', 'root'], where);
      assert.equal(e.toRow([...e.flows()][0]).local, 'dst', where);
      assert.equal(sa.waiting, 0, where);
      assert.equal(e.stats.socketEvents?.matched, 1, where);
    }
  }
});

test('a wildcard event does not name a flow whose end is not one of this host\'s addresses, in either order', () => {
  for (const eventFirst of [true, false]) {
    const { e, sa, packets } = setup();
    // A flow between two other hosts (forwarded, or another namespace's on a shared link) on the server's port, and
    // a local client whose remote end has that port.
    const reply = event({ proto: 17, local: '0.0.0.0', lport: 53, remote: '10.0.0.2', rport: 40000, pid: 9, comm: 'dnsd' });
    const toLocal = event({ proto: 17, local: '0.0.0.0', lport: 5353, remote: '10.0.0.1', rport: 5353, pid: 10, comm: 'mdns' });
    if (eventFirst) e.pushSocketEvents(Buffer.concat([reply, toLocal]));
    packets([
      { ts: T0 + 1, data: frame('10.0.0.2', '10.0.0.7', 17, 40000, 53) },
      { ts: T0 + 1, data: frame('10.0.0.9', '10.0.0.1', 17, 5353, 5353) },
    ]);
    if (!eventFirst) e.pushSocketEvents(Buffer.concat([reply, toLocal]));
    const where = `event ${eventFirst ? 'first' : 'after'}`;
    assert.equal(only(e, 40000).pid, null, where);
    assert.equal(records(e).find((f) => f.src === '10.0.0.9')?.pid, null, where);
    assert.equal(sa.waiting, 2, where);
    assert.equal(e.stats.socketEvents?.matched, 0, where);
  }
});

test('sockets sharing a port: a concrete address wins over the wildcard, and a wildcard event never renames another process\'s end', () => {
  // One process bound to 10.0.0.1:53, another to 0.0.0.0:53 (SO_REUSEADDR), both replying to the same client.
  const exact = event({ proto: 17, local: '10.0.0.1', lport: 53, remote: '10.0.0.2', rport: 40000, pid: 1, comm: 'exact' });
  const wild = event({ proto: 17, local: '0.0.0.0', lport: 53, remote: '10.0.0.2', rport: 40000, pid: 2, comm: 'wild' });
  const flow = [{ ts: T0 + 1, data: frame('10.0.0.2', '10.0.0.1', 17, 40000, 53) }];
  for (const order of [[exact, wild, 'packet'], [wild, exact, 'packet'], ['packet', exact, wild], ['packet', wild, exact], [exact, 'packet', wild], [wild, 'packet', exact]] as const) {
    const { e, packets } = setup();
    for (const step of order) {
      if (step === 'packet') packets(flow);
      else e.pushSocketEvents(step);
    }
    const name = (b: Buffer | 'packet') => (b === exact ? 'exact' : b === wild ? 'wild' : 'packet');
    assert.equal(only(e, 40000).process, 'exact', order.map(name).join(', '));
  }
  // SO_REUSEPORT: two processes on 0.0.0.0:5000, each answering its own client; each flow is its own process's,
  // and the first process's flow keeps it when the other later sends to that client too.
  const { e, packets } = setup();
  packets([
    { ts: T0 + 1, data: frame('10.0.0.2', '10.0.0.1', 17, 41000, 5000) },
    { ts: T0 + 1, data: frame('10.0.0.3', '10.0.0.1', 17, 42000, 5000) },
  ]);
  e.pushSocketEvents(event({ proto: 17, local: '0.0.0.0', lport: 5000, remote: '10.0.0.2', rport: 41000, pid: 21, comm: 'worker-a' }));
  e.pushSocketEvents(event({ proto: 17, local: '0.0.0.0', lport: 5000, remote: '10.0.0.3', rport: 42000, pid: 22, comm: 'worker-b' }));
  e.pushSocketEvents(event({ proto: 17, local: '0.0.0.0', lport: 5000, remote: '10.0.0.2', rport: 41000, pid: 22, comm: 'worker-b' }));
  assert.deepEqual([only(e, 41000).pid, only(e, 42000).pid], [21, 22]);
});

test('this host\'s addresses: the list re-read at most once a second', () => {
  // An address added to an interface is seen within a second; a list that throws matches nothing.
  let now = 0;
  let locals = ['10.0.0.1'];
  const { e, packets } = setup({ now: () => now, localAddresses: () => locals });
  packets([{ ts: T0 + 1, data: frame('10.0.0.2', '10.0.0.5', 17, 40000, 53) }]);
  const reply = event({ proto: 17, local: '0.0.0.0', lport: 53, remote: '10.0.0.2', rport: 40000, pid: 9, comm: 'dnsd' });
  e.pushSocketEvents(reply);
  assert.equal(only(e, 40000).pid, null);
  locals = ['10.0.0.1', '10.0.0.5'];
  now = 500;
  e.pushSocketEvents(reply);
  assert.equal(only(e, 40000).pid, null, 'not re-read yet');
  now = 1500;
  e.pushSocketEvents(reply);
  assert.equal(only(e, 40000).pid, 9);
  const broken = setup({ localAddresses: () => { throw new Error('no interfaces'); } });
  broken.packets([{ ts: T0 + 1, data: frame('10.0.0.2', '10.0.0.1', 17, 40000, 53) }]);
  broken.e.pushSocketEvents(reply);
  assert.equal(only(broken.e, 40000).pid, null);
});

test('waiting events are bounded: the oldest are pushed out and counted, and they expire with capture time', () => {
  const { e, sa, packets } = setup({ pendingCapacity: 16, pendingMaxAgeS: 5 });
  for (let i = 0; i < 100; i++) e.pushSocketEvents(event({ local: '10.0.0.1', lport: 30000 + i, remote: '10.0.0.2', rport: 80, pid: 100 + i }));
  assert.equal(sa.waiting, 16);
  assert.equal(e.stats.socketEvents?.unmatched, 84);
  packets([
    { ts: T0 + 1, data: frame('10.0.0.1', '10.0.0.2', 6, 30000, 80) },
    { ts: T0 + 1, data: frame('10.0.0.1', '10.0.0.2', 6, 30099, 80) },
  ]);
  assert.equal(only(e, 30000).pid, null, 'pushed out');
  assert.equal(only(e, 30099).pid, 199, 'still waiting');
  // Capture time passes the limit: what still waits is dropped when looked at.
  packets([{ ts: T0 + 30, data: frame('10.0.0.1', '10.0.0.2', 6, 30098, 80) }]);
  assert.equal(only(e, 30098).pid, null, 'expired');
  assert.equal(sa.waiting, 0);
  assert.equal(e.stats.socketEvents?.unmatched, 84 + 15);
  // A hole in the hash's probe chains left by removals does not hide later entries.
  for (let i = 0; i < 16; i++) e.pushSocketEvents(event({ local: '10.0.0.1', lport: 31000 + i, remote: '10.0.0.2', rport: 80, pid: 300 + i, ts: T0 + 30 }));
  packets(Array.from({ length: 16 }, (_, i) => ({ ts: T0 + 30.5, data: frame('10.0.0.1', '10.0.0.2', 6, 31000 + ((i * 7) % 16), 80) })));
  for (let i = 0; i < 16; i++) assert.equal(only(e, 31000 + i).pid, 300 + i);
});

test('lost records are counted into the stats; a broken stream is given up with its reason, nothing thrown', () => {
  const { e, packets } = setup();
  e.pushSocketEvents(Buffer.concat([lost(17), event({ local: '10.0.0.1', lport: 1, remote: '10.0.0.2', rport: 2, pid: 3 }), lost(5)]));
  assert.equal(e.stats.socketEvents?.lost, 22);
  const bad = event({ local: '10.0.0.1', lport: 4, remote: '10.0.0.2', rport: 5, pid: 6 });
  bad[1] = 9; // no such family
  e.pushSocketEvents(bad);
  assert.match(e.stats.socketEvents?.error ?? '', /unknown family 9/);
  e.pushSocketEvents(event({ local: '10.0.0.1', lport: 7, remote: '10.0.0.2', rport: 8, pid: 9 }));
  assert.equal(e.stats.socketEvents?.events, 1, 'nothing read after the error');
  packets([{ ts: T0 + 1, data: frame('10.0.0.1', '10.0.0.2', 6, 1, 2) }]);
  assert.equal(only(e, 1).pid, 3, 'what was read before still names its flow');
  const foreign = setup().e;
  foreign.pushSocketEvents(Buffer.alloc(0));
  const notAStream = createEngine({ socketAttribution: new SocketAttribution({ procRoot: NO_PROC, passwdPath: PASSWD, uid: ME }), geo: null });
  notAStream.pushSocketEvents(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.match(notAStream.stats.socketEvents?.error ?? '', /bad magic/);
});

/** A fake /proc holding `n` processes of this user, pids 1000.. */
function fakeProc(n: number): string {
  const root = mkdtempSync(path.join(dir, 'proc-'));
  for (let i = 0; i < n; i++) {
    const p = path.join(root, String(1000 + i));
    mkdirSync(p);
    writeFileSync(path.join(p, 'comm'), 'MainThread\n');
    writeFileSync(path.join(p, 'cmdline'), `/usr/bin/node\0server-${i}.js\0`);
    writeFileSync(path.join(p, 'status'), `Name:\tMainThread\nUid:\t${ME}\t${ME}\t${ME}\t${ME}\n`);
    symlinkSync('/usr/bin/node', path.join(p, 'exe'));
  }
  return root;
}

test('the invoking user\'s processes are read from /proc once per pid; reads per second are bounded; a hostile stream stays bounded', () => {
  let now = 0;
  const { e, sa, packets } = setup({ procRoot: fakeProc(8), describesPerSecond: 4, maxProcesses: 64, pendingCapacity: 1024, now: () => now });
  for (let i = 0; i < 8; i++) e.pushSocketEvents(event({ local: '10.0.0.1', lport: 20000 + i, remote: '10.0.0.2', rport: 80, pid: 1000 + i, uid: ME, comm: 'MainThread' }));
  packets(Array.from({ length: 8 }, (_, i) => ({ ts: T0 + 1, data: frame('10.0.0.1', '10.0.0.2', 6, 20000 + i, 80) })));
  const rows = [...e.flows()].map((f) => e.toRow(f)).sort((a, b) => a.sport - b.sport);
  // Four read from /proc (the runtime's thread name replaced by the program's), the rest by the event alone.
  assert.deepEqual(rows.map((r) => r.process), ['node', 'node', 'node', 'node', 'MainThread', 'MainThread', 'MainThread', 'MainThread']);
  assert.deepEqual(rows.slice(0, 2).map((r) => [r.pid, r.exe, r.cmdline, r.user]), [[1000, '/usr/bin/node', '/usr/bin/node server-0.js', 'alice'], [1001, '/usr/bin/node', '/usr/bin/node server-1.js', 'alice']]);
  assert.deepEqual(rows.slice(4).map((r) => [r.exe, r.user]), Array(4).fill([null, 'alice']));
  // Thousands of random pids, uids and tuples: bounded waiting events and process cache, no throw.
  const noise: Buffer[] = [];
  for (let i = 0; i < 5000; i++) {
    noise.push(event({ local: `10.1.${i >> 8}.${i & 255}`, lport: 1 + (i % 60000), remote: '10.0.0.9', rport: 9, pid: 1 + ((i * 7919) % 4_000_000), uid: (i * 31) % 100_000, comm: `x${i}` }));
  }
  now = 5000;
  e.pushSocketEvents(Buffer.concat(noise));
  assert.equal(e.stats.socketEvents?.error, null);
  assert.equal(sa.waiting, 1024);
  assert.equal(e.stats.socketEvents?.unmatched, 5000 - 1024);
});

test('an exec or a reused pid (another comm) is read again; an accept without a pid names nothing', () => {
  let now = 0;
  const { e, packets } = setup({ now: () => now });
  e.pushSocketEvents(event({ local: '10.0.0.1', lport: 1111, remote: '10.0.0.2', rport: 80, pid: 42, comm: 'sh' }));
  now = 5000;
  e.pushSocketEvents(event({ local: '10.0.0.1', lport: 1112, remote: '10.0.0.2', rport: 80, pid: 42, comm: 'wget' }));
  e.pushSocketEvents(event({ kind: SocketEventKind.tcpAccept, local: '10.0.0.1', lport: 22, remote: '10.0.0.2', rport: 50000, pid: 0, uid: 0, comm: '' }));
  packets([
    { ts: T0 + 1, data: frame('10.0.0.1', '10.0.0.2', 6, 1111, 80) },
    { ts: T0 + 1, data: frame('10.0.0.1', '10.0.0.2', 6, 1112, 80) },
    { ts: T0 + 1, data: frame('10.0.0.2', '10.0.0.1', 6, 50000, 22) },
  ]);
  assert.equal(only(e, 1111).process, 'sh');
  assert.equal(only(e, 1112).process, 'wget');
  assert.equal(only(e, 50000).pid, null);
  assert.equal(e.stats.socketEvents?.noPid, 1);
});

test('a file\'s rows say why they have no process; its JSON lines are unchanged', () => {
  const e = createEngine({ geo: null, retainEnded: true });
  e.push(pcap([{ ts: T0, data: frame('10.0.0.1', '10.0.0.2', 6, 1, 2) }]));
  const [f] = [...e.flows()];
  assert.equal(e.toRow(f).process_unknown, 'file');
  assert.equal('process_unknown' in e.toRecord(f), false);
  assert.equal(e.stats.socketEvents, null);
});
