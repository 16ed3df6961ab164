/**
 * The flows table's column layout: which columns are hidden and the widths the user gave some of them (kept in the
 * settings as hiddenColumns and columnWidths). A column without a width keeps its default track.
 */
import { createStore } from 'zustand/vanilla';
import { COLUMN_IDS, FLOW_KEY_COLUMN, type ColumnId } from '../../shared/flows/columns.ts';
import { COLUMN_WIDTH_PX } from '../../shared/settings.ts';

export type ColumnWidths = Partial<Record<ColumnId, number>>;

export interface ColumnsState {
  hidden: readonly ColumnId[];
  widths: Readonly<ColumnWidths>;
  /** Gives a column a width in CSS pixels, rounded and kept within COLUMN_WIDTH_PX. */
  setWidth(id: ColumnId, px: number): void;
  /** Back to the column's default track. */
  resetWidth(id: ColumnId): void;
  /** Hides or shows a column; the flow key column is always shown. */
  setHidden(id: ColumnId, hidden: boolean): void;
  /** Both at once, as the settings hold them (already checked by the settings' own validator). */
  load(hidden: readonly ColumnId[], widths: Readonly<ColumnWidths>): void;
}

export function clampWidth(px: number): number {
  return Math.min(COLUMN_WIDTH_PX.max, Math.max(COLUMN_WIDTH_PX.min, Math.round(px)));
}

export function createColumnsStore() {
  return createStore<ColumnsState>()((set, get) => ({
    hidden: [],
    widths: {},
    setWidth(id, px) {
      const w = clampWidth(px);
      if (get().widths[id] !== w) set({ widths: { ...get().widths, [id]: w } });
    },
    resetWidth(id) {
      if (get().widths[id] === undefined) return;
      const { [id]: _gone, ...rest } = get().widths;
      set({ widths: rest });
    },
    setHidden(id, hidden) {
      const now = get().hidden;
      if (id === FLOW_KEY_COLUMN || now.includes(id) === hidden) return;
      // Kept in the columns' own order, so the saved list does not depend on the order of clicks.
      set({ hidden: COLUMN_IDS.filter((c) => (c === id ? hidden : now.includes(c))) });
    },
    load(hidden, widths) {
      set({ hidden: COLUMN_IDS.filter((c) => c !== FLOW_KEY_COLUMN && hidden.includes(c)), widths: { ...widths } });
    },
  }));
}

export type ColumnsStore = ReturnType<typeof createColumnsStore>;
