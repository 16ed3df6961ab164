import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayText, displayTextOrNull, REPLACEMENT as R } from '../../src/engine/display-text.ts';

test('controls, bidi controls and invisible format characters are each replaced, visibly', () => {
  const bidi = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];
  for (const c of bidi) assert.equal(displayText(`a${c}b`), `a${R}b`, `U+${c.codePointAt(0)?.toString(16)}`);
  const controls = ['\0', '\t', '\n', '\r', '\x1b', '\x7f', '\x85', '\x9b', '\u2028', '\u2029'];
  for (const c of controls) assert.equal(displayText(`a${c}b`), `a${R}b`, `U+${c.codePointAt(0)?.toString(16)}`);
  const invisible = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u{E0041}'];
  for (const c of invisible) assert.equal(displayText(`a${c}b`), `a${R}b`, `U+${c.codePointAt(0)?.toString(16)}`);
  // A name built to read as another program's: "evil" + RLO + "cod.exe" shows as "evilexe.doc" unless neutralised.
  assert.equal(displayText('evil\u202Ecod.exe'), `evil${R}cod.exe`);
  assert.equal(displayText('\x1b[2J\x1b[31mfirefox'), `${R}[2J${R}[31mfirefox`);
});

test('ordinary text is unchanged, right-to-left scripts and emoji included', () => {
  for (const s of ['firefox', '/usr/lib/firefox/firefox', 'Web Content', 'пример', 'שלום', 'مرحبا', '日本語', 'a b-c_d.e', '🦊']) {
    assert.equal(displayText(s), s);
  }
});

test('length is bounded in code points, never splitting a surrogate pair', () => {
  assert.equal(displayText('abcdef', 3), 'abc');
  assert.equal(displayText('🦊🦊🦊', 2), '🦊🦊');
  assert.equal(displayText('x'.repeat(5000)).length, 4096);
  assert.equal(displayTextOrNull(null), null);
  assert.equal(displayTextOrNull(''), null);
  assert.equal(displayTextOrNull('\u202E'), R);
});
