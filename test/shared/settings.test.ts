import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSettings, DEFAULT_SETTINGS, FILTER_HISTORY_MAX, rememberFilter, settingsFromFile, type Settings } from '../../src/shared/settings.ts';

const good: Settings = {
  version: 1, theme: 'dark', interface: 'eth0', filterHistory: ['proto:udp', 'host:example.com'], sortColumn: 'bytes',
  sortDir: 'asc', overviewOrder: 'rate', hiddenColumns: ['local'], columnWidths: { remote: 320 },
};

describe('settings', () => {
  it('saveSettings takes exactly the known fields, each valid', () => {
    assert.deepEqual(checkSettings(good), { ok: true, value: good });
    assert.deepEqual(checkSettings({ ...DEFAULT_SETTINGS }), { ok: true, value: { ...DEFAULT_SETTINGS } });
    const bad: [unknown, RegExp][] = [
      [null, /malformed/],
      [[], /malformed/],
      [{ ...good, extra: 1 }, /exactly the fields/],
      [{ ...good, version: 2 }, /exactly the fields/],
      [{ ...good, theme: 'blue' }, /theme/],
      [{ ...good, interface: '-i' }, /interface/],
      [{ ...good, interface: 'a b' }, /interface/],
      [{ ...good, filterHistory: ['a', 'a'] }, /filterHistory/],
      [{ ...good, filterHistory: [''] }, /filterHistory/],
      [{ ...good, filterHistory: Array.from({ length: FILTER_HISTORY_MAX + 1 }, (_, i) => `port:${i}`) }, /filterHistory/],
      [{ ...good, filterHistory: ['x'.repeat(5000)] }, /filterHistory/],
      [{ ...good, sortColumn: 'nope' }, /sortColumn/],
      [{ ...good, sortDir: 'up' }, /sortDir/],
      [{ ...good, hiddenColumns: ['process', 'local', 'remote', 'proto', 'state', 'down', 'up', 'bytes', 'packets', 'first_seen', 'last_seen'] }, /hiddenColumns/],
      // The flow key column (the remote end) is always shown.
      [{ ...good, hiddenColumns: ['remote'] }, /hiddenColumns/],
      [{ ...good, columnWidths: { remote: 5 } }, /columnWidths/],
      [{ ...good, columnWidths: { nope: 100 } }, /columnWidths/],
    ];
    for (const [v, reason] of bad) {
      const r = checkSettings(v);
      assert.equal(r.ok, false, JSON.stringify(v).slice(0, 80));
      assert.match((r as { reason: string }).reason, reason);
    }
  });

  it('a file of any version keeps its valid fields and defaults the rest', () => {
    assert.deepEqual(settingsFromFile(good), good);
    assert.deepEqual(settingsFromFile('nonsense'), { ...DEFAULT_SETTINGS });
    assert.deepEqual(settingsFromFile({ version: 7, theme: 'light', sortColumn: 'gone', future: true }), { ...DEFAULT_SETTINGS, theme: 'light' });
    // A fresh object each time: callers may change what they get.
    const a = settingsFromFile(null);
    a.filterHistory.push('x');
    assert.deepEqual(settingsFromFile(null).filterHistory, []);
  });

  it('the filter history puts the latest first, without repeats, capped', () => {
    assert.deepEqual(rememberFilter(['a', 'b', 'c'], 'b'), ['b', 'a', 'c']);
    assert.deepEqual(rememberFilter(['a'], '  d  '), ['d', 'a']);
    assert.deepEqual(rememberFilter(['a'], '   '), ['a']);
    const full = Array.from({ length: FILTER_HISTORY_MAX }, (_, i) => `port:${i}`);
    const next = rememberFilter(full, 'new');
    assert.equal(next.length, FILTER_HISTORY_MAX);
    assert.equal(next[0], 'new');
    assert.equal(next.at(-1), `port:${FILTER_HISTORY_MAX - 2}`);
  });
});
