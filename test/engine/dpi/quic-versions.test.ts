// QUIC Initials of the draft versions (27–34) and mvfst's versions: keys against the drafts' published test vectors,
// SNI read through the dispatcher on any UDP port, and tshark's reading of the same packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientInitialKeys, MVFST, MVFST_V1_ALIAS, QUIC_DRAFT_27, QUIC_DRAFT_29, QUIC_DRAFT_34, QUIC_V1 } from '../../../src/engine/dpi/quic-keys.ts';
import { QuicInitialReader, looksLikeQuicInitial } from '../../../src/engine/dpi/quic-initial.ts';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import { clientHelloMessage, cryptoFrame, hex, protectInitial } from './builders.ts';
import { tsharkSkip, tsharkValues, udpFrame } from './tshark-fixture.ts';

const DCID = hex('8394c8f03e515708');
const DRAFTS = Array.from({ length: 8 }, (_, i) => QUIC_DRAFT_27 + i);
const MVFST_VERSIONS = [MVFST, MVFST_V1_ALIAS, 0xfaceb00e, 0xfaceb010, 0xfaceb011, 0xfaceb013];

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('Initial keys: draft-23..28 and draft-29..32 salts give the drafts\' Appendix A client keys; 33/34 are v1\'s', () => {
  // draft-ietf-quic-tls-23 (also 24–28) and -29 (also 30–32), Appendix A.1, for the DCID 0x8394c8f03e515708.
  const draft23 = { key: 'af7fd7efebd21878ff66811248983694', iv: '8681359410a70bb9c92f0420', hp: 'a980b8b4fb7d9fbc13e814c23164253d' };
  const draft29 = { key: '175257a31eb09dea9366d8bb79ad80ba', iv: '6b26114b9cba2b63a9e8dd4f', hp: '9ddd12c994c0698b89374a9c077a3077' };
  const v1 = { key: '1f369613dd76d5467730efcbe3b1a22d', iv: 'fa044b2f42a3fd3b46fb255c', hp: '9f50449e04a0e810283a1e9933adedd2' };
  const want = (v: number) => (v < QUIC_DRAFT_29 ? draft23 : v <= 0xff000020 ? draft29 : v1);
  for (const v of DRAFTS) {
    const k = clientInitialKeys(v, DCID)!;
    assert.ok(k, v.toString(16));
    assert.deepEqual({ key: hexOf(k.key), iv: hexOf(k.iv), hp: hexOf(k.hp) }, want(v), v.toString(16));
  }
  for (const v of MVFST_VERSIONS) {
    const k = clientInitialKeys(v, DCID)!;
    assert.deepEqual({ key: hexOf(k.key), iv: hexOf(k.iv), hp: hexOf(k.hp) }, v === MVFST_V1_ALIAS ? v1 : draft23, v.toString(16));
  }
  // Neighbours of the known numbers have no keys: unknown versions are not guessed at.
  for (const v of [0xff00001a, 0xff000023, 0xfaceb001, 0xfaceb00f, 0xfaceb012, 0xfaceb0ff, 0xfacea002]) assert.equal(clientInitialKeys(v, DCID), null, v.toString(16));
});

function initialFor(version: number, sni: string, dcid = DCID): Uint8Array[] {
  const msg = clientHelloMessage({ sni, alpn: ['h3-29'], padding: 1200 });
  return [
    protectInitial({ version, dcid, pn: 0, frames: cryptoFrame(0, msg.subarray(0, 700)) }),
    protectInitial({ version, dcid, pn: 1, frames: cryptoFrame(700, msg.subarray(700)) }),
  ];
}

test('every draft and mvfst version: the dispatcher reads SNI from two Initials, on 443 and on other ports', () => {
  for (const v of [...DRAFTS, ...MVFST_VERSIONS]) {
    for (const dport of [443, 784, 853, 4433, 8443, 30000]) {
      const sni = `v${v.toString(16)}.p${dport}.example`;
      const [d1, d2] = initialFor(v, sni);
      assert.ok(looksLikeQuicInitial(d1, 0, d1.length));
      const dpi = createFlowDpi(createNameCache());
      const ctx = { proto: 17 as const, fromInitiator: true, srcPort: 50000, dstPort: dport, seq: 0, ts: 0 };
      assert.equal(dpi.inspect(ctx, d1, 0, d1.length), false);
      assert.equal(dpi.facts.app, 'quic');
      assert.equal(dpi.inspect(ctx, d2, 0, d2.length), true);
      assert.equal(dpi.facts.sni, sni, v.toString(16));
    }
  }
});

