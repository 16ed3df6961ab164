import { describe, expect, it } from 'vitest';
import { NumberWriter } from '../../../src/renderer/components/NumberCells.tsx';
import { numberRun, numberTexts } from '../../../src/renderer/flows/number-run.ts';
import { row } from '../fixtures.ts';

/** A cell that counts the writes it gets. */
function fakeCell() {
  const cell = { label: '', writes: 0, setAttribute(name: string, value: string) {
    expect(name).toBe('aria-label');
    cell.label = value;
    cell.writes++;
  } };
  return cell;
}

/** A text node that counts the writes it gets. */
function fakeText() {
  let data = '';
  const t = { writes: 0, get data() { return data; }, set data(v: string) { data = v; t.writes++; } };
  return t;
}

describe('number writer', () => {
  it('writes the names and the run of a row, then only the strings that changed', () => {
    const cells = Array.from({ length: 6 }, fakeCell);
    const text = fakeText();
    const w = new NumberWriter(cells as unknown as Element[], text);
    const a = row({ id: 1, bytes_fwd: 1_000, packets_fwd: 3, rate_fwd_1s: 10 });
    w.write(a);
    expect(cells.map((c) => c.label)).toEqual(numberTexts(a));
    expect(text.data).toBe(numberRun(numberTexts(a)));
    expect(cells.map((c) => c.writes)).toEqual([1, 1, 1, 1, 1, 1]);
    // Same numbers (a new object, as every update brings): nothing is written.
    w.write({ ...a });
    expect(cells.map((c) => c.writes)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(text.writes).toBe(1);
    // Packets moved: that cell and the run, nothing else.
    const b = { ...a, packets_fwd: 4 };
    w.write(b);
    expect(cells.map((c) => c.writes)).toEqual([1, 1, 1, 2, 1, 1]);
    expect(cells[3].label).toBe(numberTexts(b)[3]);
    expect(text.writes).toBe(2);
    expect(text.data).toBe(numberRun(numberTexts(b)));
  });
});
