/**
 * `sandpiper ui`: the built CLI under the system Node prints exactly one JSON line with its URL, serves the page and
 * the socket there, opens FILE at start, and stops cleanly on Ctrl-C; in-process: arguments, the browser opened
 * (or not), a missing renderer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { ensureCliBundle, REPO_ROOT, SYSTEM_NODE } from '../engine/cli-bundle.ts';
import { eth, ipv4, pcap, tcp, TCP } from '../engine/capture-fixtures.ts';
import { parseUiArgs, runUi, UI_USAGE } from '../../src/cli/ui.ts';
import type { HostToPage } from '../../src/shared/api.ts';

const capture = pcap([
  { ts: 1700000000.000001, data: eth(0x0800, ipv4('192.0.2.10', '198.51.100.20', 6, tcp(40000, 80, TCP.SYN))) },
  { ts: 1700000000.1, data: eth(0x0800, ipv4('198.51.100.20', '192.0.2.10', 6, tcp(80, 40000, TCP.SYN | TCP.ACK))) },
]);

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-cli-ui-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function fixtureRenderer(dir: string): string {
  const r = path.join(dir, 'renderer');
  mkdirSync(r, { recursive: true });
  writeFileSync(path.join(r, 'index.html'), '<!doctype html><title>Sandpiper</title>');
  return r;
}

test('arguments: FILE, --port, --no-open, --json; mistakes are usage errors', () => {
  assert.deepEqual(parseUiArgs([]), { file: null, port: 0, open: true, json: false });
  assert.deepEqual(parseUiArgs(['a.pcap', '--port', '8080', '--no-open', '--json']), { file: 'a.pcap', port: 8080, open: false, json: true });
  assert.equal(parseUiArgs(['--help']), 'help');
  for (const bad of [['--port'], ['--port', 'x'], ['--port', '65536'], ['--port', '-1'], ['a', 'b'], ['--open-wide']]) assert.equal(typeof parseUiArgs(bad), 'string', bad.join(' '));
});

test('the built CLI: one JSON line with the URL, the page and the socket there, FILE opened, Ctrl-C stops it with status 0', { skip: process.platform === 'linux' ? false : 'Linux only' }, async () => {
  const cli = ensureCliBundle();
  await withDir(async (dir) => {
    const file = path.join(dir, 'two.pcap');
    writeFileSync(file, capture);
    const child = spawn(SYSTEM_NODE, [cli, 'ui', file, '--no-open', '--json'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (const deadline = Date.now() + 30_000; !stdout.includes('\n'); ) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`no URL line; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const line = JSON.parse(stdout.split('\n')[0]) as { type: string; url: string };
      assert.deepEqual(Object.keys(line), ['type', 'url']);
      assert.equal(line.type, 'ui');
      assert.match(line.url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32,}\/$/);
      const u = new URL(line.url);
      const page = await fetch(line.url);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${u.port}`));
      assert.equal((await fetch(`${u.origin}/`)).status, 404, 'nothing without the token');
      // The page's socket: the file given on the command line is already the source.
      const ws = new WebSocket(`ws://127.0.0.1:${u.port}${u.pathname}api`, { origin: u.origin });
      const messages: HostToPage[] = [];
      ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as HostToPage));
      await new Promise((r) => ws.once('open', r));
      for (let i = 0; i < 200 && !messages.some((m) => m.type === 'status'); i++) await new Promise((r) => setTimeout(r, 10));
      const status = messages.find((m) => m.type === 'status');
      assert.ok(status && status.type === 'status');
      assert.deepEqual(status.status.source, { kind: 'file', path: file });
      const closed = new Promise((r) => ws.once('close', r));
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      await closed;
      assert.equal(stdout, `${stdout.split('\n')[0]}\n`, 'exactly one line on stdout');
      await assert.rejects(fetch(line.url), 'the port is closed');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

test('the built CLI: a FILE that cannot be read is an error (66) before anything is served; bad arguments are 64', () => {
  const cli = ensureCliBundle();
  const missing = spawnSync(SYSTEM_NODE, [cli, 'ui', '/nonexistent/sp-ui.pcap', '--no-open', '--json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(missing.status, 66, missing.stderr);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /Cannot read sp-ui\.pcap: the file does not exist\./);
  const usage = spawnSync(SYSTEM_NODE, [cli, 'ui', '--port', 'eighty'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(usage.status, 64);
  assert.ok(usage.stderr.includes(UI_USAGE));
  const help = spawnSync(SYSTEM_NODE, [cli, '--help'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.match(help.stdout, /sandpiper ui \[FILE\] \[--port N\] \[--no-open\] \[--json\]/);
});

test('the browser is opened (on a private redirect to the URL) unless --no-open; a plain start says how to stop', async () => {
  await withDir(async (dir) => {
    const rendererDir = fixtureRenderer(dir);
    for (const noOpen of [false, true]) {
      const out: string[] = [];
      const opened: string[] = [];
      const pages: string[] = [];
      let stop = () => {};
      const stopped = new Promise<void>((r) => (stop = r));
      const code = await runUi(noOpen ? ['--no-open'] : [], {
        out: (s) => void out.push(s),
        err: () => {},
        rendererDir,
        openUrl: (target, u) => {
          opened.push(u);
          // The browser gets a private file that redirects to the URL: the token is on no command line.
          assert.ok(!target.includes(new URL(u).pathname.split('/')[1]), target);
          assert.equal(statSync(target).mode & 0o777, 0o600);
          pages.push(readFileSync(target, 'utf8'));
        },
        stopped: () => stopped,
        started: () => stop(),
      });
      assert.equal(code, 0);
      const url = /Sandpiper is at (\S+)/.exec(out.join(''))?.[1];
      assert.ok(url, out.join(''));
      assert.match(out.join(''), /Ctrl-C/);
      assert.deepEqual(opened, noOpen ? [] : [url]);
      if (!noOpen) assert.ok(pages[0].includes(`<meta http-equiv="refresh" content="0;url=${url}">`), pages[0]);
    }
  });
});

test('without a built renderer it says so (69)', async () => {
  const err: string[] = [];
  assert.equal(await runUi(['--no-open'], { out: () => {}, err: (s) => void err.push(s), rendererDir: '/nonexistent/renderer', stopped: () => new Promise(() => {}) }), 69);
  assert.match(err.join(''), /not built.*npm run build/);
});
