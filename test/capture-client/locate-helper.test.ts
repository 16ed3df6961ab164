import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEV_WARNING, HelperNotFoundError, locateHelper } from '../../src/capture-client/locate-helper.ts';

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'sp-locate-'));
}

function exe(p: string): string {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, '#!/bin/sh\n');
  chmodSync(p, 0o755);
  return p;
}

test('SANDPIPER_HELPER wins, and a non-root-owned one is flagged', () => {
  const d = scratch();
  try {
    const h = exe(path.join(d, 'my-helper'));
    const r = locateHelper({ env: { SANDPIPER_HELPER: h }, installedPaths: ['/usr/bin/true'] });
    assert.equal(r.path, h);
    assert.equal(r.source, 'env');
    assert.match(r.devWarning ?? '', /not root-owned/);
    assert.throws(() => locateHelper({ env: { SANDPIPER_HELPER: path.join(d, 'missing') } }), HelperNotFoundError);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('an installed copy counts only when root owns the whole path', () => {
  const d = scratch();
  try {
    const writable = exe(path.join(d, 'sandpiper-helper')); // under /tmp: world-writable ancestor
    // /usr/bin/true stands in for a root-owned installed helper.
    const r = locateHelper({ env: {}, installedPaths: ['/nonexistent/sandpiper-helper', writable, '/usr/bin/true'], searchFrom: d });
    assert.deepEqual(r, { path: '/usr/bin/true', source: 'installed', devWarning: null });
    assert.throws(() => locateHelper({ env: {}, installedPaths: [writable], searchFrom: d }), HelperNotFoundError);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('falls back to the dev build of the checkout, with the warning', () => {
  const d = scratch();
  try {
    writeFileSync(path.join(d, 'package.json'), '{}');
    const dev = exe(path.join(d, 'dist/helper/sandpiper-helper'));
    const deep = path.join(d, 'dist/cli');
    mkdirSync(deep, { recursive: true });
    const r = locateHelper({ env: {}, installedPaths: [], searchFrom: deep });
    assert.deepEqual(r, { path: dev, source: 'checkout', devWarning: DEV_WARNING });
    assert.equal(DEV_WARNING, 'running the capture helper from a source checkout');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
