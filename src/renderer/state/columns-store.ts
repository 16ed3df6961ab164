/**
 * The flows table's column layout: which columns are hidden and the widths the user gave some of them (kept in the
 * settings as hiddenColumns and columnWidths). A column without a width keeps its default track.
 * A capture file hides the process column besides (its sockets are long gone, so no row could name one) until the
 * user shows it from Columns…; that choice lasts while the file is shown and is not a setting.
 */
import { createStore } from 'zustand/vanilla';
import { COLUMN_IDS, FLOW_KEY_COLUMN, type ColumnId } from '../../shared/flows/columns.ts';
import { COLUMN_WIDTH_PX } from '../../shared/settings.ts';

export type ColumnWidths = Partial<Record<ColumnId, number>>;

/** Columns a capture file hides by default. */
export const FILE_HIDDEN_COLUMNS: readonly ColumnId[] = ['process'];

export type ColumnsSource = 'live' | 'file' | null;

export interface ColumnsState {
  /** The columns the table leaves out: the user's (saved) and the source's defaults not shown since. */
  hidden: readonly ColumnId[];
  /** The columns the user hid (the setting). */
  saved: readonly ColumnId[];
  /** The source's defaults still in force (FILE_HIDDEN_COLUMNS for a file, less those the user showed). */
  sourceHidden: readonly ColumnId[];
  widths: Readonly<ColumnWidths>;
  /** Gives a column a width in CSS pixels, rounded and kept within COLUMN_WIDTH_PX. */
  setWidth(id: ColumnId, px: number): void;
  /** Back to the column's default track. */
  resetWidth(id: ColumnId): void;
  /** Hides or shows a column; the flow key column is always shown. */
  setHidden(id: ColumnId, hidden: boolean): void;
  /** Both at once, as the settings hold them (already checked by the settings' own validator). */
  load(hidden: readonly ColumnId[], widths: Readonly<ColumnWidths>): void;
  /** A new source began: a file brings its default hidden columns back, a live capture (or none) drops them. */
  setSource(kind: ColumnsSource): void;
}

export function clampWidth(px: number): number {
  return Math.min(COLUMN_WIDTH_PX.max, Math.max(COLUMN_WIDTH_PX.min, Math.round(px)));
}

/** In the columns' own order, so the lists do not depend on the order of clicks. */
function ordered(keep: (c: ColumnId) => boolean): ColumnId[] {
  return COLUMN_IDS.filter((c) => c !== FLOW_KEY_COLUMN && keep(c));
}

function withHidden(saved: readonly ColumnId[], sourceHidden: readonly ColumnId[]) {
  return { saved, sourceHidden, hidden: ordered((c) => saved.includes(c) || sourceHidden.includes(c)) };
}

export function createColumnsStore() {
  return createStore<ColumnsState>()((set, get) => ({
    hidden: [],
    saved: [],
    sourceHidden: [],
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
      const { saved, sourceHidden } = get();
      if (id === FLOW_KEY_COLUMN || get().hidden.includes(id) === hidden) return;
      // Showing a column the source hid only lifts the source's default; hiding it again is the user's own choice.
      set(withHidden(ordered((c) => (c === id ? hidden : saved.includes(c))), sourceHidden.filter((c) => c !== id)));
    },
    load(hidden, widths) {
      set({ ...withHidden(ordered((c) => hidden.includes(c)), get().sourceHidden), widths: { ...widths } });
    },
    setSource(kind) {
      set(withHidden(get().saved, kind === 'file' ? FILE_HIDDEN_COLUMNS : []));
    },
  }));
}

export type ColumnsStore = ReturnType<typeof createColumnsStore>;
