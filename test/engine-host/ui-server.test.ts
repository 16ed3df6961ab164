/**
 * `sandpiper ui`'s server (src/engine-host/ui-server.ts) on a real socket, with the real engine and a stand-in
 * renderer: the token guards the page, its assets, downloads and the socket; Host and Origin are checked (DNS
 * rebinding); the app's CSP is sent with only the socket's connect-src added; it listens on loopback alone; uploads are
 * bounded, private and removed once replaced; a save is a one-time download.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { startUiServer, loopbackHost, safeUploadName, uiContentSecurityPolicy, type UiServer } from '../../src/engine-host/ui-server.ts';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../src/shared/csp.ts';
import { API_VERSION, type HostToPage } from '../../src/shared/api.ts';
import { uiSocketUrl, type UiShellReply } from '../../src/shared/ui-protocol.ts';
import { eth, ipv4, pcap, tcp, TCP } from '../engine/capture-fixtures.ts';

/** A small real capture: one TCP flow, two packets. */
const PCAP = pcap([
  { ts: 1700000000.000001, data: eth(0x0800, ipv4('192.0.2.10', '198.51.100.20', 6, tcp(40000, 80, TCP.SYN))) },
  { ts: 1700000000.1, data: eth(0x0800, ipv4('198.51.100.20', '192.0.2.10', 6, tcp(80, 40000, TCP.SYN | TCP.ACK))) },
]);

let dir = '';
let server: UiServer;
let port = 0;
let token = '';
const MAX_UPLOAD = 1024;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sp-ui-server-'));
  const renderer = path.join(dir, 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Sandpiper</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(path.join(renderer, 'assets/app.js'), 'export {};');
  server = await startUiServer({ rendererDir: renderer, host: { intervalMs: 5 }, maxUploadBytes: MAX_UPLOAD, listInterfaces: () => [{ name: 'lo', addresses: ['127.0.0.1'], up: true, loopback: true }] });
  const u = new URL(server.url);
  port = Number(u.port);
  token = u.pathname.split('/')[1];
});

after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function get(target: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: target, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
  });
}

interface Socket {
  ws: WebSocket;
  messages: (HostToPage | UiShellReply)[];
  next(pred: (m: HostToPage | UiShellReply) => boolean, what: string): Promise<HostToPage | UiShellReply>;
}

function connect(o: { path?: string; origin?: string | null; host?: string } = {}): Promise<Socket> {
  const host = o.host ?? `127.0.0.1:${port}`;
  const headers: Record<string, string> = { host };
  const origin = o.origin === undefined ? `http://${host}` : o.origin;
  const ws = new WebSocket(`ws://127.0.0.1:${port}${o.path ?? `/${token}/api`}`, { headers, ...(origin === null ? {} : { origin }) });
  const messages: (HostToPage | UiShellReply)[] = [];
  ws.on('message', (d, binary) => {
    if (!binary) messages.push(JSON.parse(d.toString()) as HostToPage);
  });
  const next: Socket['next'] = async (pred, what) => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const m = messages.find(pred);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail(`timed out waiting for ${what}: ${JSON.stringify(messages).slice(0, 500)}`);
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, next }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

test('the URL is 127.0.0.1 with a long random token; the server listens on loopback only', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32,}\/$/);
  // The page finds its socket from its own URL, and only a page served this way does.
  assert.equal(uiSocketUrl(server.url)?.href, server.url.replace('http:', 'ws:') + 'api');
  assert.equal(uiSocketUrl(`${server.url}index.html?x=1#y`)?.href, server.url.replace('http:', 'ws:') + 'api');
  assert.equal(uiSocketUrl(server.url.replace('127.0.0.1', 'localhost'))?.protocol, 'ws:');
  for (const other of ['http://localhost:3000/', 'app://sandpiper/index.html', server.url.replace('http:', 'https:'), server.url.replace('127.0.0.1', 'example.com'), `${server.url}assets/`, server.url.replace(/\/[^/]+\/$/, '/short/'), 'not a url']) {
    assert.equal(uiSocketUrl(other), null, other);
  }
  const other = await startUiServer({ rendererDir: path.join(dir, 'renderer'), host: {} });
  try {
    assert.notEqual(new URL(other.url).pathname, new URL(server.url).pathname, 'a fresh token per server');
  } finally {
    await other.close();
  }
  // Bound to 127.0.0.1, not to every address: another loopback address is not served.
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect({ host: '127.0.0.2', port }, () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
});

