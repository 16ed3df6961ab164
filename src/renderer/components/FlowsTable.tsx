import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type MouseEvent, type PointerEvent } from 'react';
import { useStore } from 'zustand';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { FlowRow } from '../../shared/flow.ts';
import { useStores } from '../state/app-stores.ts';
import { MAX_VIEW_ROWS } from '../../shared/ipc.ts';
import { COLUMN_META as COLUMNS, type ColumnId, type ColumnMeta, type SortDir } from '../../shared/flows/columns.ts';
import { COLUMN_WIDTH_PX } from '../../shared/settings.ts';
import type { ColumnsStore, ColumnWidths } from '../state/columns-store.ts';
import { spansDays } from '../format.ts';
import { isNumberColumn, numberTrack } from '../flows/numeric-columns.ts';
import { NUMBER_INDEX, ROW_CLASS, ROW_HEIGHT, RowSlot, TIPPED, rowDomId, tipText, type RowLook, type TextColumnId } from '../flows/row-slot.ts';
import { useRemoteFit } from '../flows/text-fit.ts';
import { FilterBar } from './FilterBar.tsx';
import { isMenuKey, useRowMenu } from './FlowRowMenu.tsx';
import { ColumnsMenu } from './ColumnsMenu.tsx';

export { ROW_HEIGHT, sameText } from '../flows/row-slot.ts';
/**
 * The text columns' tracks: at least `min`, and a `share` of the width left over, if any. With dates in the time
 * columns the widest text columns give up some of their minimum, so the table still fits a common laptop screen
 * (their texts are cut with an ellipsis and have a tooltip). Remote is the widest: its domain and address must stay in
 * sight when its name is shortened (flows/shorten.ts), while the local address is the user's own.
 */
const TEXT_TRACKS: Record<TextColumnId, { min: string; dated?: string; share?: string }> = {
  process: { min: '9rem', dated: '8rem', share: '1.1fr' },
  local: { min: '9.5rem', share: '1.3fr' },
  remote: { min: '18rem', dated: '11rem', share: '2fr' },
  proto: { min: '6.5rem' },
  state: { min: '6.5rem' },
};

function textMin(id: TextColumnId, withDate: boolean): string {
  const t = TEXT_TRACKS[id];
  return withDate && t.dated !== undefined ? t.dated : t.min;
}

/**
 * A column's track: its default, or the width the user gave it. A numeric column never gets narrower than its longest
 * value (a cut number would read as another number).
 */
function track(id: ColumnId, withDate: boolean, width: number | undefined): string {
  if (isNumberColumn(id)) return width === undefined ? numberTrack(id, withDate) : `max(${numberTrack(id, withDate)}, ${width}px)`;
  if (width !== undefined) return `${width}px`;
  const t = TEXT_TRACKS[id];
  return t.share ? `minmax(${textMin(id, withDate)},${t.share})` : textMin(id, withDate);
}

function minTrack(id: ColumnId, withDate: boolean, width: number | undefined): string {
  if (isNumberColumn(id) || width !== undefined) return track(id, withDate, width);
  return textMin(id as TextColumnId, withDate);
}

/** The columns shown, in order, and the table's box: its tracks and its least width. */
interface Layout {
  cols: readonly ColumnMeta[];
  table: CSSProperties;
}

/**
 * The header is a grid of tracks sized without looking at their content; the template is a custom property of the
 * table's box. The rows are not grids: each cell is placed absolutely on its column's box as the header laid it out
 * (columnBoxes), so a row's new text lays out that cell alone, never a grid, and a drag of a column's edge restyles
 * the rows without rendering one.
 */
function columnLayout(withDate: boolean, hidden: readonly ColumnId[], widths: Readonly<ColumnWidths>): Layout {
  const cols = COLUMNS.filter((c) => !hidden.includes(c.id));
  const tracks = cols.map((c) => track(c.id, withDate, widths[c.id])).join(' ');
  // The table's least width: every track at its minimum.
  const mins = cols.map((c) => minTrack(c.id, withDate, widths[c.id]));
  return { cols, table: { ['--flow-tracks' as string]: tracks, minWidth: `calc(${mins.join(' + ')})` } };
}

