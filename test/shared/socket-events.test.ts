import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeSocketEvent, encodeSocketEventsHeader, HEADER_SIZE, RECORD_SIZE, SocketEventKind, SocketEventsFormatError,
  SocketEventsReader, type SocketEvent,
} from '../../src/shared/socket-events.ts';

const clock = { monotonicNs: 5_000_000_000n, realtimeNs: 1_700_000_000_000_000_000n };

function collect(): { events: SocketEvent[]; lost: number[]; reader: SocketEventsReader } {
  const events: SocketEvent[] = [];
  const lost: number[] = [];
  const reader = new SocketEventsReader(
    (e) => events.push({ ...e, localAddress: Uint8Array.from(e.localAddress), remoteAddress: Uint8Array.from(e.remoteAddress) }),
    (n) => lost.push(n),
  );
  return { events, lost, reader };
}

const v4 = (...b: number[]): Uint8Array => Uint8Array.from(b);
const v6 = (head: string, last: number): Uint8Array => {
  const b = new Uint8Array(16);
  b[0] = parseInt(head.slice(0, 2), 16);
  b[1] = parseInt(head.slice(2), 16);
  b[15] = last;
  return b;
};

const tcp = encodeSocketEvent({
  kind: SocketEventKind.tcpConnect, family: 4, protocol: 6, localAddress: v4(10, 0, 0, 1), localPort: 40000,
  remoteAddress: v4(10, 0, 0, 2), remotePort: 443, pid: 1234, uid: 1000, timeNs: 6_000_000_000n, comm: 'curl',
});
const udp6 = encodeSocketEvent({
  kind: SocketEventKind.udpSend, family: 6, protocol: 17, localAddress: v6('fd00', 1), localPort: 5353,
  remoteAddress: v6('ff02', 0xfb), remotePort: 5353, pid: 7, uid: 65534, timeNs: 5_000_001_000n, comm: 'a-very-long-thread-name',
});

describe('socket-event stream', () => {
  it('decodes header and records, mapping kernel time to wall-clock microseconds', () => {
    const { events, reader } = collect();
    reader.push(Buffer.concat([encodeSocketEventsHeader(clock), tcp, udp6]));
    assert.deepEqual(events, [
      { kind: 1, family: 4, protocol: 6, localAddress: v4(10, 0, 0, 1), localPort: 40000, remoteAddress: v4(10, 0, 0, 2),
        remotePort: 443, pid: 1234, uid: 1000, timeUs: 1_700_000_001_000_000, comm: 'curl' },
      { kind: 3, family: 6, protocol: 17, localAddress: v6('fd00', 1), localPort: 5353, remoteAddress: v6('ff02', 0xfb),
        remotePort: 5353, pid: 7, uid: 65534, timeUs: 1_700_000_000_000_001, comm: 'a-very-long-thr' },
    ]);
    assert.equal(reader.pendingBytes, 0);
  });

  it('gives the same events for every split of the stream', () => {
    const whole = Buffer.concat([encodeSocketEventsHeader(clock), tcp, udp6]);
    const ref = collect();
    ref.reader.push(whole);
    for (let cut = 1; cut < whole.length; cut++) {
      const { events, reader } = collect();
      reader.push(whole.subarray(0, cut));
      reader.push(whole.subarray(cut));
      assert.deepEqual(events, ref.events);
    }
  });

  it('reports lost records and holds back a cut record', () => {
    const { events, lost, reader } = collect();
    const lostRec = Buffer.alloc(RECORD_SIZE);
    lostRec[0] = SocketEventKind.lost;
    lostRec.writeUInt32LE(17, 8);
    reader.push(Buffer.concat([encodeSocketEventsHeader(clock), lostRec, tcp.subarray(0, 10)]));
    assert.deepEqual(lost, [17]);
    assert.deepEqual(events, []);
    assert.equal(reader.pendingBytes, 10);
  });

  it('refuses a foreign or newer stream and hostile records with a clear error', () => {
    const bad = (b: Buffer): (() => void) => () => collect().reader.push(b);
    assert.throws(bad(Buffer.alloc(HEADER_SIZE)), /bad magic/);
    const v2 = encodeSocketEventsHeader(clock);
    v2.writeUInt16LE(2, 4);
    assert.throws(bad(v2), /version 2, expected 1/);
    const size = encodeSocketEventsHeader(clock);
    size.writeUInt16LE(64, 6);
    assert.throws(bad(size), SocketEventsFormatError);
    for (const [offset, value, msg] of [[0, 9, /kind 9/], [1, 5, /family 5/], [2, 1, /protocol 1/]] as const) {
      const r = Buffer.from(tcp);
      r[offset] = value;
      assert.throws(bad(Buffer.concat([encodeSocketEventsHeader(clock), r])), msg);
    }
  });
});
