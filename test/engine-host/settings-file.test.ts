import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultSettingsPath, SettingsFile } from '../../src/engine-host/settings-file.ts';
import { DEFAULT_SETTINGS } from '../../src/shared/settings.ts';

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sp-settings-'));
}

test('the settings path follows SANDPIPER_CONFIG_DIR, XDG_CONFIG_HOME, then HOME', () => {
  assert.equal(defaultSettingsPath({ SANDPIPER_CONFIG_DIR: '/c', XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/c/settings.json');
  assert.equal(defaultSettingsPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/sandpiper/settings.json');
  assert.equal(defaultSettingsPath({ HOME: '/h' }), '/h/.config/sandpiper/settings.json');
});

test('no file gives defaults; a save is private and read back whole', () => {
  const d = dir();
  try {
    const file = path.join(d, 'sub', 'settings.json');
    const f = new SettingsFile(file);
    assert.deepEqual(f.load(), { ...DEFAULT_SETTINGS });
    assert.equal(f.problem, null);
    const s = { ...DEFAULT_SETTINGS, theme: 'dark' as const, filterHistory: ['proto:udp'] };
    f.save(s);
    assert.deepEqual(new SettingsFile(file).load(), s);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
    // Saved again over the first.
    f.save({ ...s, theme: 'light' });
    assert.equal(new SettingsFile(file).load().theme, 'light');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a malformed, oversized or foreign file means defaults and says why, and is not a failure', () => {
  const d = dir();
  try {
    const file = path.join(d, 'settings.json');
    writeFileSync(file, '{not json');
    const f = new SettingsFile(file);
    assert.deepEqual(f.load(), { ...DEFAULT_SETTINGS });
    assert.match(f.problem ?? '', /not JSON/);
    writeFileSync(file, ' '.repeat(300 * 1024));
    assert.deepEqual(f.load(), { ...DEFAULT_SETTINGS });
    assert.match(f.problem ?? '', /larger than/);
    writeFileSync(file, JSON.stringify({ version: 3, theme: 'dark', sortDir: 'sideways' }));
    assert.deepEqual(f.load(), { ...DEFAULT_SETTINGS, theme: 'dark' });
    assert.equal(f.problem, null);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a link planted at the temporary name is not written through', () => {
  const d = dir();
  try {
    const file = path.join(d, 'settings.json');
    const victim = path.join(d, 'victim');
    writeFileSync(victim, 'keep');
    symlinkSync(victim, `${file}.${process.pid}.tmp`);
    new SettingsFile(file).save({ ...DEFAULT_SETTINGS, theme: 'dark' });
    assert.equal(readFileSync(victim, 'utf8'), 'keep');
    assert.equal(new SettingsFile(file).load().theme, 'dark');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('settings kept in memory last for the process', () => {
  const f = new SettingsFile(null);
  assert.deepEqual(f.load(), { ...DEFAULT_SETTINGS });
  f.save({ ...DEFAULT_SETTINGS, theme: 'dark' });
  assert.equal(f.load().theme, 'dark');
  assert.deepEqual(new SettingsFile(null).load(), { ...DEFAULT_SETTINGS });
});