/**
 * Rows are ROW_HEIGHT tall with their text centred by line height: cells are contained in size and layout (a new
 * number lays out its own cell and nothing else), so they cannot be centred by their content's size. The bottom
 * border is inside the row's height (border-box), so the text's line is a pixel shorter.
 */
const HEADER_STYLE: CSSProperties = { gridTemplateColumns: 'var(--flow-tracks)' };
const ROW_STYLE: CSSProperties = { height: ROW_HEIGHT, lineHeight: `${ROW_HEIGHT - 1}px` };

/** The custom properties of the table's box that hold a column's left edge and width, as the header laid it out. */
const colX = (id: ColumnId) => `--col-x-${id}`;
const colW = (id: ColumnId) => `--col-w-${id}`;
/** Each column's cell box in a row: at its header's place (the properties the header sets), one style object per column. */
const CELL_BOX = Object.fromEntries(COLUMNS.map((c) => [c.id, { left: `var(${colX(c.id)})`, width: `var(${colW(c.id)})` }])) as Record<ColumnId, CSSProperties>;

/**
 * Puts each shown column's left edge and width, as its header cell is laid out, on the table's box for the rows'
 * cells; returns the widths (rounded) for the edges' values. Only changed properties are written: a change restyles
 * every row's cells.
 */
function columnBoxes(headerRow: HTMLElement, box: HTMLElement): Partial<Record<ColumnId, number>> {
  const left = headerRow.getBoundingClientRect().left;
  const widths: Partial<Record<ColumnId, number>> = {};
  for (const h of headerRow.querySelectorAll<HTMLElement>('[data-col]')) {
    const id = h.dataset.col as ColumnId;
    const b = h.getBoundingClientRect();
    const x = `${b.left - left}px`;
    const w = `${b.width}px`;
    if (box.style.getPropertyValue(colX(id)) !== x) box.style.setProperty(colX(id), x);
    if (box.style.getPropertyValue(colW(id)) !== w) box.style.setProperty(colW(id), w);
    widths[id] = Math.round(b.width);
  }
  return widths;
}

/**
 * A text cell: its column's box (CELL_BOX), its text cut by an ellipsis.
 * `overflow: clip` is the clip the ellipsis needs without making the cell a scroll container; contained in size and
 * layout, the cell is a layout root. Its text is written by its row's slot (flows/row-slot.ts).
 */
const CELL = 'absolute top-0 left-0 h-full w-full overflow-clip text-ellipsis whitespace-nowrap px-2 contain-size contain-layout contain-style';
/**
 * A number cell: placed absolutely and contained in size and layout, it is a layout root, so a new number lays out
 * this cell alone. It does not clip: its track fits its longest value, and a clip would be a paint property node and
 * a paint chunk of its own for every number.
 */
const NUMBER_CELL = 'absolute top-0 h-full px-2 text-right whitespace-nowrap tabular-nums contain-size contain-layout contain-style';

/**
 * A text cell's tooltip (its whole text, which an ellipsis may cut) is its `title` only while the pointer is over it
 * (the rows' pointerover/pointerout): a changed `title` restyles its element (a selector of the base styles tests the
 * attribute), and while scrolling every cell of every new row would otherwise get one each frame. The cell's text is
 * whole in the DOM either way, so what is read and copied does not depend on it; a slot that writes a new text into
 * the hovered cell writes its title too.
 */
function tipCell(e: PointerEvent<HTMLElement>, over: boolean): void {
  const cell = e.target instanceof Element ? e.target.closest(`[${TIPPED}]`) : null;
  if (cell === null) return;
  if (!over) {
    // Moving between the cell's own children is not leaving it.
    if (e.relatedTarget instanceof Node && cell.contains(e.relatedTarget)) return;
    cell.removeAttribute('title');
  } else {
    const tip = tipText(cell);
    if (cell.getAttribute('title') !== tip) cell.setAttribute('title', tip);
  }
}

