/**
 * How much of a remote cell's text fits its column, without a layout read per row: the column's width comes from one
 * ResizeObserver on its header cell (header and rows share the track), the font is read once from the grid (cells
 * set none of their own), and texts are measured on one shared canvas, a character at a time, each character's
 * width cached. Rows then fit their text with shortenRemote, in JS, as they render.
 */
import { useLayoutEffect, useMemo, useSyncExternalStore, type RefObject } from 'react';
import { shortenRemote, summedMeasure, type Measure } from './shorten.ts';

/** What a cell's text may take: its room in CSS pixels and how to measure a text in the cell's font. */
interface Fit {
  room: number;
  measure: Measure;
}

/**
 * Room inside the remote track that is not text, in rem: the cell's padding (px-2 either side, CELL in
 * FlowsTable.tsx) and the favourite star before the text (w-4 and mr-1, Favourites.tsx).
 */
const RESERVED_REM = 0.5 + 0.5 + 1 + 0.25;
/** Slack for the rounding of glyph advances: a text measured to fit must not be clipped by the cell. */
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

// The one table's fit (a module's state: the app shows one flows table), and the cells that follow it.
let current: Fit | null = null;
const listeners = new Set<() => void>();

function publish(next: Fit | null): void {
  current = next;
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

const snapshot = () => current;

/**
 * Called once by the flows table with its grid: follows the remote column's header cell (`data-col="remote"`), so
 * every remote cell knows its room. Nothing is fitted where there is no ResizeObserver or canvas.
 */
export function useRemoteColumnFit(grid: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const el = grid.current;
    const head = el?.querySelector<HTMLElement>('[data-col="remote"]');
    if (el == null || head == null || typeof ResizeObserver === 'undefined') return;
    // Read once: the cells' font is the grid's, and the reserved room is in rem.
    const style = getComputedStyle(el);
    const measure = measureIn(`${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`);
    if (measure === null) return;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const reserved = RESERVED_REM * rem + SLACK_PX;
    let track = -1;
    const ro = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1];
      const width = box.borderBoxSize?.[0]?.inlineSize ?? box.contentRect.width;
      if (Math.abs(width - track) < 0.5) return;
      track = width;
      publish({ room: Math.max(0, width - reserved), measure });
    });
    ro.observe(head);
    return () => {
      ro.disconnect();
      publish(null);
    };
  }, [grid]);
}

/** The remote cell's text as it fits its column (the text itself until the column is known). */
export function useFittedRemote(text: string, host: string | null): string {
  const fit = useSyncExternalStore(subscribe, snapshot);
  return useMemo(() => (fit === null ? text : shortenRemote(text, host, fit.room, fit.measure)), [fit, text, host]);
}
