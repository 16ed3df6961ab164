import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { useStore } from 'zustand';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { FlowRow } from '../../shared/flow.ts';
import { useStores } from '../state/app-stores.ts';
import { MAX_VIEW_ROWS } from '../../shared/ipc.ts';
import { COLUMN_META as COLUMNS, type ColumnId, type SortDir } from '../../shared/flows/columns.ts';
import { isClosed, localAddr, localPort, remoteAddr, remotePort, protoLabel } from '../../shared/flows/endpoints.ts';
import { formatEndpoint } from '../format.ts';
import { FIRST_NUMBER_COLUMN, NUMBER_COLUMNS, NUMBER_RUN_CH, NUMBER_WIDTH_CH, numberRun, numberTexts, type NumberColumnId } from '../flows/number-run.ts';
import { FilterBar } from './FilterBar.tsx';
import { NumberBlock, NumberBlockWriter, NumberCells, type NumberNames } from './NumberCells.tsx';

export const ROW_HEIGHT = 28;
/** The text columns' tracks: at least `min`, and a `share` of the width left over, if any. */
const TEXT_TRACKS: readonly { min: string; share?: string }[] = [
  { min: '9rem', share: '1.1fr' },
  { min: '11rem', share: '1.3fr' },
  { min: '14rem', share: '2fr' },
  { min: '6.5rem' },
  { min: '6.5rem' },
];
/**
 * One grid template for header and rows so the columns line up. The numeric tracks are in `ch` of the monospace font
 * the table's rows and header are set in (their text cells say font-sans), so each is exactly as wide as its part of
 * a row's number run.
 */
const GRID_STYLE = {
  gridTemplateColumns: [...TEXT_TRACKS.map((t) => (t.share ? `minmax(${t.min},${t.share})` : t.min)), ...NUMBER_COLUMNS.map((id) => `${NUMBER_WIDTH_CH[id]}ch`)].join(' '),
};
/** The table's least width: every track at its minimum. */
const TABLE_STYLE = { minWidth: `calc(${TEXT_TRACKS.map((t) => t.min).join(' + ')} + ${NUMBER_RUN_CH}ch)` };

export function rowDomId(id: number): string {
  return `flow-row-${id}`;
}

/** A row's text cells, then its number cells (named after each render by the table, not by this render). */
function Cells({ r, slot, names }: { r: FlowRow; slot: number; names: NumberNames }) {
  const remote = formatEndpoint(remoteAddr(r), remotePort(r));
  const proc = r.process !== null ? (r.pid !== null ? `${r.process} (${r.pid})` : r.process) : r.process_hidden ? 'other user' : '—';
  const texts: Record<Exclude<ColumnId, NumberColumnId>, string> = {
    process: proc,
    local: formatEndpoint(localAddr(r), localPort(r)),
    remote: r.host ? `${r.host} · ${remote}` : remote,
    proto: protoLabel(r),
    state: r.state.replace('_', ' '),
  };
  return (
    <>
      {COLUMNS.slice(0, FIRST_NUMBER_COLUMN).map((c) => (
        <TextCell key={c.id} titled={c.id === 'remote' || c.id === 'process'} text={texts[c.id as keyof typeof texts]} />
      ))}
      <NumberCells slot={slot} names={names} />
    </>
  );
}

/**
 * One text cell, memoised on its text: when a row renders again because one of its texts changed, the others are left
 * alone instead of being diffed in React's commit.
 */
const TextCell = memo(function TextCell({ titled, text }: { titled: boolean; text: string }) {
  return (
    <div role="gridcell" className="truncate px-2 font-sans contain-content" title={titled ? text : undefined}>
      {text}
    </div>
  );
});

function arrow(active: boolean, dir: SortDir) {
  return (
    <span aria-hidden="true" className="w-2">
      {active ? (dir === 'asc' ? '▲' : '▼') : ''}
    </span>
  );
}