function arrow(active: boolean, dir: SortDir) {
  return (
    <span aria-hidden="true" className="w-2">
      {active ? (dir === 'asc' ? '▲' : '▼') : ''}
    </span>
  );
}

/** Arrow keys on a column's edge move it this many pixels (with Shift, RESIZE_STEP_BIG). */
export const RESIZE_STEP = 8;
const RESIZE_STEP_BIG = 32;

interface HeaderProps {
  /** The table's box, which gets the columns' boxes (columnBoxes) for the rows (null until it is in the DOM). */
  box: HTMLDivElement | null;
  cols: readonly ColumnMeta[];
  widths: Readonly<ColumnWidths>;
  sortColumn: ColumnId;
  sortDir: SortDir;
  onSort: (c: ColumnId) => void;
  columns: ColumnsStore;
  onMenu: (x: number, y: number) => void;
  /** Each column's width as laid out (rounded; a column without a width of its own follows the window): the table's. */
  laidOut: LaidOut;
  /** Told the widths whenever the header is laid out (the table keeps them: its edges' values, the remote cells' fit). */
  onLaidOut: (widths: LaidOut) => void;
}

type LaidOut = Partial<Record<ColumnId, number>>;

function sameWidths(a: LaidOut, b: LaidOut): boolean {
  const ka = Object.keys(a) as ColumnId[];
  return ka.length === Object.keys(b).length && ka.every((id) => a[id] === b[id]);
}

/**
 * The edge of a column's header: drag it (pointer) or focus it and press ←/→ to resize the column; a double click
 * gives the column its default width back. Its value is the column's width as laid out, in CSS pixels.
 */