test('a draft-29 packet protected with the v1 salt (wrong for its version) is not read', () => {
  const msg = clientHelloMessage({ sni: 'wrong-salt.example' });
  const pkt = protectInitial({ version: QUIC_V1, dcid: DCID, frames: cryptoFrame(0, msg) });
  pkt.set([0xff, 0x00, 0x00, 0x1d], 1); // claims draft-29 (the version is authenticated data too)
  const r = new QuicInitialReader();
  assert.equal(r.pushDatagram(pkt, 0, pkt.length), 'more');
  assert.equal(r.decrypted, 0);
  assert.equal(r.info, null);
});

test('tshark reads the same SNI from the draft and mvfst Initials we build', { skip: tsharkSkip }, () => {
  // tshark 4.0 knows drafts 27–34 and mvfst's 0xfaceb002/0xfaceb00e by number (not the v1 alias 0xfaceb003).
  const versions = [QUIC_DRAFT_27, 0xff00001c, QUIC_DRAFT_29, 0xff000020, 0xff000021, QUIC_DRAFT_34, MVFST, 0xfaceb00e];
  const frames: number[][] = [];
  versions.forEach((v, i) => {
    // A DCID of its own per connection: tshark follows QUIC connections by connection ID.
    for (const d of initialFor(v, `v${v.toString(16)}.example`, hex(`5a5a5a5a5a5a5a${i.toString(16).padStart(2, '0')}`))) frames.push(udpFrame(50000 + i, 443, d));
  });
  const names = tsharkValues(frames, 'tls.handshake.extensions_server_name').sort();
  assert.deepEqual(names, versions.map((v) => `v${v.toString(16)}.example`).sort());
});

test('chaos protection: a large ClientHello over three Initial datagrams, CRYPTO frames shuffled, overlapping and repeated, PING/PADDING between', () => {
  // About the size of a post-quantum ClientHello; every byte range is sent once, some twice with another split.
  const msg = clientHelloMessage({ sni: 'chaos.example', alpn: ['h3'], padding: 2600 });
  const pieces: Uint8Array[] = [];
  let x = 7;
  for (let o = 0; o < msg.length;) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 20 + (x % 180);
    pieces.push(cryptoFrame(o, msg.subarray(o, Math.min(msg.length, o + n))));
    if (x % 5 === 0) pieces.push(cryptoFrame(Math.max(0, o - 7), msg.subarray(Math.max(0, o - 7), Math.min(msg.length, o + n + 11))));
    o += n;
  }
  for (let i = pieces.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const j = x % (i + 1);
    [pieces[i], pieces[j]] = [pieces[j], pieces[i]];
  }
  const third = Math.ceil(pieces.length / 3);
  for (const version of [QUIC_V1, QUIC_DRAFT_29, MVFST]) {
    const datagrams = [0, 1, 2].map((k) => {
      const parts: Uint8Array[] = [];
      for (const f of pieces.slice(k * third, (k + 1) * third)) parts.push(hex('01'), f, new Uint8Array(3));
      return protectInitial({ version, dcid: DCID, pn: k, frames: Buffer.concat(parts), pad: false });
    });
    for (const order of [[0, 1, 2], [2, 0, 1], [1, 2, 0]]) {
      const dpi = createFlowDpi(createNameCache());
      const ctx = { proto: 17 as const, fromInitiator: true, srcPort: 50000, dstPort: 853, seq: 0, ts: 0 };
      const done = order.map((k) => dpi.inspect(ctx, datagrams[k], 0, datagrams[k].length));
      assert.deepEqual(done, [false, false, true], `${version.toString(16)} ${order}`);
      assert.equal(dpi.facts.sni, 'chaos.example');
      assert.deepEqual(dpi.facts.alpn, ['h3']);
    }
  }
});
