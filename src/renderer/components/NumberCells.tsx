import { memo, useLayoutEffect, useRef } from 'react';
import type { FlowRow } from '../../shared/flow.ts';
import { NUMBER_COLUMNS, NUMBER_WIDTH_CH, numberRun, numberTexts } from '../flows/number-run.ts';

/**
 * Where a row's number run sits: over the numeric tracks, which are the row's last and fixed-width ones, so placed
 * from the row's right edge. Positioned and strictly contained rather than a grid item, its new text is laid out on
 * its own: the row's grid is not laid out again on every update.
 */
const RUN_STYLE = { width: `${NUMBER_COLUMNS.reduce((sum, id) => sum + NUMBER_WIDTH_CH[id], 0)}ch` };

/**
 * Writes one row's numbers into the DOM: each number cell's name and the row's number run, only where a string
 * changed. Every update moves the counters of every visible row; writing them here, rather than re-rendering each row
 * in React, keeps React's work per update to the rows whose text changed.
 */
export class NumberWriter {
  private readonly shown: string[] = [];
  private run = '';
  private readonly cells: readonly Element[];
  private readonly text: { data: string };

  constructor(cells: readonly Element[], text: { data: string }) {
    this.cells = cells;
    this.text = text;
  }

  write(r: FlowRow): void {
    const values = numberTexts(r);
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== this.shown[i]) {
        this.cells[i].setAttribute('aria-label', values[i]);
        this.shown[i] = values[i];
      }
    }
    const run = numberRun(values);
    if (run !== this.run) {
      this.text.data = run;
      this.run = run;
    }
  }
}

/** The writers of the rows on screen, by row slot; the table calls each after every render. */
export type NumberWriters = Map<number, NumberWriter>;

/**
 * A row's numeric cells. React renders them once, empty, and never writes their names or text: only their
 * NumberWriter does, so React's idea of the DOM and the DOM never disagree.
 * - Screen readers get a cell per number, by name; the cells have no box (display: contents), so they cost no layout.
 * - What is seen is the numbers as one text across the numeric tracks (see number-run.ts).
 */
export const NumberCells = memo(function NumberCells({ slot, writers }: { slot: number; writers: NumberWriters }) {
  const cells = useRef<(HTMLDivElement | null)[]>([]);
  const runRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const run = runRef.current;
    const els = cells.current.filter((c): c is HTMLDivElement => c !== null);
    if (run === null || els.length !== NUMBER_COLUMNS.length) return;
    const text = run.ownerDocument.createTextNode('');
    run.appendChild(text);
    const writer = new NumberWriter(els, text);
    writers.set(slot, writer);
    return () => {
      if (writers.get(slot) === writer) writers.delete(slot);
      text.remove();
    };
  }, [slot, writers]);
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
      <div ref={runRef} aria-hidden="true" className="absolute inset-y-0 right-0 overflow-hidden leading-[27px] whitespace-pre contain-strict" style={RUN_STYLE} />
    </>
  );
});
