import { memo, useDeferredValue, useEffect, useMemo, useRef, type MouseEvent } from 'react';
import { useStore } from 'zustand';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { FlowRow } from '../../shared/flow.ts';
import { useStores } from '../state/app-stores.ts';
import { COLUMNS, columnById, type ColumnId, type SortDir } from '../flows/columns.ts';
import { downRate, upRate, totalBytes, totalPackets, isClosed, localAddr, localPort, remoteAddr, remotePort, protoLabel } from '../flows/endpoints.ts';
import { formatBytes, formatClock, formatCount, formatEndpoint, formatRate } from '../format.ts';
import { FilterBar } from './FilterBar.tsx';

export const ROW_HEIGHT = 28;
/** One grid template for header and rows so the columns line up. */
export const GRID_COLS =
  'grid grid-cols-[minmax(9rem,1.1fr)_minmax(11rem,1.3fr)_minmax(14rem,2fr)_6.5rem_6.5rem_6rem_6rem_6rem_6rem_7.5rem_7.5rem]';

export function rowDomId(id: number): string {
  return `flow-row-${id}`;
}

function Cells({ r }: { r: FlowRow }) {
  const remote = formatEndpoint(remoteAddr(r), remotePort(r));
  const proc = r.process !== null ? (r.pid !== null ? `${r.process} (${r.pid})` : r.process) : r.process_hidden ? 'other user' : '—';
  const cells: Record<ColumnId, string> = {
    process: proc,
    local: formatEndpoint(localAddr(r), localPort(r)),
    remote: r.host ? `${r.host} · ${remote}` : remote,
    proto: protoLabel(r),
    state: r.state.replace('_', ' '),
    down: formatRate(downRate(r)),
    up: formatRate(upRate(r)),
    bytes: formatBytes(totalBytes(r)),
    packets: formatCount(totalPackets(r)),
    first_seen: formatClock(r.first_seen),
    last_seen: formatClock(r.last_seen),
  };
  return (
    <>
      {COLUMNS.map((c) => (
        <div
          key={c.id}
          role="gridcell"
          className={c.kind === 'number' ? 'px-2 text-right font-mono tabular-nums whitespace-nowrap' : 'truncate px-2 contain-content'}
          title={c.id === 'remote' || c.id === 'process' ? cells[c.id] : undefined}
        >
          {cells[c.id]}
        </div>
      ))}
    </>
  );
}