test('the page and its assets need the token; the app\'s CSP comes with only the socket\'s connect-src added', async () => {
  const page = await get(`/${token}/`);
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /<title>Sandpiper<\/title>/);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  const csp = page.headers['content-security-policy'];
  assert.equal(csp, CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ws://127.0.0.1:${port}`));
  assert.equal(csp, uiContentSecurityPolicy(`127.0.0.1:${port}`));
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (k !== 'Content-Security-Policy') assert.equal(page.headers[k.toLowerCase()], v, k);
  const asset = await get(`/${token}/assets/app.js`);
  assert.equal(asset.status, 200);
  assert.equal(asset.headers['content-security-policy'], csp);
  assert.equal((await get(`/${token}`)).headers.location, `/${token}/`, 'the bare token redirects to the page');

  const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  for (const target of ['/', '/index.html', '/assets/app.js', `/${wrong}/`, `/${wrong}/assets/app.js`, `/${token.slice(1)}/`, `/x/${token}/`, `//${token}/`, `/${token}/../index.html`, `/${token}/download/${'a'.repeat(24)}`]) {
    const r = await get(target);
    assert.equal(r.status, 404, target);
    assert.doesNotMatch(r.body.toString(), /Sandpiper|export/, target);
  }
});

test('Host must name loopback and Origin, when sent, must be the page\'s own (DNS rebinding)', async () => {
  assert.equal(loopbackHost(`localhost:${port}`), `localhost:${port}`);
  assert.equal(loopbackHost('[::1]:8080'), '[::1]:8080');
  for (const bad of [undefined, '', 'evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `127.0.0.2:${port}`, `0.0.0.0:${port}`, `127.0.0.1:${port}@evil`]) {
    assert.equal(loopbackHost(bad), null, String(bad));
  }
  for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, 'sandpiper.test']) assert.equal((await get(`/${token}/`, { host })).status, 403, host);
  // Through a tunnel the port may differ; the name must still be loopback.
  assert.equal((await get(`/${token}/`, { host: 'localhost:8080' })).status, 200);
  assert.equal((await get(`/${token}/`, { origin: 'http://evil.example' })).status, 403);
  assert.equal((await get(`/${token}/`, { origin: `http://localhost:${port}` })).status, 403, 'another origin than the Host');
  assert.equal((await get(`/${token}/`, { origin: `http://127.0.0.1:${port}` })).status, 200);
});

test('the socket needs the token, a loopback Host and the page\'s Origin; then it speaks the API', async () => {
  await assert.rejects(connect({ path: '/api' }), /HTTP 403/);
  await assert.rejects(connect({ path: `/${token.slice(0, -2)}xx/api` }), /HTTP 403/);
  await assert.rejects(connect({ path: `/${token}/other` }), /HTTP 403/);
  await assert.rejects(connect({ origin: null }), /HTTP 403/, 'no Origin');
  await assert.rejects(connect({ origin: 'http://evil.example' }), /HTTP 403/);
  await assert.rejects(connect({ host: `evil.example:${port}`, origin: `http://evil.example:${port}` }), /HTTP 403/);
  const s = await connect();
  try {
    assert.deepEqual(await s.next((m) => m.type === 'hello', 'hello'), { type: 'hello', version: API_VERSION });
    await s.next((m) => m.type === 'status', 'the current status');
    s.ws.send(JSON.stringify({ type: 'call', id: 1, method: 'listInterfaces' }));
    s.ws.send(JSON.stringify({ type: 'call', id: 2, method: 'openFile', arg: '/etc/passwd' }));
    s.ws.send(JSON.stringify({ type: 'call', id: 3, method: 'setPaused', arg: 'yes' }));
    s.ws.send('not json');
    const r1 = await s.next((m) => m.type === 'result' && m.id === 1, 'listInterfaces');
    assert.deepEqual((r1 as { value: unknown }).value, [{ name: 'lo', addresses: ['127.0.0.1'], up: true, loopback: true }]);
    const r2 = await s.next((m) => m.type === 'result' && m.id === 2, 'openFile refused');
    assert.equal((r2 as { value: { error: { code: string } } }).value.error.code, 'bad_arguments', 'the page cannot name a path');
    assert.equal(server.engineHost.getStatus().source, null);
    assert.deepEqual(await s.next((m) => m.type === 'error' && m.id === 3, 'setPaused refused'), { type: 'error', id: 3, message: 'Expected true or false.' });
  } finally {
    s.ws.close();
  }
});

async function upload(s: Socket, id: number, name: string, bytes: Uint8Array, announced = bytes.length): Promise<UiShellReply['value']> {
  s.ws.send(JSON.stringify({ type: 'shell', id, op: 'upload', name, size: announced }));
  if (bytes.length > 0) s.ws.send(bytes);
  const r = (await s.next((m) => m.type === 'shell' && m.id === id, `upload ${id}`)) as UiShellReply;
  return r.value;
}

