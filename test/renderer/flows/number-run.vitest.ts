import { describe, expect, it } from 'vitest';
import { COLUMN_META } from '../../../src/shared/flows/columns.ts';
import { FIRST_NUMBER_COLUMN, NUMBER_COLUMNS, NUMBER_RUN_CH, NUMBER_WIDTH_CH, numberRun } from '../../../src/renderer/flows/number-run.ts';

/** Where each column ends in a run, in characters. */
const ends = NUMBER_COLUMNS.map((_, i) => NUMBER_COLUMNS.slice(0, i + 1).reduce((n, id) => n + NUMBER_WIDTH_CH[id], 0));

describe('number run', () => {
  it('covers exactly the last, numeric, columns', () => {
    expect(COLUMN_META.slice(FIRST_NUMBER_COLUMN).map((c) => c.id)).toEqual(NUMBER_COLUMNS);
    expect(COLUMN_META.slice(FIRST_NUMBER_COLUMN).every((c) => c.kind === 'number')).toBe(true);
    expect(COLUMN_META.slice(0, FIRST_NUMBER_COLUMN).every((c) => c.kind === 'text')).toBe(true);
  });

  it('right-aligns each value one character short of its column end, whatever the lengths', () => {
    const values = ['7.0 kB/s', '3 B/s', '1.9 MB', '1,012', '12:00:01.500', '—'];
    const run = numberRun(values);
    expect(run).toHaveLength(ends[ends.length - 1]);
    expect(run).toHaveLength(NUMBER_RUN_CH);
    values.forEach((v, i) => {
      expect(run.slice(ends[i] - 1 - v.length, ends[i] - 1)).toBe(v);
      expect(run[ends[i] - 1]).toBe(' ');
      // Nothing of the value spills left into the previous column.
      if (i > 0) expect(run.slice(ends[i - 1], ends[i] - 1 - v.length).trim()).toBe('');
    });
  });

  it('fits the longest values a live capture produces', () => {
    const longest = ['1000 TB/s', '1000 TB/s', '99999 TB', '999,999,999,999', '23:59:59.999', '23:59:59.999'];
    expect(numberRun(longest).split(' ').filter((x) => x.startsWith('#'))).toEqual([]);
  });

  it('shows a value too long for its column as #s instead of cutting it or pushing the next one over', () => {
    const run = numberRun(['1', '2', '3', '1,000,000,000,000,000', '4', '5']);
    expect(run).toHaveLength(ends[ends.length - 1]);
    expect(run.slice(ends[2], ends[3])).toBe('#'.repeat(NUMBER_WIDTH_CH.packets - 1) + ' ');
    expect(run.slice(ends[3], ends[4]).trim()).toBe('4');
  });
});
