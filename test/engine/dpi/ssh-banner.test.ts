import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSshBanner, MAX_BANNER } from '../../../src/engine/dpi/ssh-banner.ts';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import { ascii } from './builders.ts';

test('an identification string with CRLF or bare LF', () => {
  const b = ascii('SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n\0\0\0\x14kex');
  assert.deepEqual(parseSshBanner(b, 0, b.length), { status: 'done', banner: 'SSH-2.0-OpenSSH_9.6p1 Debian-4' });
  const c = ascii('SSH-1.99-dropbear\n');
  assert.deepEqual(parseSshBanner(c, 0, c.length), { status: 'done', banner: 'SSH-1.99-dropbear' });
});

test('server lines before the identification are skipped', () => {
  const b = ascii('Welcome\r\nbe nice\r\nSSH-2.0-srv\r\n');
  assert.deepEqual(parseSshBanner(b, 0, b.length), { status: 'done', banner: 'SSH-2.0-srv' });
});

test('partial banners wait; an overlong line is invalid', () => {
  const b = ascii('SSH-2.0-Open');
  assert.equal(parseSshBanner(b, 0, b.length).status, 'more');
  const long = ascii('SSH-2.0-' + 'x'.repeat(MAX_BANNER));
  assert.equal(parseSshBanner(long, 0, long.length).status, 'invalid');
});

test('both sides, server first, each split across segments', () => {
  const dpi = createFlowDpi(createNameCache());
  const srv = ascii('SSH-2.0-OpenSSH_9.2\r\n');
  const cli = ascii('SSH-2.0-PuTTY_Release_0.80\r\n');
  const c = (fromInitiator: boolean, seq: number) => ({ proto: 6 as const, fromInitiator, srcPort: 50000, dstPort: 22, seq, ts: 0 });
  assert.equal(dpi.inspect(c(false, 900), srv, 0, 6), false);
  assert.equal(dpi.facts.app, 'ssh');
  assert.equal(dpi.inspect(c(false, 906), srv, 6, srv.length - 6), false);
  assert.equal(dpi.facts.sshServer, 'SSH-2.0-OpenSSH_9.2');
  assert.equal(dpi.inspect(c(true, 10), cli, 0, 9), false);
  assert.equal(dpi.inspect(c(true, 19), cli, 9, cli.length - 9), true);
  assert.equal(dpi.facts.sshClient, 'SSH-2.0-PuTTY_Release_0.80');
});
