// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createFlowsStore, indexOfId, rowAt } from '../../../src/renderer/state/flows-store.ts';
import { row, update } from '../fixtures.ts';

describe('flows store', () => {
  it('holds the latest view as the host sent it, and bumps version once per update', () => {
    const store = createFlowsStore();
    const v0 = store.getState().version;
    const rows = [row({ id: 7 }), row({ id: 3 })];
    const selected = { id: 3, index: 41, row: rows[1], down: [1, 2], up: [3, 4] };
    store.getState().applyUpdate(update(5, { viewSeq: 2, total: 90, count: 60, start: 40, rows, selected, filterError: 'Bad port "x".' }));
    const s = store.getState();
    expect(s).toMatchObject({ viewSeq: 2, total: 90, count: 60, start: 40, rows, selected, filterError: 'Bad port "x".', version: v0 + 1 });
    // Nothing is merged: the next update replaces all of it.
    store.getState().applyUpdate(update(6, { viewSeq: 3, total: 1, count: 1, rows: [row({ id: 1 })] }));
    expect(store.getState()).toMatchObject({ viewSeq: 3, total: 1, count: 1, start: 0, selected: null, filterError: null, version: v0 + 2 });
    expect(store.getState().rows.map((r) => r.id)).toEqual([1]);
  });

  it('finds rows by position and positions by id within the window, else from the selected flow', () => {
    const s = { start: 10, rows: [row({ id: 7 }), row({ id: 3 })], selected: { id: 99, index: 500, row: row({ id: 99 }), down: [], up: [] } };
    expect(rowAt(s, 10)?.id).toBe(7);
    expect(rowAt(s, 11)?.id).toBe(3);
    expect(rowAt(s, 9)).toBeUndefined();
    expect(rowAt(s, 12)).toBeUndefined();
    expect(indexOfId(s, 3)).toBe(11);
    expect(indexOfId(s, 99)).toBe(500);
    expect(indexOfId(s, 5)).toBe(-1);
    expect(indexOfId({ ...s, selected: { ...s.selected, index: -1 } }, 99)).toBe(-1);
  });
});
