/**
 * How much of a remote cell's text fits its column, without a layout read per row: the column's width is the one the
 * flows header measures for every column (its ResizeObservers, FlowsTable's columnBoxes), the font is read once from
 * the grid (cells set none of their own), and texts are measured on one shared canvas, a character at a time, each
 * character's width cached. Rows then fit their text with shortenRemote, in JS, as they are written.
 */
import { useMemo, useRef, type RefObject } from 'react';
import { shortenRemote, summedMeasure, type Measure } from './shorten.ts';

/** What a cell's text may take: its room in CSS pixels and how to measure a text in the cell's font. */
export interface Fit {
  room: number;
  measure: Measure;
}

/**
 * Room inside the remote track that is not text, in rem: the cell's padding (px-2 either side, CELL in
 * FlowsTable.tsx) and the favourite star before the text (w-4 and mr-1, Favourites.tsx).
 */
const RESERVED_REM = 0.5 + 0.5 + 1 + 0.25;
/** Slack for the rounding of glyph advances and of the column's width: a text measured to fit must not be clipped. */
const SLACK_PX = 1;

let context: CanvasRenderingContext2D | null | undefined;
let contextFont = '';
const widths = new Map<number, number>();

/** The one canvas context that measures (null where there is no canvas, as in jsdom: texts are then shown whole). */
function canvasContext(): CanvasRenderingContext2D | null {
  if (context === undefined) context = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  return context;
}

/** A measure in `font` (a CSS font shorthand), or null when nothing can measure. */
function measureIn(font: string): Measure | null {
  const ctx = canvasContext();
  if (ctx === null) return null;
  if (font !== contextFont) {
    ctx.font = font;
    contextFont = font;
    widths.clear();
  }
  return summedMeasure((ch) => ctx.measureText(ch).width, widths);
}

/** The grid's measure and the room in the track that is not text, read once. */
interface FitBase {
  measure: Measure;
  reserved: number;
}

function fitBase(grid: HTMLElement): FitBase | null {
  const style = getComputedStyle(grid);
  const measure = measureIn(`${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`);
  if (measure === null) return null;
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return { measure, reserved: RESERVED_REM * rem + SLACK_PX };
}

/**
 * The remote cells' fit in a column `width` pixels wide as the header laid it out (undefined or 0: not known yet,
 * nothing is fitted). The grid's font is read the first time a width is known, not again.
 */
export function useRemoteFit(grid: RefObject<HTMLElement | null>, width: number | undefined): Fit | null {
  const base = useRef<FitBase | null | undefined>(undefined);
  return useMemo(() => {
    if (width === undefined || width <= 0) return null;
    if (base.current === undefined) {
      const el = grid.current;
      if (el === null) return null;
      base.current = fitBase(el);
    }
    const b = base.current;
    return b === null ? null : { room: Math.max(0, width - b.reserved), measure: b.measure };
  }, [grid, width]);
}

/** A remote text as it fits (the text itself where nothing fits it). */
export function fitRemote(text: string, host: string | null, fit: Fit | null): string {
  return fit === null ? text : shortenRemote(text, host, fit.room, fit.measure);
}
