// LDAP (TCP and connectionless), RDP's X.224 request, and OpenVPN's handshake (UDP and TCP): labelled only in their
// own shape, and tshark dissects the same fixtures as the same protocols.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/engine/index.ts';
import { createFlowDpi, createNameCache, dpiInternalErrors } from '../../../src/engine/dpi/index.ts';
import { pcap } from '../capture-fixtures.ts';
import { ascii, clientHelloMessage, concat, hex, tlsRecords, u16be } from './builders.ts';
import {
  LDAP_BIND, LDAP_BIND_OK, LDAP_SEARCH, OVPN_CLIENT_RESET, OVPN_CLIENT_RESET_AUTH, OVPN_SERVER_RESET, OVPN_SERVER_RESET_AUTH,
  RDP_CONFIRM, RDP_REQUEST, x224Request,
} from './directory-vpn-seeds.ts';
import { tcpConversation, tsharkFields, tsharkSkip, udpFrame } from './tshark-fixture.ts';

type Talk = { fromClient: boolean; data: Uint8Array }[];
const C = (data: Uint8Array) => ({ fromClient: true, data });
const S = (data: Uint8Array) => ({ fromClient: false, data });

function rowsOf(frames: number[][]) {
  const engine = createEngine({ detail: true, retainEnded: true });
  engine.push(pcap(frames.map((data, k) => ({ ts: 1_700_000_000 + k / 1000, data }))));
  engine.end();
  return [...engine.flows()].map((f) => engine.toRow(f, false));
}

function tcpApp(dport: number, talk: Talk): { app: string | null; sni: string | null } {
  const rows = rowsOf(tcpConversation(40000, dport, talk));
  assert.equal(rows.length, 1);
  return { app: rows[0].app, sni: rows[0].sni };
}

function udpApp(dport: number, datagrams: { fromClient: boolean; data: Uint8Array }[]): string | null {
  const rows = rowsOf(datagrams.map((d) => (d.fromClient ? udpFrame(40000, dport, d.data) : udpFrame(dport, 40000, d.data, true))));
  assert.equal(rows.length, 1);
  return rows[0].app;
}

/** OpenVPN over TCP: each packet after its 2-byte length. */
const framed = (p: Uint8Array) => concat(u16be(p.length), p);

test('LDAP: a bind or search on 389/3268 (TCP) and connectionless LDAP on UDP 389; StartTLS still reads the TLS', () => {
  assert.equal(tcpApp(389, [C(LDAP_BIND), S(LDAP_BIND_OK)]).app, 'ldap');
  assert.equal(tcpApp(3268, [C(LDAP_SEARCH)]).app, 'ldap');
  assert.equal(tcpApp(389, [S(LDAP_BIND_OK)]).app, 'ldap', 'the server\'s reply alone');
  assert.equal(udpApp(389, [C(LDAP_SEARCH)]), 'ldap');
  // The same bytes elsewhere, or off the shape, label nothing.
  assert.equal(tcpApp(8389, [C(LDAP_BIND)]).app, null);
  const v0 = LDAP_BIND.slice(); v0[7] = 0; // protocol version 0
  assert.equal(tcpApp(389, [C(v0)]).app, null);
  const scope9 = LDAP_SEARCH.slice(); scope9[9] = 9;
  assert.equal(udpApp(389, [C(scope9)]), null);
  assert.equal(udpApp(389, [C(concat(LDAP_SEARCH, hex('00')))]), null, 'a datagram is one whole message');
  const del = concat(hex('300702010a4a02'), ascii('cn')); // a DelRequest: not one of ours
  assert.equal(tcpApp(389, [C(del)]).app, null);
  const startTls = concat(hex('301d020101771880'), new Uint8Array([22]), ascii('1.3.6.1.4.1.1466.20037'));
  const hello = tlsRecords(clientHelloMessage({ sni: 'ldaps.example' }));
  assert.deepEqual(tcpApp(389, [C(startTls), S(hex('300c02010178070a010004000400')), C(hello)]), { app: 'tls', sni: 'ldaps.example' });
});

test('RDP: an X.224 request with the mstshash cookie or a Negotiation Request; TLS after it keeps the label and gives the SNI', () => {
  const hello = tlsRecords(clientHelloMessage({ sni: 'desk.example' }));
  assert.deepEqual(tcpApp(3389, [C(RDP_REQUEST), S(RDP_CONFIRM), C(hello)]), { app: 'rdp', sni: 'desk.example' });
  // Standard RDP security: MCS Connect Initial (another TPKT) follows.
  assert.equal(tcpApp(3389, [C(x224Request(ascii('Cookie: mstshash=bob\r\n'))), S(hex('0300000b06d00000123400')), C(hex('030001a302f0807f658201970401'))]).app, 'rdp');
  assert.equal(tcpApp(3389, [C(x224Request(hex('0100080003000000')))]).app, 'rdp');
  // ISO transport without RDP's marks (S7comm's Connection Request on 102): no label.
  assert.equal(tcpApp(102, [C(x224Request(hex('c1020100c2020102c0010a')))]).app, null);
  assert.equal(tcpApp(3389, [C(x224Request(ascii('Cookie: other=1\r\n')))]).app, null);
});

