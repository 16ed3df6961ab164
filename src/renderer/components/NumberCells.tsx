import { memo, useLayoutEffect, useRef } from 'react';
import { NUMBER_COLUMNS, NUMBER_RUN_CH } from '../flows/number-run.ts';

/**
 * The numbers of the flows table. Every update moves the counters of every visible row, and the browser's cost per
 * update grows with the texts it lays out and paints, so:
 * - what is seen is one monospace text for all the rows on screen, a line per row over the numeric columns
 *   (NumberBlock; two of them, the second in the dimmed colour of closed flows);
 * - screen readers get a cell per number in each row, named with it (NumberCells), with no box, so no layout.
 * Both are written straight into the DOM after each render (FlowsTable), only where a string changed: React renders
 * them once, empty, and never writes their names or text, so React's idea of the DOM and the DOM never disagree.
 */

/** Writes one row's number cells' names, only those that changed. */
export class CellNames {
  private readonly shown: string[] = [];
  private readonly cells: readonly Element[];

  constructor(cells: readonly Element[]) {
    this.cells = cells;
  }

  write(values: readonly string[]): void {
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== this.shown[i]) {
        this.cells[i].setAttribute('aria-label', values[i]);
        this.shown[i] = values[i];
      }
    }
  }
}

/** The name writers of the rows on screen, by row slot. */
export type NumberNames = Map<number, CellNames>;

/** A row's number cells: no box, a name each (written by its CellNames, registered under the row's slot). */
export const NumberCells = memo(function NumberCells({ slot, names }: { slot: number; names: NumberNames }) {
  const cells = useRef<(HTMLDivElement | null)[]>([]);
  useLayoutEffect(() => {
    const els = cells.current.filter((c): c is HTMLDivElement => c !== null);
    if (els.length !== NUMBER_COLUMNS.length) return;
    const writer = new CellNames(els);
    names.set(slot, writer);
    return () => {
      if (names.get(slot) === writer) names.delete(slot);
    };
  }, [slot, names]);
  return (
    <>
      {NUMBER_COLUMNS.map((id, i) => (
        <div
          key={id}
          ref={(el) => {
            cells.current[i] = el;
          }}
          role="gridcell"
          className="contents"
        />
      ))}
    </>
  );
});

interface TextSink {
  data: string;
}

/** Writes the visible numbers: line k of the first text is row k's run if the row is open, of the second if closed. */
export class NumberBlockWriter {
  private open: TextSink | null = null;
  private closed: TextSink | null = null;
  private shownOpen = '';
  private shownClosed = '';

  attach(open: TextSink, closed: TextSink): void {
    this.open = open;
    this.closed = closed;
    this.shownOpen = this.shownClosed = '';
  }

  detach(open: TextSink): void {
    if (this.open === open) this.open = this.closed = null;
  }

  /** `runs[k]`: row slot k's number run ('' for a row still loading); `closed[k]`: whether it is a closed flow. */
  write(runs: readonly string[], closed: readonly boolean[]): void {
    if (this.open === null || this.closed === null) return;
    let open = '';
    let dim = '';
    for (let k = 0; k < runs.length; k++) {
      if (k > 0) {
        open += '\n';
        dim += '\n';
      }
      if (closed[k]) dim += runs[k];
      else open += runs[k];
    }
    if (open !== this.shownOpen) this.open.data = this.shownOpen = open;
    if (dim !== this.shownClosed) this.closed.data = this.shownClosed = dim;
  }
}

const BLOCK_WIDTH = `${NUMBER_RUN_CH}ch`;
/** Lines as tall as rows (both 1.75rem), so line k sits on row slot k. */
const LINE_REM = 1.75;

/**
 * The visible numbers of the rows on screen, laid over the numeric columns (the rows' last, fixed-width tracks, so
 * placed from the right edge). Positioned and strictly contained, so a new text is laid out on its own; it lets
 * clicks through to the rows under it.
 */
export const NumberBlock = memo(function NumberBlock({ rows, writer }: { rows: number; writer: NumberBlockWriter }) {
  const openRef = useRef<HTMLDivElement>(null);
  const closedRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const o = openRef.current;
    const c = closedRef.current;
    if (o === null || c === null) return;
    const open = o.ownerDocument.createTextNode('');
    const closed = o.ownerDocument.createTextNode('');
    o.appendChild(open);
    c.appendChild(closed);
    writer.attach(open, closed);
    return () => {
      writer.detach(open);
      open.remove();
      closed.remove();
    };
  }, [writer]);
  const style = { width: BLOCK_WIDTH, height: `${rows * LINE_REM}rem` };
  const cls = 'pointer-events-none absolute top-0 right-0 overflow-hidden leading-7 whitespace-pre contain-strict';
  return (
    <>
      <div ref={openRef} aria-hidden="true" data-numbers="open" className={cls} style={style} />
      <div ref={closedRef} aria-hidden="true" data-numbers="closed" className={`${cls} text-zinc-400 dark:text-zinc-500`} style={style} />
    </>
  );
});
