/** View state: sorting, the flows filter, selection and which overlay is open. */
import { createStore } from 'zustand/vanilla';
import type { ColumnId, SortDir } from '../flows/columns.ts';
import { columnById } from '../flows/columns.ts';
import type { FlowPredicate } from '../flows/filter-query.ts';
import { parseFilterQuery } from '../flows/filter-query.ts';

export interface UiState {
  sortColumn: ColumnId;
  sortDir: SortDir;
  filterText: string;
  /** The last query that parsed; a bad query keeps the previous filter applied. */
  predicate: FlowPredicate | null;
  filterError: string | null;
  selectedId: number | null;
  detailsOpen: boolean;
  securityOpen: boolean;
  sortBy(column: ColumnId): void;
  setFilterText(text: string): void;
  select(id: number | null): void;
  openDetails(open: boolean): void;
  openSecurity(open: boolean): void;
}

export function createUiStore() {
  return createStore<UiState>()((set, get) => ({
    sortColumn: 'last_seen',
    sortDir: 'desc',
    filterText: '',
    predicate: null,
    filterError: null,
    selectedId: null,
    detailsOpen: false,
    securityOpen: false,
    sortBy(column) {
      const s = get();
      if (s.sortColumn === column) set({ sortDir: s.sortDir === 'asc' ? 'desc' : 'asc' });
      else set({ sortColumn: column, sortDir: columnById(column).firstDir });
    },
    setFilterText(text) {
      const r = parseFilterQuery(text);
      if (r.ok) set({ filterText: text, predicate: r.predicate, filterError: null });
      else set({ filterText: text, filterError: r.error });
    },
    select(id) {
      set({ selectedId: id });
    },
    openDetails(open) {
      set({ detailsOpen: open && get().selectedId !== null });
    },
    openSecurity(open) {
      set({ securityOpen: open });
    },
  }));
}

export type UiStore = ReturnType<typeof createUiStore>;
