import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAppProtocolHandler, APP_SCHEME_PRIVILEGES } from '../../src/engine-host/renderer-files.ts';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp.ts';

function fixture(): { root: string; outside: string; done(): void } {
  const base = mkdtempSync(path.join(tmpdir(), 'sp-proto-'));
  const root = path.join(base, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'assets', 'app.css'), 'body{}');
  writeFileSync(path.join(base, 'secret.js'), 'secret');
  symlinkSync(path.join(base, 'secret.js'), path.join(root, 'assets', 'escape.js'));
  return { root, outside: path.join(base, 'secret.js'), done: () => rmSync(base, { recursive: true, force: true }) };
}

test('CSP: no inline script, no eval, nothing but the app itself', () => {
  const d = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1).join(' ')]));
  assert.equal(d['default-src'], "'none'");
  assert.equal(d['script-src'], "'self'");
  assert.equal(d['style-src'], "'self'");
  assert.equal(d['object-src'], "'none'");
  assert.equal(d['base-uri'], "'none'");
  assert.equal(d['frame-ancestors'], "'none'");
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|\*|http:|https:|ws:/);
});

test('app:// is a standard secure scheme that does not bypass CSP', () => {
  assert.equal(APP_SCHEME_PRIVILEGES.scheme, 'app');
  assert.equal(APP_SCHEME_PRIVILEGES.privileges.standard, true);
  assert.equal(APP_SCHEME_PRIVILEGES.privileges.secure, true);
  assert.equal(APP_SCHEME_PRIVILEGES.privileges.bypassCSP, false);
  assert.equal(APP_SCHEME_PRIVILEGES.privileges.allowServiceWorkers, false);
});

test('app:// serves the renderer with the CSP header and right content types', async () => {
  const f = fixture();
  try {
    const h = createAppProtocolHandler(f.root);
    for (const [url, type, body] of [
      ['app://sandpiper/', 'text/html; charset=utf-8', '<!doctype html><title>x</title>'],
      ['app://sandpiper/index.html', 'text/html; charset=utf-8', '<!doctype html><title>x</title>'],
      ['app://sandpiper/assets/app.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
      ['app://sandpiper/assets/app.css', 'text/css; charset=utf-8', 'body{}'],
    ] as const) {
      const r = await h(new Request(url));
      assert.equal(r.status, 200, url);
      assert.equal(r.headers.get('content-type'), type);
      assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(await r.text(), body);
    }
  } finally {
    f.done();
  }
});

test('app:// refuses other hosts, traversal, symlink escapes, unknown types and non-GET methods', async () => {
  const f = fixture();
  try {
    const h = createAppProtocolHandler(f.root);
    const status = async (url: string, init?: RequestInit) => (await h(new Request(url, init))).status;
    assert.equal(await status('app://evil/index.html'), 403);
    assert.equal(await status('app://sandpiper/../secret.js'), 404, 'URL parsing removes .. above the root');
    assert.equal(await status('app://sandpiper/%2e%2e/secret.js'), 404);
    assert.equal(await status('app://sandpiper/assets%2f..%2f..%2fsecret.js'), 404);
    assert.equal(await status('app://sandpiper/assets/escape.js'), 403, 'a symlink out of the root is refused');
    assert.equal(await status('app://sandpiper/assets/missing.js'), 404);
    assert.equal(await status('app://sandpiper/assets'), 404);
    assert.equal(await status('app://sandpiper/index.html%00.js'), 400);
    assert.equal(await status('app://sandpiper/x.exe'), 404);
    assert.equal(await status('app://sandpiper/index.html', { method: 'POST', body: 'x' }), 405);
    const r = await h(new Request('app://evil/'));
    assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, 'errors carry the headers too');
  } finally {
    f.done();
  }
});
