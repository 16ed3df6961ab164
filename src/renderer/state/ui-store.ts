/** View state: the screen shown, sorting, the flows filter, selection and which overlay is open. */
import { createStore } from 'zustand/vanilla';
import { columnMeta, type ColumnId, type SortDir } from '../../shared/flows/columns.ts';
import { parseFilterQuery } from '../../shared/flows/filter-query.ts';
import { MAX_FILTER_LENGTH, type OverviewOrder } from '../../shared/ipc.ts';
import { DEFAULT_SETTINGS, rememberFilter, type ThemeSetting } from '../../shared/settings.ts';

/** The two screens: the Overview (totals by group) first, and the flows table. */
export type Tab = 'overview' | 'flows';

export interface UiState {
  tab: Tab;
  overviewOrder: OverviewOrder;
  sortColumn: ColumnId;
  sortDir: SortDir;
  /** What the filter box holds. */
  filterText: string;
  /** The last filter text that parsed: what the engine host is asked to apply (a bad query keeps the previous one). */
  appliedFilter: string;
  /** Why filterText does not parse (checked here at once; the host checks again). */
  filterError: string | null;
  /** The selected flow, or null (while a selection by position is pending, the previous one). */
  selectedId: number | null;
  /** Select the flow at this position of the order (a key moved past the rows at hand); the next update names it. */
  pendingIndex: number | null;
  /** Scroll this position into view (a new object per request, so the same position twice scrolls twice). */
  scrollTarget: { index: number } | null;
  detailsOpen: boolean;
  securityOpen: boolean;
  /** The keyboard shortcuts sheet. */
  helpOpen: boolean;
  /** Light, dark or the desktop's choice (kept in the settings). */
  theme: ThemeSetting;
  /** Flows filters applied before, newest first (kept in the settings). */
  filterHistory: string[];
  setTab(tab: Tab): void;
  setTheme(theme: ThemeSetting): void;
  /** Filters the table to flows seen in [from, to] (capture time, seconds; null: the whole capture), as a seen: term. */
  setSeenRange(range: readonly [number, number] | null): void;
  /** Puts the applied filter first in the history (the user committed to it: Enter, leaving the box, an Overview entry). */
  rememberFilter(): void;
  setOverviewOrder(order: OverviewOrder): void;
  /** Shows the flows table filtered on `filter` (an Overview entry was chosen). */
  showFlows(filter: string): void;
  sortBy(column: ColumnId): void;
  setFilterText(text: string): void;
  select(id: number | null): void;
  selectIndex(index: number): void;
  /** The host named the flow at the pending position (null: there is none). */
  resolveSelection(id: number | null): void;
  scrollTo(index: number): void;
  openDetails(open: boolean): void;
  openSecurity(open: boolean): void;
  openHelp(open: boolean): void;
}

export function createUiStore(o: { tab?: Tab } = {}) {
  return createStore<UiState>()((set, get) => ({
    tab: o.tab ?? 'overview',
    overviewOrder: 'bytes',
    sortColumn: DEFAULT_SETTINGS.sortColumn,
    sortDir: DEFAULT_SETTINGS.sortDir,
    filterText: '',
    appliedFilter: '',
    filterError: null,
    selectedId: null,
    pendingIndex: null,
    scrollTarget: null,
    detailsOpen: false,
    securityOpen: false,
    helpOpen: false,
    theme: 'system',
    filterHistory: [],
    setTab(tab) {
      set({ tab });
    },
    setTheme(theme) {
      set({ theme });
    },
    setSeenRange(range) {
      const rest = get().filterText.replace(/(^|\s)seen:\S*/gi, '').trim();
      const term = range === null ? '' : `seen:${range[0].toFixed(3)}-${range[1].toFixed(3)}`;
      get().setFilterText([rest, term].filter((t) => t !== '').join(' '));
      get().rememberFilter();
    },
    rememberFilter() {
      const s = get();
      if (s.filterError !== null || s.appliedFilter.trim() === '') return;
      const next = rememberFilter(s.filterHistory, s.appliedFilter);
      if (next.join('\0') !== s.filterHistory.join('\0')) set({ filterHistory: next });
    },
    setOverviewOrder(order) {
      set({ overviewOrder: order });
    },
    showFlows(filter) {
      get().setFilterText(filter);
      get().rememberFilter();
      set({ tab: 'flows' });
    },
    sortBy(column) {
      const s = get();
      if (s.sortColumn === column) set({ sortDir: s.sortDir === 'asc' ? 'desc' : 'asc' });
      else set({ sortColumn: column, sortDir: columnMeta(column).firstDir });
    },
    setFilterText(text) {
      if (text.length > MAX_FILTER_LENGTH) {
        set({ filterText: text, filterError: `The filter is too long (at most ${MAX_FILTER_LENGTH} characters).` });
        return;
      }
      const r = parseFilterQuery(text);
      if (r.ok) set({ filterText: text, appliedFilter: text, filterError: null });
      else set({ filterText: text, filterError: r.error });
    },
    select(id) {
      set({ selectedId: id, pendingIndex: null });
    },
    selectIndex(index) {
      set({ pendingIndex: index });
    },
    resolveSelection(id) {
      set({ selectedId: id, pendingIndex: null, detailsOpen: get().detailsOpen && id !== null });
    },
    scrollTo(index) {
      set({ scrollTarget: { index } });
    },
    openDetails(open) {
      set({ detailsOpen: open && get().selectedId !== null });
    },
    openSecurity(open) {
      set({ securityOpen: open });
    },
    openHelp(open) {
      set({ helpOpen: open });
    },
  }));
}

export type UiStore = ReturnType<typeof createUiStore>;