test('uploads: bounded, private, opened under their own name, removed once replaced; a save is a one-time download', async () => {
  const s = await connect();
  try {
    const tooBig = await upload(s, 1, 'big.pcap', new Uint8Array(0), MAX_UPLOAD + 1);
    assert.equal(tooBig.ok, false);
    assert.match(!tooBig.ok ? tooBig.error.message : '', /big\.pcap: it is larger than/);
    assert.equal(server.engineHost.getStatus().source, null);

    const first = await upload(s, 2, '../../etc/first.pcap', PCAP);
    assert.deepEqual(first, { ok: true, value: { path: 'first.pcap' } }, 'the name the user knows, without its directories');
    const src = server.engineHost.getStatus().source;
    assert.equal(src?.kind, 'file');
    const stored = src?.kind === 'file' ? src.path : '';
    assert.equal(path.basename(stored), 'first.pcap');
    assert.ok(stored.startsWith(tmpdir()), stored);
    assert.equal(statSync(stored).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(path.dirname(stored))).mode & 0o777, 0o700, 'inside a private directory');

    s.ws.send(JSON.stringify({ type: 'shell', id: 3, op: 'save' }));
    const saved = ((await s.next((m) => m.type === 'shell' && m.id === 3, 'save')) as UiShellReply).value;
    assert.ok(saved.ok && saved.value.url);
    const url = saved.ok ? saved.value.url! : '';
    assert.match(url, /^download\/[A-Za-z0-9_-]{16,}$/);
    const dl = await get(`/${token}/${url}`);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers['content-disposition'], 'attachment; filename="capture.pcap"');
    assert.deepEqual(new Uint8Array(dl.body), PCAP);
    assert.equal((await get(`/${token}/${url}`)).status, 404, 'once only');
    // A newer save replaces a download not fetched yet (each is a whole copy of the capture).
    const save = async (id: number) => {
      s.ws.send(JSON.stringify({ type: 'shell', id, op: 'save' }));
      const v = ((await s.next((m) => m.type === 'shell' && m.id === id, `save ${id}`)) as UiShellReply).value;
      return v.ok ? v.value.url! : '';
    };
    const older = await save(10);
    const newer = await save(11);
    assert.equal((await get(`/${token}/${older}`)).status, 404);
    assert.equal((await get(`/${token}/${newer}`)).status, 200);

    // One flow's packets: a one-time download under the flow's name, and a clear refusal for a flow not in the table.
    s.ws.send(JSON.stringify({ type: 'shell', id: 12, op: 'saveFlow', flow: 1 }));
    const flow = ((await s.next((m) => m.type === 'shell' && m.id === 12, 'saveFlow')) as UiShellReply).value;
    assert.ok(flow.ok && flow.value.url, JSON.stringify(flow));
    assert.equal(flow.ok && flow.value.path, 'flow-1.pcap');
    assert.equal(flow.ok && flow.value.packets, 2);
    const fdl = await get(`/${token}/${flow.ok ? flow.value.url : ''}`);
    assert.equal(fdl.headers['content-disposition'], 'attachment; filename="flow-1.pcap"');
    assert.deepEqual(new Uint8Array(fdl.body), PCAP, 'the flow is the whole of this capture');
    s.ws.send(JSON.stringify({ type: 'shell', id: 13, op: 'saveFlow', flow: 99 }));
    const none = ((await s.next((m) => m.type === 'shell' && m.id === 13, 'saveFlow 99')) as UiShellReply).value;
    assert.ok(!none.ok && none.error.message === 'This flow is no longer in the table.');

    const second = await upload(s, 4, 'second.pcap', PCAP.slice());
    assert.equal(second.ok, true);
    assert.equal(existsSync(stored), false, 'the replaced upload is removed');
  } finally {
    s.ws.close();
  }
});

test('an upload that sends more than it announced closes the socket and leaves nothing', async () => {
  const s = await connect();
  const closed = new Promise<number>((resolve) => s.ws.once('close', (code) => resolve(code)));
  s.ws.send(JSON.stringify({ type: 'shell', id: 1, op: 'upload', name: 'liar.pcap', size: 2 }));
  s.ws.send(Uint8Array.from([5, 6, 7]));
  assert.equal(await closed, 1009);
  const src = server.engineHost.getStatus().source;
  assert.notEqual(src?.kind === 'file' ? path.basename(src.path) : '', 'liar.pcap');
});

test('upload names are tamed', () => {
  const cases: Array<[unknown, string]> = [
    ['a b-c_d.pcapng', 'a b-c_d.pcapng'],
    ['/x/../y.pcap', 'y.pcap'],
    ['C:\\u\\z.cap', 'z.cap'],
    ['..', 'capture.pcap'],
    ['', 'capture.pcap'],
    [7, 'capture.pcap'],
    ['$(id);`x`\n.pcap', '__id___x__.pcap'],
  ];
  for (const [name, want] of cases) assert.equal(safeUploadName(name), want, JSON.stringify(name));
  assert.ok(safeUploadName('x'.repeat(500)).length <= 200);
});

test('close stops the socket and removes the private directory', async () => {
  const s = await startUiServer({ rendererDir: path.join(dir, 'renderer'), host: {} });
  const u = new URL(s.url);
  const ws = new WebSocket(`ws://127.0.0.1:${u.port}${u.pathname}api`, { origin: `http://127.0.0.1:${u.port}` });
  await new Promise((r) => ws.once('open', r));
  const closed = new Promise((r) => ws.once('close', r));
  await s.close();
  await closed;
  await assert.rejects(fetch(s.url));
});
