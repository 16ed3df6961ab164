// The flows table's remote cells fitted to their column in jsdom, with a stand-in canvas, ResizeObserver and header
// layout: the shortened text is the cell's text, the full one its tooltip and accessible name; the width is the one the
// header measures for its columns (no observer of its own), and rendering more rows reads no more styles and measures
// no more characters.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { FlowsTable } from '../../../src/renderer/components/FlowsTable.tsx';
import { StoresContext, connectApi, createAppStores } from '../../../src/renderer/state/app-stores.ts';
import { shortenRemote, ELLIPSIS } from '../../../src/renderer/flows/shorten.ts';
import { COLUMN_IDS } from '../../../src/shared/flows/columns.ts';
import { fakeHost, row } from '../fixtures.ts';

/** The remote header cell's laid-out width (jsdom lays nothing out): what the header's measure reads. */
let remoteWidth = 0;

/** A ResizeObserver the test drives: `resize` lays the remote header cell out `width` wide and reports it. */
class TestResizeObserver {
  static made: TestResizeObserver[] = [];
  readonly observed: Element[] = [];
  private readonly cb: ResizeObserverCallback;
  constructor(cb: ResizeObserverCallback) {
    this.cb = cb;
    TestResizeObserver.made.push(this);
  }
  observe(el: Element): void {
    this.observed.push(el);
  }
  unobserve(): void {}
  disconnect(): void {
    this.observed.length = 0;
  }
  resize(width: number): void {
    remoteWidth = width;
    const entry = { target: this.observed[0], borderBoxSize: [{ inlineSize: width, blockSize: 32 }], contentRect: { width, height: 32 } };
    this.cb([entry as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
}

const CHAR_PX = 7;
const measured: string[] = [];
const widthOfText = (s: string) => [...s].length * CHAR_PX;
/** The room the table gives a cell of a track `w` wide: the cell's padding, the star and a pixel of slack (2.25rem + 1 at 16 px). */
const roomOf = (w: number) => w - 37;

const HOST = 'login.eu-west-1.accounts.internal.sandpiper-shop.co.uk';
const ROWS = 20;
const flows = Array.from({ length: ROWS }, (_, i) =>
  row({ id: i + 1, host: i % 2 === 0 ? `n${i}.${HOST}` : `w${i}.example.org`, dst: `198.51.100.${i + 1}`, first_seen: 1_700_000_000 + i }),
);

beforeEach(() => {
  TestResizeObserver.made = [];
  measured.length = 0;
  remoteWidth = 0;
  const layOut = vi.spyOn(Element.prototype, 'getBoundingClientRect');
  layOut.mockImplementation(function (this: Element) {
    const width = this.getAttribute('data-col') === 'remote' ? remoteWidth : 0;
    return { x: 0, y: 0, left: 0, top: 0, right: width, bottom: 32, width, height: 32, toJSON: () => ({}) } as DOMRect;
  });
  vi.stubGlobal('ResizeObserver', TestResizeObserver);
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation((() => ({
    font: '',
    measureText: (s: string) => {
      measured.push(s);
      return { width: widthOfText(s) };
    },
  })) as unknown as typeof HTMLCanvasElement.prototype.getContext);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function table() {
  const host = fakeHost();
  const stores = createAppStores(host, { tab: 'flows' });
  render(
    <StoresContext.Provider value={stores}>
      <FlowsTable />
    </StoresContext.Provider>,
  );
  const off = connectApi(stores);
  await host.settle();
  act(() => host.push(flows));
  const head = document.querySelector('[data-col="remote"]');
  const following = TestResizeObserver.made.filter((o) => head !== null && o.observed.includes(head));
  expect(following, "the header's observer alone follows the remote header cell").toHaveLength(1);
  const ro = following[0];
  return { ro: ro as TestResizeObserver, off };
}

/** A remote cell's tooltip, as the pointer over it shows it (it has none otherwise). */
function tipOf(c: HTMLElement): string | null {
  expect(c.getAttribute('title')).toBeNull();
  fireEvent.pointerOver(c);
  const tip = c.getAttribute('title');
  fireEvent.pointerOut(c);
  expect(c.getAttribute('title')).toBeNull();
  return tip;
}

function remoteCells(): HTMLElement[] {
  const rows = screen.getAllByRole('row').filter((r) => r.getAttribute('aria-rowindex') !== '1' && r.getAttribute('aria-busy') === null);
  return rows.map((r) => within(r).getAllByRole('gridcell')[COLUMN_IDS.indexOf('remote')]);
}

describe('remote cells fitted to their column', () => {
  it('show the whole text until the column is known, then a long name shortened in the middle, its full text as tooltip and name', async () => {
    const { ro, off } = await table();
    const cells = remoteCells();
    expect(cells.length).toBeGreaterThanOrEqual(ROWS / 2);
    for (const c of cells) expect(c.textContent).toBe(tipOf(c));

    act(() => ro.resize(300));
    let shortened = 0;
    for (const c of remoteCells()) {
      const full = tipOf(c) ?? '';
      const host = full.slice(0, full.indexOf(' · '));
      expect(c.textContent).toBe(shortenRemote(full, host, roomOf(300), widthOfText));
      expect(widthOfText(c.textContent ?? '')).toBeLessThanOrEqual(roomOf(300));
      if (c.textContent !== full) {
        shortened++;
        expect(c.textContent).toContain(ELLIPSIS);
        expect(c.textContent?.endsWith(full.slice(full.indexOf(' · ')))).toBe(true);
        expect(c.getAttribute('aria-label')).toBe(full);
        // One text node: the star (a button, its glyph drawn by CSS) and the text.
        expect([...c.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)).toHaveLength(1);
      } else expect(c.getAttribute('aria-label')).toBeNull();
    }
    expect(shortened).toBeGreaterThan(0);
    expect(screen.getAllByRole('gridcell', { name: `n0.${HOST} · 198.51.100.1:443 · US` })).toHaveLength(1);

    // Wide enough: every text whole again, with no accessible name of its own.
    act(() => ro.resize(1000));
    for (const c of remoteCells()) {
      expect(c.textContent).toBe(tipOf(c));
      expect(c.getAttribute('aria-label')).toBeNull();
    }
    off();
  });

  it('reads the grid style once and measures each character once, however many rows are fitted', async () => {
    const styles = vi.spyOn(window, 'getComputedStyle');
    const { ro, off } = await table();
    const grid = document.getElementById('flows-grid');
    const stylesAtStart = styles.mock.calls.length;
    // The first width known: the grid's font and the root's font size, read once for every row.
    act(() => ro.resize(300));
    const read = styles.mock.calls.slice(stylesAtStart).map((c) => c[0]);
    expect(read).toEqual([grid, document.documentElement]);
    act(() => ro.resize(260));
    act(() => ro.resize(420));
    expect(styles.mock.calls.length).toBe(stylesAtStart + read.length);
    // Every text measured was one character, each character once.
    expect(measured.every((s) => [...s].length === 1)).toBe(true);
    expect(new Set(measured).size).toBe(measured.length);
    off();
  });
});