test('OpenVPN: the server\'s hard reset acknowledging the client\'s session id, over UDP and TCP, with or without tls-auth', () => {
  assert.equal(udpApp(1194, [C(OVPN_CLIENT_RESET), S(OVPN_SERVER_RESET)]), 'openvpn');
  assert.equal(udpApp(40001, [C(OVPN_CLIENT_RESET_AUTH), S(OVPN_SERVER_RESET_AUTH)]), 'openvpn', 'any port');
  assert.equal(tcpApp(1194, [C(framed(OVPN_CLIENT_RESET)), S(framed(OVPN_SERVER_RESET))]).app, 'openvpn');
  assert.equal(tcpApp(443, [C(framed(OVPN_CLIENT_RESET_AUTH)), S(framed(OVPN_SERVER_RESET_AUTH))]).app, 'openvpn');
  // One side alone, another session id, or the same direction: nothing.
  assert.equal(udpApp(1194, [C(OVPN_CLIENT_RESET)]), null);
  const other = OVPN_SERVER_RESET.slice(); other[15] ^= 1;
  assert.equal(udpApp(1194, [C(OVPN_CLIENT_RESET), S(other)]), null);
  assert.equal(udpApp(1194, [C(OVPN_CLIENT_RESET), C(OVPN_SERVER_RESET)]), null);
  const key1 = OVPN_CLIENT_RESET.slice(); key1[0] |= 1; // key id 1 on a hard reset
  assert.equal(udpApp(1194, [C(key1), S(OVPN_SERVER_RESET)]), null);
});

test('one datagram or segment at a time through the inspector: the label comes with the reply', () => {
  const errors = dpiInternalErrors();
  const dpi = createFlowDpi(createNameCache());
  const ctx = (fromInitiator: boolean) => ({ proto: 17 as const, fromInitiator, srcPort: 40000, dstPort: 1194, seq: 0, ts: 0 });
  assert.equal(dpi.inspect(ctx(true), OVPN_CLIENT_RESET, 0, OVPN_CLIENT_RESET.length), false);
  assert.equal(dpi.facts.app, null);
  assert.equal(dpi.inspect(ctx(false), OVPN_SERVER_RESET, 0, OVPN_SERVER_RESET.length), true);
  assert.equal(dpi.facts.app, 'openvpn');
  assert.equal(dpiInternalErrors(), errors);
});

test('tshark dissects the fixtures as LDAP, CLDAP, RDP and OpenVPN, with the same session ids', { skip: tsharkSkip }, () => {
  const protocols = (frames: number[][], extra: string[] = []) => tsharkFields(frames, ['frame.protocols'], extra).map((r) => r[0]);
  const ldap = protocols(tcpConversation(40000, 389, [C(LDAP_BIND), S(LDAP_BIND_OK), C(LDAP_SEARCH)]));
  assert.deepEqual(ldap.slice(3).map((p) => p.endsWith(':ldap')), [true, true, true], ldap.join(' '));
  assert.match(protocols([udpFrame(40000, 389, LDAP_SEARCH)])[0], /:cldap$/);
  const rdp = protocols(tcpConversation(40000, 3389, [C(RDP_REQUEST)]));
  assert.match(rdp[3], /:cotp:rdp$/);
  const ovpn = tsharkFields([udpFrame(40000, 1194, OVPN_CLIENT_RESET), udpFrame(1194, 40000, OVPN_SERVER_RESET, true)],
    ['frame.protocols', 'openvpn.opcode', 'openvpn.sessionid', 'openvpn.rsessionid']);
  assert.match(ovpn[0][0], /:openvpn$/);
  const id = (v: string) => (v ? BigInt(v).toString(16).padStart(16, '0') : '');
  assert.deepEqual(ovpn.map((r) => [Number(r[1]), id(r[2]), id(r[3])]), [[7, 'a1b2c3d4e5f60718', ''], [8, '1122334455667788', 'a1b2c3d4e5f60718']]);
  const tcpOvpn = protocols(tcpConversation(40000, 1194, [C(framed(OVPN_CLIENT_RESET)), S(framed(OVPN_SERVER_RESET))]));
  assert.deepEqual(tcpOvpn.slice(3).map((p) => p.endsWith(':openvpn')), [true, true], tcpOvpn.join(' '));
});