/** The column headers: re-rendered only when the sort changes, not on every update. */
const FlowsHeader = memo(function FlowsHeader({ sortColumn, sortDir, onSort }: { sortColumn: ColumnId; sortDir: SortDir; onSort: (c: ColumnId) => void }) {
  return (
    <div role="rowgroup" className="sticky top-0 z-10 bg-zinc-100 dark:bg-zinc-800">
      <div role="row" aria-rowindex={1} className="grid h-8 items-center border-b border-zinc-200 dark:border-zinc-700" style={GRID_STYLE}>
        {COLUMNS.map((c) => {
          const active = c.id === sortColumn;
          return (
            // A numeric header keeps the column's one spare character (a `ch` of the rows' font) clear, as its values do.
            <div key={c.id} role="columnheader" aria-sort={active ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none'} className={`min-w-0 ${c.kind === 'number' ? 'pr-[1ch]' : ''}`}>
              <button
                type="button"
                className={`flex w-full items-center gap-1 truncate py-1 font-sans text-xs font-semibold uppercase tracking-wide hover:bg-zinc-200 dark:hover:bg-zinc-700 ${c.kind === 'number' ? 'justify-end pl-2' : 'px-2'}`}
                onClick={() => onSort(c.id)}
              >
                {/* The sort arrow goes on the side away from the column's values, so a numeric label ends where they do. */}
                {c.kind === 'number' && arrow(active, sortDir)}
                {c.label}
                {c.kind !== 'number' && arrow(active, sortDir)}
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
});

/**
 * Whether two versions of a flow show the same text. Every update brings new row objects, and nearly every one has
 * new counters; the numbers are written by the table after each render (NumberCells.tsx), so React renders a row again
 * only when its text changed.
 */
export function sameText(a: FlowRow, b: FlowRow): boolean {
  return (
    a === b ||
    (a.id === b.id &&
      a.state === b.state &&
      a.host === b.host &&
      a.app === b.app &&
      a.process === b.process &&
      a.pid === b.pid &&
      a.process_hidden === b.process_hidden &&
      a.local === b.local &&
      a.proto === b.proto &&
      a.src === b.src &&
      a.sport === b.sport &&
      a.dst === b.dst &&
      a.dport === b.dport)
  );
}

type RowProps = { r: FlowRow; index: number; selected: boolean; slot: number; names: NumberNames };

/** One flow row; React renders it again only when its text, its position or its selection changed. */
const FlowRowView = memo(function FlowRowView({ r, index, selected, slot, names }: RowProps) {
  const closed = isClosed(r);
  return (
    <div
      id={rowDomId(r.id)}
      data-flow-id={r.id}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-closed={closed || undefined}
      style={GRID_STYLE}
      className={`grid h-7 w-full cursor-default items-center contain-strict border-b border-zinc-100 dark:border-zinc-800 ${
        selected ? 'bg-sky-100 dark:bg-sky-900/60' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800/60'
      } ${closed ? 'text-zinc-400 dark:text-zinc-500' : ''}`}
    >
      <Cells r={r} slot={slot} names={names} />
    </div>
  );
}, (a: RowProps, b: RowProps) => a.index === b.index && a.selected === b.selected && a.slot === b.slot && a.names === b.names && sameText(a.r, b.r));

/** A position whose row has not arrived yet (the window moved and the host's answer is on its way): same box, no text. */
const PlaceholderRow = memo(function PlaceholderRow({ index }: { index: number }) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-busy="true"
      style={GRID_STYLE}
      className="grid h-7 w-full contain-strict border-b border-zinc-100 dark:border-zinc-800"
    />
  );
});

/** While scrolling, the window reaches this many frames of movement further ahead (an answer takes a frame or two), */
const LOOKAHEAD_FRAMES = 2;
/** ... but at most this many screens (a jump is not a scroll). */
const LOOKAHEAD_SCREENS = 4;

/**
 * The window of positions to ask the host for: the visible rows and about one screen either side, plus, while
 * scrolling, a few frames of movement ahead (`rowsPerFrame`: rows moved since the last render, negative upwards).
 * Its ends move in steps of half a screen, so scrolling sends a request per half screen instead of per row.
 */
export function viewWindow(scrollOffset: number, viewportHeight: number, rowsPerFrame = 0): { start: number; end: number } {
  const screen = Math.max(1, Math.ceil(viewportHeight / ROW_HEIGHT));
  const step = Math.max(1, Math.ceil(screen / 2));
  const first = Math.max(0, Math.floor(scrollOffset / ROW_HEIGHT));
  const ahead = Math.min(LOOKAHEAD_SCREENS * screen, Math.ceil((Math.abs(rowsPerFrame) * LOOKAHEAD_FRAMES) / step) * step);
  const start = Math.max(0, Math.floor((first - screen) / step) * step - (rowsPerFrame < 0 ? ahead : 0));
  const end = Math.floor((first - screen) / step) * step + 3 * screen + step + (rowsPerFrame > 0 ? ahead : 0);
  return { start, end: Math.min(end, start + MAX_VIEW_ROWS) };
}

/** The flow id of the row an event happened in (rows share one handler instead of a closure each). */
function eventFlowId(e: MouseEvent): number | null {
  const el = e.target instanceof Element ? e.target.closest('[data-flow-id]') : null;
  const id = el === null ? NaN : Number(el.getAttribute('data-flow-id'));
  return Number.isFinite(id) ? id : null;
}

export function FlowsTable() {
  const stores = useStores();
  const { flows, ui, view } = stores;
  // Re-rendered once per update; each update holds only the rows of the window asked for.
  useStore(flows, (s) => s.version);
  const { count, total, start, rows } = flows.getState();
  const sortColumn = useStore(ui, (s) => s.sortColumn);
  const sortDir = useStore(ui, (s) => s.sortDir);
  const selectedId = useStore(ui, (s) => s.selectedId);
  const scrollTarget = useStore(ui, (s) => s.scrollTarget);

  const scrollRef = useRef<HTMLDivElement>(null);
  const [names] = useState<NumberNames>(() => new Map());
  const [block] = useState(() => new NumberBlockWriter());
  const virt = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 1,
    initialRect: { width: 1200, height: 600 },
  });

  // The host sends only the rows asked for: ask for what is (about to be) on screen. The speed is that of the last
  // scroll step, kept while scrolling goes on (renders for updates in between do not move).
  const offset = virt.scrollOffset ?? 0;
  const motion = useRef({ offset, rowsPerFrame: 0 });
  const moved = (offset - motion.current.offset) / ROW_HEIGHT;
  const rowsPerFrame = moved !== 0 ? moved : virt.isScrolling ? motion.current.rowsPerFrame : 0;
  const win = viewWindow(offset, virt.scrollRect?.height ?? 600, rowsPerFrame);
  // In the commit (a scroll renders synchronously), so the request can leave before this frame is painted.
  useLayoutEffect(() => {
    motion.current = { offset, rowsPerFrame };
    view.setWindow(win.start, win.end);
  }, [view, offset, rowsPerFrame, win.start, win.end]);

  // Keys move the selection by position and say where to: scrolled to when it moves, not on every update.
  useEffect(() => {
    if (scrollTarget !== null && scrollTarget.index < count) virt.scrollToIndex(scrollTarget.index, { align: 'auto' });
  }, [scrollTarget]);

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
  let selectedShown = false;
  const shown: (FlowRow | undefined)[] = [];
  const rendered = items.map((it, k) => {
    const r = it.index >= start ? rows[it.index - start] : undefined;
    shown.push(r);
    if (r === undefined) return <PlaceholderRow key={k} index={it.index} />;
    if (r.id === selectedId) selectedShown = true;
    return (
      // Keyed by slot, not flow: when the order changes the same DOM rows get new text instead of being torn down
      // and rebuilt on every update.
      <FlowRowView key={k} r={r} index={it.index} selected={r.id === selectedId} slot={k} names={names} />
    );
  });
  // After every render (an update, a scroll), in the same commit: the shown rows' numbers, as their cells' names and
  // as the visible block (the writers were attached by the children's layout effects, which run before this one).
  useLayoutEffect(() => {
    const runs: string[] = [];
    const closed: boolean[] = [];
    for (let k = 0; k < shown.length; k++) {
      const r = shown[k];
      if (r === undefined) {
        runs.push('');
        closed.push(false);
        continue;
      }
      const values = numberTexts(r);
      names.get(k)?.write(values);
      runs.push(numberRun(values));
      closed.push(isClosed(r));
    }
    block.write(runs, closed);
  });
  return (
    <section aria-label="Flows" className="flex min-h-0 min-w-0 flex-1 flex-col">
      <FilterBar shown={count} total={total} />
      <div
        ref={scrollRef}
        id="flows-grid"
        role="grid"
        aria-label="Flows"
        aria-rowcount={count + 1}
        aria-colcount={COLUMNS.length}
        aria-activedescendant={selectedShown && selectedId !== null ? rowDomId(selectedId) : undefined}
        tabIndex={0}
        className="min-h-0 flex-1 overflow-auto contain-strict border-t border-zinc-200 text-sm focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 dark:border-zinc-700"
      >
        <div className="font-mono" style={TABLE_STYLE}>
          <FlowsHeader sortColumn={sortColumn} sortDir={sortDir} onSort={onSort} />
          <div role="rowgroup" className="relative" style={{ height: virt.getTotalSize() }} onClick={onClick} onDoubleClick={onDoubleClick}>
            {/* One moved block of rows in normal flow (rows are fixed-height): a single transform to paint and
                composite instead of one per row. */}
            <div className="absolute top-0 left-0 w-full" style={{ transform: `translateY(${items.length > 0 ? items[0].start : 0}px)` }}>
              {rendered}
              <NumberBlock rows={items.length} writer={block} />
            </div>
          </div>
        </div>
        {count === 0 && (
          <p className="p-6 text-center text-sm text-zinc-500 dark:text-zinc-400">
            {total === 0 ? 'No flows yet. Start a capture or open a capture file.' : 'No flow matches the filter.'}
          </p>
        )}
      </div>
    </section>
  );
}
