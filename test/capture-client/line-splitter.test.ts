import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineSplitter } from '../../src/capture-client/line-splitter.ts';

function split(chunks: Array<string | Buffer>, max?: number) {
  const lines: string[] = [];
  const s = createLineSplitter((l) => lines.push(l), max);
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return { lines, overlong: s.overlong };
}

test('joins lines split across chunks at every position', () => {
  const text = '{"type":"hello"}\n{"type":"stats","received":1}\r\nlast';
  for (let cut = 0; cut <= text.length; cut++) {
    const { lines } = split([text.slice(0, cut), text.slice(cut)]);
    assert.deepEqual(lines, ['{"type":"hello"}', '{"type":"stats","received":1}', 'last'], `cut at ${cut}`);
  }
});

test('a multi-byte character split between chunks survives', () => {
  const b = Buffer.from('{"message":"naïve — ünïcode"}\n');
  for (let cut = 1; cut < b.length; cut++) {
    const { lines } = split([b.subarray(0, cut), b.subarray(cut)]);
    assert.deepEqual(lines, ['{"message":"naïve — ünïcode"}']);
  }
});

test('empty lines are skipped and an over-long line is dropped whole, then reading goes on', () => {
  const long = 'x'.repeat(100);
  const { lines, overlong } = split(['a\n\n\n', long.slice(0, 30), long.slice(30), '\nb\n', long + '\n', 'c'], 50);
  assert.deepEqual(lines, ['a', 'b', 'c']);
  assert.equal(overlong, 2);
});
