// RTP after STUN on the same flow: two packets of one SSRC with close sequence numbers label it rtp; RTP-shaped
// datagrams without STUN before them, or without that pairing, label nothing. tshark (RTP heuristics on) agrees.
// RTP on the address and port a SIP message's SDP announced is rtp too (RTCP on the next port), as tshark sets up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/engine/index.ts';
import { rtpKind } from '../../../src/engine/dpi/rtp.ts';
import { pcap } from '../capture-fixtures.ts';
import { sdpMedia } from '../../../src/engine/dpi/sip.ts';
import { ascii, concat, hex, u16be } from './builders.ts';
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

/** A SIP INVITE (or any SIP message) whose SDP body announces `m=audio PORT RTP/AVP 0` on `addr`. */
function invite(addr: string, port: number, mline = `m=audio ${port} RTP/AVP 0`): Uint8Array {
  const sdp = `v=0\r\no=- 1 1 IN IP4 ${addr}\r\ns=-\r\nc=IN IP4 ${addr}\r\nt=0 0\r\n${mline}\r\na=rtpmap:0 PCMU/8000\r\n`;
  return ascii(`INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP ${addr}:5060\r\nCall-ID: 1@x\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
}

function appsOf(frames: number[][]): Map<string, string | null> {
  const engine = createEngine({ detail: true, retainEnded: true });
  engine.push(pcap(frames.map((data, k) => ({ ts: 1_700_000_000 + k / 100, data }))));
  engine.end();
  return new Map([...engine.flows()].map((f) => { const r = engine.toRecord(f); return [`${r.sport}-${r.dport}`, r.app]; }));
}

test('SDP in SIP announces the media: UDP flows from or to that address and port (and the next, RTCP) are rtp', () => {
  assert.equal(sdpMedia(invite('10.0.0.1', 49170), 0, invite('10.0.0.1', 49170).length), '10.0.0.1 49170');
  const opts = ascii('OPTIONS sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\nCSeq: 1 OPTIONS\r\n\r\n');
  const apps = appsOf([udpFrame(5060, 5060, opts), udpFrame(5060, 5060, invite('10.0.0.1', 49170)),
    udpFrame(49170, 30000, rtpPacket(1)), udpFrame(49171, 30001, RTCP_RR), udpFrame(49172, 30002, rtpPacket(1)), udpFrame(30000, 49170, rtpPacket(5), true)]);
  assert.equal(apps.get('5060-5060'), 'sip');
  assert.equal(apps.get('49170-30000'), 'rtp');
  assert.equal(apps.get('49171-30001'), 'rtp', 'RTCP on the next port');
  assert.equal(apps.get('49172-30002'), null, 'a port not announced');
  const off = (m: string) => { const b = invite('10.0.0.1', 49170, m); return sdpMedia(b, 0, b.length); };
  assert.equal(off('m=audio 49170 UDP/TLS/RTP/SAVPF 111'), null, 'not an RTP profile at the start');
  assert.equal(off('m=application 49170 RTP/AVP 0'), null);
  assert.equal(off('m=audio 80 RTP/AVP 0'), null, 'a port below 1024');
  const host = invite('10.0.0.1', 49170);
  const named = ascii(Buffer.from(host).toString('latin1').replace('c=IN IP4 10.0.0.1', 'c=IN IP4 media.example'));
  assert.equal(sdpMedia(named, 0, named.length), null, 'a host name is not followed');
});

test('tshark sets up the same RTP conversation from the SDP', { skip: tsharkSkip }, () => {
  const frames = [udpFrame(5060, 5060, invite('10.0.0.1', 49170)), udpFrame(49170, 30000, rtpPacket(1)), udpFrame(49170, 30000, rtpPacket(2))];
  const rows = tsharkFields(frames, ['frame.protocols']);
  assert.match(rows[0][0], /:sip:sdp$/);
  assert.deepEqual(rows.slice(1).map((r) => r[0].endsWith(':rtp')), [true, true]);
  assert.equal(appsOf(frames).get('49170-30000'), 'rtp');
});
