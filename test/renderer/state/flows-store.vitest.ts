// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createFlowsStore, indexOfId, rowAt } from '../../../src/renderer/state/flows-store.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
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
    // Every row sent: the next update replaces all of it.
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

  describe('rows left out (null) in a reply to setView', () => {
    /** A store holding flows 100..119 at positions 20..39 under order 5. */
    function holding() {
      const store = createFlowsStore();
      const rows = Array.from({ length: 20 }, (_, i) => row({ id: 100 + i, packets_rev: i }));
      store.getState().applyUpdate(update(1, { total: 200, count: 200, start: 20, rows, order: 5 }));
      return store;
    }
    const ids = (rows: readonly FlowRow[]) => rows.map((r) => r.id);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

    it('are filled from the rows held at their positions under the same order', () => {
      const store = holding();
      // Scrolled by 10: positions 30..39 held, 40..49 sent.
      const sent = [...Array.from({ length: 10 }, () => null), ...range(200, 210).map((id) => row({ id }))];
      store.getState().applyUpdate(update(2, { total: 200, count: 200, start: 30, rows: sent, order: 5 }));
      const s = store.getState();
      expect([s.start, s.gap, s.order]).toEqual([30, false, 5]);
      expect(ids(s.rows)).toEqual([...range(110, 120), ...range(200, 210)]);
      // The row held, as the last update sent it.
      expect(s.rows[0]).toEqual(row({ id: 110, packets_rev: 10 }));
      expect(rowAt(s, 35)?.id).toBe(115);
    });

    it('under another order are never filled from the rows held: the longest run sent is kept, and the gap said', () => {
      const store = holding();
      const sent = [row({ id: 1 }), null, null, row({ id: 2 }), row({ id: 3 }), row({ id: 4 }), null];
      store.getState().applyUpdate(update(2, { total: 200, count: 200, start: 20, rows: sent, order: 6 }));
      const s = store.getState();
      // Positions 20..26 held flows 100..106 under order 5: none of them may show under order 6.
      expect([s.start, ids(s.rows), s.gap, s.order]).toEqual([23, [2, 3, 4], true, 6]);
      for (let p = 20; p < 27; p++) expect(rowAt(s, p)?.id ?? null).not.toBe(100 + p - 20);
      // The next update that sends every row ends the gap.
      store.getState().applyUpdate(update(3, { total: 200, count: 200, start: 20, rows: range(1, 8).map((id) => row({ id })), order: 6 }));
      expect([store.getState().start, ids(store.getState().rows), store.getState().gap]).toEqual([20, range(1, 8), false]);
    });

    it('at a position not held are not filled: the run around the rows it could fill is kept', () => {
      const store = holding();
      // Positions 35..39 are held; 40..44 are not (an answer that did not follow the rows held).
      const sent = [row({ id: 1 }), ...Array.from({ length: 10 }, () => null), row({ id: 2 })];
      store.getState().applyUpdate(update(2, { total: 200, count: 200, start: 34, rows: sent, order: 5 }));
      const s = store.getState();
      expect([s.start, ids(s.rows), s.gap]).toEqual([34, [1, 115, 116, 117, 118, 119], true]);
      // A second null answer under the same order fills only from what is held now.
      store.getState().applyUpdate(update(3, { total: 200, count: 200, start: 30, rows: Array.from({ length: 10 }, () => null), order: 5 }));
      expect([store.getState().start, ids(store.getState().rows), store.getState().gap]).toEqual([34, [1, 115, 116, 117, 118, 119], true]);
    });
  });
});
