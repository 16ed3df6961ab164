import { describe, expect, it } from 'vitest';
import { CellNames, NumberBlockWriter } from '../../../src/renderer/components/NumberCells.tsx';

/** A cell that counts the names it is given. */
function fakeCell() {
  const cell = {
    label: '',
    writes: 0,
    setAttribute(name: string, value: string) {
      expect(name).toBe('aria-label');
      cell.label = value;
      cell.writes++;
    },
  };
  return cell;
}

/** A text node that counts the writes it gets. */
function fakeText() {
  let data = '';
  const t = {
    writes: 0,
    get data() {
      return data;
    },
    set data(v: string) {
      data = v;
      t.writes++;
    },
  };
  return t;
}

describe('number cells', () => {
  it('name each cell, then rename only the ones whose number changed', () => {
    const cells = Array.from({ length: 6 }, fakeCell);
    const names = new CellNames(cells as unknown as Element[]);
    names.write(['1 B/s', '2 B/s', '3 B', '4', 'a', 'b']);
    expect(cells.map((c) => c.label)).toEqual(['1 B/s', '2 B/s', '3 B', '4', 'a', 'b']);
    names.write(['1 B/s', '2 B/s', '3 B', '4', 'a', 'b']);
    expect(cells.map((c) => c.writes)).toEqual([1, 1, 1, 1, 1, 1]);
    names.write(['1 B/s', '2 B/s', '3 B', '5', 'a', 'b']);
    expect(cells.map((c) => c.writes)).toEqual([1, 1, 1, 2, 1, 1]);
    expect(cells[3].label).toBe('5');
  });

  it('the block puts each row on its own line, open rows in the first text and closed ones in the dimmed second', () => {
    const w = new NumberBlockWriter();
    const open = fakeText();
    const closed = fakeText();
    // Nothing attached yet: nothing to write to, and no error.
    w.write(['x'], [false]);
    w.attach(open, closed);
    w.write(['a', 'b', '', 'd'], [false, true, false, false]);
    expect(open.data.split('\n')).toEqual(['a', '', '', 'd']);
    expect(closed.data.split('\n')).toEqual(['', 'b', '', '']);
    // The same lines again: no write at all.
    w.write(['a', 'b', '', 'd'], [false, true, false, false]);
    expect([open.writes, closed.writes]).toEqual([1, 1]);
    // Only open rows changed: the closed text is left alone.
    w.write(['A', 'b', '', 'D'], [false, true, false, false]);
    expect([open.writes, closed.writes]).toEqual([2, 1]);
    // Detached by the text it was attached with: writes stop.
    w.detach(open);
    w.write(['z', 'z', 'z', 'z'], [false, false, false, false]);
    expect(open.data.split('\n')).toEqual(['A', '', '', 'D']);
  });
});
