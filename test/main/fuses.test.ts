import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const yml = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../electron-builder.yml');

/** The fuse list of docs/security-electron.md, as electron-builder's `electronFuses` keys. */
const FUSES: Record<string, boolean> = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
};

test('electron-builder.yml flips the Electron fuses the security checklist needs', { skip: existsSync(yml) ? false : 'electron-builder.yml is not in the tree yet' }, () => {
  const lines = readFileSync(yml, 'utf8').split('\n');
  const start = lines.findIndex((l) => /^electronFuses:\s*$/.test(l));
  assert.ok(start >= 0, 'electronFuses block present');
  const got: Record<string, boolean> = {};
  for (const l of lines.slice(start + 1)) {
    const m = /^\s+(\w+):\s*(true|false)\s*(#.*)?$/.exec(l);
    if (!m) break;
    got[m[1]] = m[2] === 'true';
  }
  assert.deepEqual(got, FUSES);
});
