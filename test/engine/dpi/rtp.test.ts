// RTP after STUN on the same flow: two packets of one SSRC with close sequence numbers label it rtp; RTP-shaped
// datagrams without STUN before them, or without that pairing, label nothing. tshark (RTP heuristics on) agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/engine/index.ts';
import { rtpKind } from '../../../src/engine/dpi/rtp.ts';
import { pcap } from '../capture-fixtures.ts';
import { concat, hex, u16be } from './builders.ts';
import { UDP_APP_SEEDS } from './udp-app-seeds.ts';
import { tsharkFields, tsharkSkip, udpFrame } from './tshark-fixture.ts';

const STUN_REQUEST = UDP_APP_SEEDS[5];
/** An RTP packet: version 2, payload type 111 (dynamic, Opus in WebRTC), sequence, timestamp, SSRC, 40 bytes of media. */
function rtpPacket(seq: number, ssrc = 0x1234abcd, pt = 111): Uint8Array {
  const ts = seq * 960;
  return concat(hex('80'), new Uint8Array([pt]), u16be(seq), u16be(ts >>> 16), u16be(ts & 0xffff), u16be(ssrc >>> 16), u16be(ssrc & 0xffff), new Uint8Array(40).fill(0x55));
}
/** An RTCP receiver report with one report block (length 7 words + 1). */
const RTCP_RR = concat(hex('81c90007'), hex('1234abcd'), new Uint8Array(24));

function appOf(datagrams: { fromClient: boolean; data: Uint8Array }[], port = 50000): string | null {
  const frames = datagrams.map((d) => (d.fromClient ? udpFrame(40000, port, d.data) : udpFrame(port, 40000, d.data, true)));
  const engine = createEngine({ detail: true, retainEnded: true });
  engine.push(pcap(frames.map((data, k) => ({ ts: 1_700_000_000 + k / 100, data }))));
  engine.end();
  const rows = [...engine.flows()].map((f) => engine.toRow(f, false));
  assert.equal(rows.length, 1);
  return rows[0].app;
}
const C = (data: Uint8Array) => ({ fromClient: true, data });
const S = (data: Uint8Array) => ({ fromClient: false, data });

test('STUN then RTP of one SSRC: rtp; then RTCP after one RTP packet: rtp', () => {
  assert.equal(appOf([C(STUN_REQUEST), S(STUN_REQUEST), C(rtpPacket(100)), C(rtpPacket(101))]), 'rtp');
  assert.equal(appOf([C(STUN_REQUEST), S(rtpPacket(65535)), S(rtpPacket(1))]), 'rtp', 'the sequence number wraps');
  assert.equal(appOf([C(STUN_REQUEST), C(rtpPacket(7)), S(RTCP_RR)]), 'rtp');
});

test('no STUN before, no pairing, or DTLS: no rtp label', () => {
  assert.equal(appOf([C(rtpPacket(100)), C(rtpPacket(101)), C(rtpPacket(102))]), null, 'RTP alone is not labelled');
  assert.equal(appOf([C(STUN_REQUEST), C(rtpPacket(100, 1)), C(rtpPacket(101, 2)), C(rtpPacket(102, 3))]), 'stun', 'a new SSRC each time');
  assert.equal(appOf([C(STUN_REQUEST), C(rtpPacket(100)), C(rtpPacket(500))]), 'stun', 'sequence numbers far apart');
  assert.equal(appOf([C(STUN_REQUEST), C(rtpPacket(100)), S(rtpPacket(101))]), 'stun', 'the two directions are different streams');
  assert.equal(appOf([C(STUN_REQUEST), C(rtpPacket(100, 9, 74)), C(rtpPacket(101, 9, 74))]), 'stun', 'payload type 74 is RTCP\'s range');
  const dtls = concat(hex('16fefd0000000000000000'), u16be(20), new Uint8Array(20));
  assert.equal(appOf([C(STUN_REQUEST), C(dtls), S(dtls)]), 'stun');
  assert.equal(rtpKind(rtpPacket(1), 0, 11), 0, 'shorter than the fixed header');
  const csrcs = rtpPacket(1); csrcs[0] = 0x8f; // 15 CSRCs claimed, 40 bytes there
  assert.equal(rtpKind(csrcs, 0, 52), 0);
});

test('tshark (RTP heuristics on) dissects the media after STUN as RTP of the same SSRC', { skip: tsharkSkip }, () => {
  const frames = [udpFrame(40000, 50000, STUN_REQUEST), udpFrame(40000, 50000, rtpPacket(100)), udpFrame(40000, 50000, rtpPacket(101))];
  const rows = tsharkFields(frames, ['frame.protocols', 'rtp.ssrc', 'rtp.seq'], ['-o', 'rtp.heuristic_rtp:TRUE']);
  assert.match(rows[0][0], /:stun$/);
  assert.deepEqual(rows.slice(1).map((r) => [r[0].endsWith(':rtp'), Number(r[1]), r[2]]), [[true, 0x1234abcd, '100'], [true, 0x1234abcd, '101']]);
});