function ColumnEdge({ col, width, columns }: { col: ColumnMeta; width: number; columns: ColumnsStore }) {
  const drag = useRef<{ x: number; w: number; id: number } | null>(null);
  const shown = (el: Element) => el.parentElement?.getBoundingClientRect().width ?? 0;
  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${col.label}`}
      aria-valuenow={Math.round(width)}
      aria-valuemin={COLUMN_WIDTH_PX.min}
      aria-valuemax={COLUMN_WIDTH_PX.max}
      tabIndex={0}
      title="Drag to resize; double-click for the default width"
      className="col-edge absolute top-1.5 right-0 bottom-1.5 z-10 w-1.5 cursor-col-resize touch-none border-r border-zinc-300 hover:bg-sky-400/60 focus-visible:bg-sky-500 focus-visible:outline-none dark:border-zinc-600"
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.currentTarget.setPointerCapture?.(e.pointerId);
        drag.current = { x: e.clientX, w: shown(e.currentTarget) || width, id: e.pointerId };
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (d !== null && d.id === e.pointerId) columns.getState().setWidth(col.id, d.w + e.clientX - d.x);
      }}
      onPointerUp={() => {
        drag.current = null;
      }}
      onPointerCancel={() => {
        drag.current = null;
      }}
      onDoubleClick={() => columns.getState().resetWidth(col.id)}
      onKeyDown={(e) => {
        const dir = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
        if (dir === 0) return;
        e.preventDefault();
        // The table's own keys (row selection) and the app's shortcuts are not meant.
        e.stopPropagation();
        const from = shown(e.currentTarget) || width;
        columns.getState().setWidth(col.id, from + dir * (e.shiftKey ? RESIZE_STEP_BIG : RESIZE_STEP));
      }}
    />
  );
}

/**
 * The column headers: re-rendered only when the sort or the columns change, not on every update. A right-click on
 * them (or Shift+F10 on a header) opens the Columns menu.
 */
const FlowsHeader = memo(function FlowsHeader({ box, cols, widths, sortColumn, sortDir, onSort, columns, onMenu, laidOut, onLaidOut }: HeaderProps) {
  const row = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = row.current;
    const table = box;
    if (el === null || table === null) return;
    const measure = () => onLaidOut(columnBoxes(el, table));
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    // Every header cell: a column's box moves only when one of the columns' widths changes (a column shown or hidden
    // renders the header again).
    const ro = new ResizeObserver(measure);
    for (const h of el.querySelectorAll('[data-col]')) ro.observe(h);
    return () => ro.disconnect();
  }, [box, cols, widths, onLaidOut]);
  return (
    <div
      role="rowgroup"
      className="sticky top-0 z-10 bg-zinc-100 dark:bg-zinc-800"
      onContextMenu={(e) => {
        e.preventDefault();
        e.stopPropagation();
        onMenu(e.clientX, e.clientY);
      }}
      onKeyDown={(e) => {
        if (!isMenuKey(e)) return;
        e.preventDefault();
        e.stopPropagation();
        const box = (e.target as Element).getBoundingClientRect();
        onMenu(box.left, box.bottom);
      }}
    >
      <div ref={row} role="row" aria-rowindex={1} className="grid h-8 items-center border-b border-zinc-200 dark:border-zinc-700" style={HEADER_STYLE}>
        {cols.map((c) => {
          const active = c.id === sortColumn;
          const numeric = c.kind === 'number';
          const measured = laidOut[c.id];
          return (
            <div key={c.id} data-col={c.id} role="columnheader" aria-sort={active ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none'} className="relative h-full min-w-0">
              <button
                type="button"
                className={`flex h-full w-full items-center gap-1 truncate px-2 py-1 text-xs font-semibold uppercase tracking-wide hover:bg-zinc-200 dark:hover:bg-zinc-700 ${numeric ? 'justify-end' : ''}`}
                onClick={() => onSort(c.id)}
              >
                {/* The sort arrow goes on the side away from the column's values, so a numeric label ends where they do. */}
                {numeric && arrow(active, sortDir)}
                {c.label}
                {!numeric && arrow(active, sortDir)}
              </button>
              <ColumnEdge col={c} width={measured !== undefined && measured > 0 ? measured : (widths[c.id] ?? 0)} columns={columns} />
            </div>
          );
        })}
      </div>
    </div>
  );
});

/**
 * Rows are kept in a fixed pool of slots, about a screenful, a position's slot being its index plus an offset, modulo
 * the pool (slotOffset). The slots stay in the DOM in slot order: no render moves a row's element (a moved element is
 * taken out of the layout and built again, all its cells with it).
 */
function rowPool(viewportHeight: number, shown: number): number {
  // The visible rows, a partly shown one and the overscan either side: every window of consecutive positions fits.
  return Math.max(shown, Math.ceil(viewportHeight / ROW_HEIGHT) + 4);
}

/**
 * The offset of the slots' keying for a render whose first row is `first`. While scrolling it stays: a row that stays
 * on screen keeps its slot and writes nothing, and the rows that come into view are written into the slots of those
 * that left, in whatever place of the DOM those are. At rest the first row shown takes the first slot, so the DOM
 * order of the rows is their order on screen again (the order assistive technology reads and a text selection
 * follows); that writes every row once, when scrolling stops.
 */
export function slotOffset(prev: number, first: number, pool: number, scrolling: boolean): number {
  return scrolling ? prev % pool : (pool - (first % pool)) % pool;
}

/**
 * One row slot: React renders its row element and empty cells, once and again only when the columns shown change; its
 * RowSlot writes the rest (the row at its position, or a placeholder, same box, no text, for a position whose row has
 * not arrived yet: its arrival lays out that row only). The row's box is placed by a transform, so moving it is no
 * layout of its neighbours.
 */
const FlowRowView = memo(function FlowRowView({ slot, cols }: { slot: RowSlot; cols: readonly ColumnMeta[] }) {
  return (
    <div ref={slot.rowRef} role="row" style={ROW_STYLE} className={ROW_CLASS}>
      {cols.map((c) =>
        isNumberColumn(c.id) ? (
          <div key={c.id} role="gridcell" ref={slot.numberRefs[NUMBER_INDEX.get(c.id) as number]} style={CELL_BOX[c.id]} className={NUMBER_CELL} />
        ) : c.id === 'remote' ? (
          <div key={c.id} ref={slot.cellRef('remote')} role="gridcell" className={CELL} style={CELL_BOX.remote} />
        ) : (
          <div key={c.id} ref={slot.cellRef(c.id as TextColumnId)} role="gridcell" className={CELL} style={CELL_BOX[c.id]} data-tip="" />
        ),
      )}
    </div>
  );
});

/** Whether the rows' own times fall on more than one day (a table whose capture start is not known otherwise). */
function rowsSpanDays(rows: readonly FlowRow[]): boolean {
  let from = Infinity;
  let to = -Infinity;
  for (const r of rows) {
    if (r.first_seen < from) from = r.first_seen;
    if (r.last_seen > to) to = r.last_seen;
  }
  return rows.length > 0 && spansDays(from, to);
}

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
  const { flows, ui, view, stats, columns } = stores;
  // Re-rendered once per update; each update holds only the rows of the window asked for.
  useStore(flows, (s) => s.version);
  const { count, total, start, rows } = flows.getState();
  const sortColumn = useStore(ui, (s) => s.sortColumn);
  const sortDir = useStore(ui, (s) => s.sortDir);
  const selectedId = useStore(ui, (s) => s.selectedId);
  const scrollTarget = useStore(ui, (s) => s.scrollTarget);
  const favouritesOnly = useStore(stores.favourites, (s) => s.only);
  const captureSpansDays = useStore(stats, (s) => s.spansDays);
  const withDate = captureSpansDays || rowsSpanDays(rows);
  const hidden = useStore(columns, (s) => s.hidden);
  const widths = useStore(columns, (s) => s.widths);
  const layout = useMemo(() => columnLayout(withDate, hidden, widths), [withDate, hidden, widths]);
  const [columnsMenu, setColumnsMenu] = useState<{ x: number; y: number } | null>(null);
  const onColumnsMenu = useMemo(() => (x: number, y: number) => setColumnsMenu({ x, y }), []);

  const scrollRef = useRef<HTMLDivElement>(null);
  // State, not a ref: the header measures into it in its layout effect, which runs before a parent's ref is set.
  const [tableBox, setTableBox] = useState<HTMLDivElement | null>(null);
  // Closing the details drawer puts the focus on the table, whose active row is the flow they showed, wherever the
  // focus was when they opened (Enter works from anywhere).
  const detailsOpen = useStore(ui, (s) => s.detailsOpen);
  const detailsWereOpen = useRef(false);
  useEffect(() => {
    if (detailsWereOpen.current && !detailsOpen) scrollRef.current?.focus();
    detailsWereOpen.current = detailsOpen;
  }, [detailsOpen]);
  // The row slots by key, each writing its row outside React (flows/row-slot.ts).
  const [slots] = useState(() => new Map<number, RowSlot>());
  const slotOf = (k: number): RowSlot => {
    let s = slots.get(k);
    if (s === undefined) {
      s = new RowSlot();
      slots.set(k, s);
    }
    return s;
  };
  const favouriteSets = useStore(stores.favourites, (s) => s.sets);
  const [laidOut, setLaidOut] = useState<LaidOut>({});
  const onLaidOut = useMemo(() => (next: LaidOut) => setLaidOut((prev) => (sameWidths(prev, next) ? prev : next)), []);
  const fit = useRemoteFit(scrollRef, laidOut.remote);
  const look = useMemo<RowLook>(() => ({ favourites: favouriteSets, fit, withDate }), [favouriteSets, fit, withDate]);
  // The slots' offset last committed (a render that is not committed leaves it).
  const keyed = useRef(0);
  const rowMenu = useRowMenu(scrollRef);
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
    if (id === null) return;
    // A click on the star stars the flow; it is not a click on the row (which selects it).
    if (e.target instanceof Element && e.target.closest('[data-favourite-star]') !== null) stores.favourites.getState().toggleFlow(id);
    else ui.getState().select(id);
  };
  const onDoubleClick = (e: MouseEvent) => {
    const id = eventFlowId(e);
    if (id === null) return;
    ui.getState().select(id);
    ui.getState().openDetails(true);
  };

  const items = virt.getVirtualItems();
  const pool = rowPool(virt.scrollRect?.height ?? 600, items.length);
  const firstShown = items[0]?.index ?? 0;
  const keyOffset = slotOffset(keyed.current, firstShown, pool, virt.isScrolling);
  useLayoutEffect(() => {
    keyed.current = keyOffset;
  });
  let selectedShown = false;
  const shown: { slot: RowSlot; r: FlowRow | undefined; index: number }[] = [];
  const spare: RowSlot[] = [];
  // Every slot of the pool, in slot order: a slot shows the position of the items that maps to it, or is hidden when
  // no item does (a frame with a row more or fewer on screen then mounts or unmounts no row).
  const rendered = Array.from({ length: pool }, (_, k) => {
    const slot = slotOf(k);
    const it = items[(((k - keyOffset - firstShown) % pool) + pool) % pool];
    if (it === undefined) spare.push(slot);
    else {
      const r = it.index >= start ? rows[it.index - start] : undefined;
      shown.push({ slot, r, index: it.index });
      if (r !== undefined && r.id === selectedId) selectedShown = true;
    }
    // Keyed by slot, not flow: when the order changes the same DOM rows get new text instead of being torn down and
    // rebuilt on every update; React renders a slot only when it is new or the columns change.
    return <FlowRowView key={k} slot={slot} cols={layout.cols} />;
  });
  // After every render (an update, a scroll), in the same commit: each slot writes its row where it differs from what
  // the slot shows (the slots' cells were attached by their refs, which are set before this effect runs).
  useLayoutEffect(() => {
    for (const { slot, r, index } of shown) slot.write(r, index, r !== undefined && r.id === selectedId, look);
    for (const slot of spare) slot.hide();
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
        aria-colcount={layout.cols.length}
        aria-activedescendant={selectedShown && selectedId !== null ? rowDomId(selectedId) : undefined}
        tabIndex={0}
        onContextMenu={rowMenu.onContextMenu}
        onKeyDown={rowMenu.onKeyDown}
        className="min-h-0 flex-1 overflow-auto contain-strict bg-white dark:bg-zinc-950 border-t border-zinc-200 text-sm focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 dark:border-zinc-700"
      >
        <div ref={setTableBox} style={layout.table}>
          <FlowsHeader box={tableBox} cols={layout.cols} widths={widths} sortColumn={sortColumn} sortDir={sortDir} onSort={onSort} columns={columns} onMenu={onColumnsMenu} laidOut={laidOut} onLaidOut={onLaidOut} />
          <div
            role="rowgroup"
            className="relative contain-strict"
            style={{ height: virt.getTotalSize() }}
            onClick={onClick}
            onDoubleClick={onDoubleClick}
            onPointerOver={(e) => tipCell(e, true)}
            onPointerOut={(e) => tipCell(e, false)}
          >
            {rendered}
          </div>
        </div>
        {count === 0 && (
          <p className="p-6 text-center text-sm text-zinc-500 dark:text-zinc-400">
            {total === 0 ? 'No flows yet. Start a capture or open a capture file.' : favouritesOnly ? 'No favourite flow matches. Star a flow, host or program from a row’s menu, or turn off Favourites only.' : 'No flow matches the filter.'}
          </p>
        )}
      </div>
      {rowMenu.element}
      {columnsMenu !== null && (
        <ColumnsMenu
          position={columnsMenu}
          onClose={(refocus) => {
            setColumnsMenu(null);
            if (refocus) scrollRef.current?.focus();
          }}
        />
      )}
    </section>
  );
}
