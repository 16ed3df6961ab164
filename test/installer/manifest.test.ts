import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileSizes, formatSums, isSafeName, ManifestError, MAX_BUNDLE_FILE_BYTES, parseSizes, parseSums, sha256File, verifyTree } from '../../src/installer/manifest.ts';
import { makeFakeBundle } from './fake-bundle.ts';

const H = 'a'.repeat(64);

test('parseSums reads sha256sum text and formatSums writes it back sorted', () => {
  const m = parseSums(`${'B'.repeat(64)} *node\n${H}  ./sandpiper-helper\n`);
  assert.deepEqual([...m.entries()], [['node', 'b'.repeat(64)], ['sandpiper-helper', H]]);
  assert.equal(formatSums(m), `${'b'.repeat(64)}  node\n${H}  sandpiper-helper\n`);
  assert.deepEqual(parseSums(formatSums(m)), m);
});

test('parseSums rejects malformed lines, unsafe names, duplicates and empty manifests', () => {
  for (const bad of [
    `${H}node\n`,
    `${H.slice(1)}  node\n`,
    `${H}  ../etc/shadow\n`,
    `${H}  /etc/shadow\n`,
    `${H}  a/../../b\n`,
    `${H}  na me\n`,
    `${H}  node\n${H}  node\n`,
    '',
    '\n\n',
  ]) {
    assert.throws(() => parseSums(bad), ManifestError, JSON.stringify(bad));
  }
  assert.equal(isSafeName('lib/koffi.node'), true);
  assert.equal(isSafeName('.hidden'), false);
});

test('file sizes: read from a bundle following its links, and parsed from a build strictly', () => {
  const b = makeFakeBundle();
  try {
    const sizes = fileSizes(b.dir, b.sums);
    assert.deepEqual([...sizes.keys()].sort(), [...b.sums.keys()].sort());
    assert.equal(sizes.get('node'), readFileSync(path.join(b.dir, 'node')).length, 'the link\'s target, as the install copies it');
    assert.deepEqual(parseSizes(JSON.stringify(Object.fromEntries(sizes))), sizes);
  } finally {
    rmSync(path.dirname(b.dir), { recursive: true, force: true });
  }
  for (const bad of ['[]', 'null', 'x', '{"../x":1}', '{"node":-1}', '{"node":1.5}', '{"node":"1"}', `{"node":${MAX_BUNDLE_FILE_BYTES + 1}}`]) {
    assert.throws(() => parseSizes(bad), ManifestError, bad);
  }
});

test('verifyTree reports changed, missing, unexpected and non-regular files', async () => {
  const b = makeFakeBundle();
  try {
    // The source bundle has a `node` symlink: not acceptable in an installed tree.
    let r = await verifyTree(b.dir, b.sums, ['SHA256SUMS']);
    assert.equal(r.ok, false);
    assert.deepEqual(r.notRegular, ['node']);

    const copy = path.join(path.dirname(b.dir), 'copy');
    mkdirSync(copy);
    for (const n of b.sums.keys()) writeFileSync(path.join(copy, n), readFileSync(path.join(b.dir, n)));
    r = await verifyTree(copy, b.sums);
    assert.equal(r.ok, true, JSON.stringify(r));

    writeFileSync(path.join(copy, 'sandpiper-helper.js'), 'process.exit(0)\n');
    rmSync(path.join(copy, 'koffi.node'));
    writeFileSync(path.join(copy, 'extra.js'), '1');
    symlinkSync('/etc/passwd', path.join(copy, 'link'));
    r = await verifyTree(copy, b.sums);
    assert.equal(r.ok, false);
    assert.deepEqual(r.mismatched, ['sandpiper-helper.js']);
    assert.deepEqual(r.missing, ['koffi.node']);
    assert.deepEqual(r.extra, ['extra.js']);
    assert.deepEqual(r.notRegular, ['link']);
  } finally {
    rmSync(path.dirname(b.dir), { recursive: true, force: true });
  }
});

test('sha256File matches the known digest of "abc"', async () => {
  const b = makeFakeBundle();
  try {
    const f = path.join(b.dir, 'abc');
    writeFileSync(f, 'abc');
    assert.equal(await sha256File(f), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  } finally {
    rmSync(path.dirname(b.dir), { recursive: true, force: true });
  }
});
