import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import { ascii, concat, hex } from './builders.ts';
import { KERBEROS_MESSAGE, TCP_APP_SEEDS } from './tcp-app-seeds.ts';

/** The label after the initiator's first payload (and the flow is done: nothing more is read). */
function label(payload: Uint8Array, sport: number, dport: number, proto: 6 | 17 = 6): { app: string | null; done: boolean } {
  const dpi = createFlowDpi(createNameCache());
  const done = dpi.inspect({ proto, fromInitiator: true, srcPort: sport, dstPort: dport, seq: 1000, ts: 0 }, payload, 0, payload.length);
  return { app: dpi.facts.app, done };
}

test('BitTorrent and MQTT on any port, SMB on 445/139, Kerberos on 88, each from the first bytes', () => {
  const [bt, mqtt, smb, krb] = TCP_APP_SEEDS;
  assert.deepEqual(label(bt, 40000, 6881), { app: 'bittorrent', done: true });
  assert.deepEqual(label(bt, 40000, 51413), { app: 'bittorrent', done: true });
  assert.deepEqual(label(mqtt, 40000, 1883), { app: 'mqtt', done: true });
  assert.deepEqual(label(mqtt, 40000, 9001), { app: 'mqtt', done: true });
  assert.deepEqual(label(smb, 40000, 445), { app: 'smb', done: true });
  assert.deepEqual(label(smb, 40000, 139), { app: 'smb', done: true });
  assert.deepEqual(label(krb, 40000, 88), { app: 'kerberos', done: true });
  assert.equal(label(KERBEROS_MESSAGE, 40000, 88, 17).app, 'kerberos');
});

test('a TCP label needs its structure: one field off, or the wrong port, labels nothing', () => {
  const [bt, mqtt, smb, krb] = TCP_APP_SEEDS;
  const badBt = bt.slice(); badBt[5] = 0x78;
  assert.equal(label(badBt, 40000, 6881).app, null);
  const v9 = mqtt.slice(); v9[8] = 9; // no MQTT level 9
  assert.equal(label(v9, 40000, 1883).app, null);
  assert.equal(label(concat(hex('1004'), ascii('\x00\x04MQ')), 40000, 1883).app, null, 'a CONNECT shorter than its fixed part');
  assert.equal(label(smb, 40000, 8445).app, null, 'SMB only on 445/139');
  const notSmb = smb.slice(); notSmb[6] = 0x00;
  assert.equal(label(notSmb, 40000, 445).app, null);
  assert.equal(label(krb, 40000, 8088).app, null, 'Kerberos only on 88');
  const longMark = krb.slice(); longMark[3]++; // the record claims one byte more than its message
  assert.equal(label(longMark, 40000, 88).app, null);
  const noSeq = KERBEROS_MESSAGE.slice(); noSeq[2] = 0x31;
  assert.equal(label(noSeq, 40000, 88, 17).app, null);
  assert.equal(label(concat(KERBEROS_MESSAGE, hex('00')), 40000, 88, 17).app, null, 'the message must span the datagram');
});

test('TLS, HTTP and SSH still win on the same ports', () => {
  assert.equal(label(ascii('GET / HTTP/1.1\r\nHost: a.test\r\n\r\n'), 40000, 445).app, 'http');
  assert.equal(label(ascii('SSH-2.0-x\r\n'), 40000, 88).app, 'ssh');
});