/** The column headers: re-rendered only when the sort changes, not on every update. */
const FlowsHeader = memo(function FlowsHeader({ sortColumn, sortDir, onSort }: { sortColumn: ColumnId; sortDir: SortDir; onSort: (c: ColumnId) => void }) {
  return (
    <div role="rowgroup" className="sticky top-0 z-10 bg-zinc-100 dark:bg-zinc-800">
      <div role="row" aria-rowindex={1} className={`${GRID_COLS} h-8 items-center border-b border-zinc-200 dark:border-zinc-700`}>
        {COLUMNS.map((c) => {
          const active = c.id === sortColumn;
          return (
            <div key={c.id} role="columnheader" aria-sort={active ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none'} className="min-w-0">
              <button
                type="button"
                className={`flex w-full items-center gap-1 truncate px-2 py-1 text-xs font-semibold uppercase tracking-wide hover:bg-zinc-200 dark:hover:bg-zinc-700 ${c.kind === 'number' ? 'justify-end' : ''}`}
                onClick={() => onSort(c.id)}
              >
                {c.label}
                <span aria-hidden="true" className="w-2">{active ? (sortDir === 'asc' ? '▲' : '▼') : ''}</span>
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
});

/** One flow row; re-renders only when its row object, position or selection changed. */
const FlowRowView = memo(function FlowRowView({ r, index, selected }: { r: FlowRow; index: number; selected: boolean }) {
  const closed = isClosed(r);
  return (
    <div
      id={rowDomId(r.id)}
      data-flow-id={r.id}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-closed={closed || undefined}
      className={`${GRID_COLS} h-7 w-full cursor-default items-center contain-strict border-b border-zinc-100 dark:border-zinc-800 ${
        selected ? 'bg-sky-100 dark:bg-sky-900/60' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800/60'
      } ${closed ? 'text-zinc-400 dark:text-zinc-500' : ''}`}
    >
      <Cells r={r} />
    </div>
  );
});

/** The flow id of the row an event happened in (rows share one handler instead of a closure each). */
function eventFlowId(e: MouseEvent): number | null {
  const el = e.target instanceof Element ? e.target.closest('[data-flow-id]') : null;
  const id = el === null ? NaN : Number(el.getAttribute('data-flow-id'));
  return Number.isFinite(id) ? id : null;
}

export function FlowsTable() {
  const stores = useStores();
  const { flows, ui, view } = stores;
  // Re-rendered once per update; the table only reads the few rows it shows.
  const version = useStore(flows, (s) => s.version);
  const sortColumn = useStore(ui, (s) => s.sortColumn);
  const sortDir = useStore(ui, (s) => s.sortDir);
  // Deferred so typing in the filter stays responsive while a large table is re-filtered in the background.
  const predicate = useDeferredValue(useStore(ui, (s) => s.predicate));
  const selectedId = useStore(ui, (s) => s.selectedId);

  const spec = useMemo(() => ({ column: columnById(sortColumn), dir: sortDir, predicate }), [sortColumn, sortDir, predicate]);
  // Incremental inside FlowView: only the rows this update changed are looked at, nothing is sorted here.
  const count = useMemo(() => view.sync(flows.getState(), spec), [version, spec, flows, view]);
  const rows = flows.getState().rows;

  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    initialRect: { width: 1200, height: 600 },
  });

  const selectedShown = selectedId !== null && view.has(selectedId);
  useEffect(() => {
    if (selectedId === null) return;
    const i = view.indexOf(selectedId);
    if (i >= 0) virt.scrollToIndex(i, { align: 'auto' });
    // Only when the selection moves, not on every update.
  }, [selectedId]);

  const onSort = useMemo(() => (c: ColumnId) => ui.getState().sortBy(c), [ui]);
  const onClick = (e: MouseEvent) => {
    const id = eventFlowId(e);
    if (id !== null) ui.getState().select(id);
  };
  const onDoubleClick = (e: MouseEvent) => {
    const id = eventFlowId(e);
    if (id === null) return;
    ui.getState().select(id);
    ui.getState().openDetails(true);
  };

  const items = virt.getVirtualItems();
  // Only the rendered window is put in order (see FlowView.range).
  const ids = items.length > 0 ? view.range(items[0].index, items[items.length - 1].index + 1) : [];
  return (
    <section aria-label="Flows" className="flex min-h-0 min-w-0 flex-1 flex-col">
      <FilterBar shown={count} total={rows.size} />
      <div
        ref={scrollRef}
        id="flows-grid"
        role="grid"
        aria-label="Flows"
        aria-rowcount={count + 1}
        aria-colcount={COLUMNS.length}
        aria-activedescendant={selectedShown ? rowDomId(selectedId) : undefined}
        tabIndex={0}
        className="min-h-0 flex-1 overflow-auto contain-strict border-t border-zinc-200 text-sm focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 dark:border-zinc-700"
      >
        <div className="min-w-[80rem]">
          <FlowsHeader sortColumn={sortColumn} sortDir={sortDir} onSort={onSort} />
          <div role="rowgroup" className="relative" style={{ height: virt.getTotalSize() }} onClick={onClick} onDoubleClick={onDoubleClick}>
            {/* One moved block of rows in normal flow (rows are fixed-height): a single transform to paint and
                composite instead of one per row. */}
            <div className="absolute top-0 left-0 w-full" style={{ transform: `translateY(${items.length > 0 ? items[0].start : 0}px)` }}>
              {items.map((it, k) => {
                const r = rows.get(ids[k]);
                if (r === undefined) return null;
                return (
                  // Keyed by slot, not flow: when the order changes the same DOM rows get new text instead of
                  // being torn down and rebuilt on every update.
                  <FlowRowView key={k} r={r} index={it.index} selected={r.id === selectedId} />
                );
              })}
            </div>
          </div>
        </div>
        {count === 0 && (
          <p className="p-6 text-center text-sm text-zinc-500 dark:text-zinc-400">
            {rows.size === 0 ? 'No flows yet. Start a capture or open a capture file.' : 'No flow matches the filter.'}
          </p>
        )}
      </div>
    </section>
  );
}
