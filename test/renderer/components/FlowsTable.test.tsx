import { StrictMode, useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App } from '../../../src/renderer/components/App.tsx';
import { sameText, slotOffset, viewWindow, ROW_HEIGHT } from '../../../src/renderer/components/FlowsTable.tsx';
import { MAX_VIEW_ROWS } from '../../../src/shared/ipc.ts';
import { NUMBER_COLUMNS, numberTexts } from '../../../src/renderer/flows/numeric-columns.ts';
import { COLUMN_IDS, type ColumnId } from '../../../src/shared/flows/columns.ts';
import { fakeHost, mockApi, row, stats, update } from '../fixtures.ts';
import { formatClock, formatDateTime } from '../../../src/renderer/format.ts';
import { LAST_SEEN_FIRST, renderApp } from '../render-app.tsx';
import { createAppStores } from '../../../src/renderer/state/app-stores.ts';

/** The App opened on its flows table (it opens on the Overview). */
function FlowsApp({ api }: { api: Parameters<typeof createAppStores>[0] }) {
  const [stores] = useState(() => createAppStores(api, { tab: 'flows' }));
  return <App api={api} stores={stores} />;
}

function dataRows(): HTMLElement[] {
  return screen.getAllByRole('row').filter((r) => r.getAttribute('aria-rowindex') !== '1');
}
/** What each cell of a row holds: its own text (which is also its name for a screen reader). */
function cellTexts(r: HTMLElement): string[] {
  return within(r).queryAllByRole('gridcell').map((c) => c.textContent ?? '');
}
/** Whether every cell of a row holds its text itself, as text (not an aria-label standing in for text shown elsewhere). */
function ownText(r: HTMLElement): boolean {
  return within(r).queryAllByRole('gridcell').every((c) => c.getAttribute('aria-label') === null && c.getAttribute('aria-hidden') === null);
}
/** The cells of the given columns (every column shown, in the table's order). */
function pick<T>(cells: readonly T[], ids: readonly ColumnId[]): T[] {
  return ids.map((id) => cells[COLUMN_IDS.indexOf(id)]);
}
/** The number cells, in NUMBER_COLUMNS order (numberTexts' order). */
function numbersOf<T>(cells: readonly T[]): T[] {
  return pick(cells, NUMBER_COLUMNS);
}
function firstColumn(): string[] {
  return dataRows().map((r) => cellTexts(r)[0]);
}

const flows = [
  row({ id: 1, process: 'firefox', pid: 10, bytes_fwd: 100, bytes_rev: 0, first_seen: 1_699_999_990, last_seen: 1_700_000_003 }),
  row({ id: 2, process: 'curl', pid: 20, bytes_fwd: 900, bytes_rev: 0, first_seen: 1_699_999_980, last_seen: 1_700_000_001, host: null, dst: '2001:db8::1', dport: 80, app: 'http', state: 'closed', dst_country: null, dst_asn: null, dst_as_name: null }),
  row({ id: 3, process: null, pid: null, process_hidden: true, host: null, bytes_fwd: 500, bytes_rev: 0, last_seen: 1_700_000_002, local: 'dst', src: '10.0.0.9', sport: 5353, dst: '10.0.0.1', dport: 5353, proto: 'udp', app: 'dns', state: 'active', rate_fwd_1s: 7000, rate_rev_1s: 3, first_seen: 1_699_999_995 }),
];

const setup = (initial: readonly ReturnType<typeof row>[] = flows) => renderApp(initial, { sort: LAST_SEEN_FIRST });

describe('flows table', () => {
  it('asks for the default view on connect, then shows each flow with local/remote from FlowRow.local, and dims closed flows', async () => {
    const host = fakeHost();
    render(<FlowsApp api={host} />);
    await host.settle();
    // The initial request: the default sort, no filter, a window from the top, nothing selected.
    expect(host.views[0]).toMatchObject({ seq: 1, sortColumn: 'first_seen', sortDir: 'asc', filter: '', start: 0, select: null });
    expect(host.views[0].end).toBeGreaterThan(0);
    expect(host.views[0].end).toBeLessThanOrEqual(MAX_VIEW_ROWS);
    expect(screen.getByText('No flows yet. Start a capture or open a capture file.')).toBeTruthy();
    act(() => host.push(flows));
    expect(screen.getByRole('grid', { name: 'Flows' }).getAttribute('aria-rowcount')).toBe('4');
    // Default sort: arrival order (first seen, oldest first), which a flow's new packets do not change.
    expect(firstColumn()).toEqual(['curl (20)', 'firefox (10)', 'another user’s']);
    act(() => host.push([{ ...flows[0], last_seen: 1_700_000_100, bytes_fwd: 9_000, rate_fwd_1s: 90_000 }]));
    expect(firstColumn()).toEqual(['curl (20)', 'firefox (10)', 'another user’s']);
    act(() => host.push([flows[0]]));
    const [curl, ff, dns] = dataRows();
    expect(pick(cellTexts(ff), ['local', 'remote', 'proto', 'state'])).toEqual(['192.168.1.10:40001', 'example.com · 93.184.216.34:443 · US', 'tcp/tls', 'established']);
    // local === 'dst': the responder is this host, so ↓ is the fwd rate.
    expect(pick(cellTexts(dns), ['local', 'remote', 'proto', 'state', 'down', 'up'])).toEqual(['10.0.0.1:5353', '10.0.0.9:5353', 'udp/dns', 'active', '7.0 kB/s', '3 B/s']);
    // A remote address with no country (here a documentation address) shows none.
    expect(cellTexts(curl)[COLUMN_IDS.indexOf('remote')]).toBe('[2001:db8::1]:80');
    // Every number is a cell of its own holding its text, in column order, in tabular figures.
    expect(cellTexts(dns)).toHaveLength(11);
    expect(numbersOf(cellTexts(dns))).toEqual(numberTexts(flows[2], false));
    expect([ff, dns, curl].every(ownText)).toBe(true);
    const numeric = numbersOf(within(dns).getAllByRole('gridcell'));
    expect(numeric.every((c) => c.className.includes('tabular-nums') && c.className.includes('contain-size') && c.className.includes('contain-layout'))).toBe(true);
    // Nothing is laid over the grid: no hidden text carries the numbers.
    const body = screen.getByRole('grid').querySelectorAll('[role=rowgroup]')[1];
    expect(body.querySelector('[aria-hidden]')).toBeNull();
    expect(body.querySelector('[data-numbers]')).toBeNull();
    expect(curl.dataset.over).toBe('true');
    expect(curl.className).toContain('text-zinc-400');
    expect(ff.dataset.over).toBeUndefined();
  });

  it("isolates a process name's direction, so a right-to-left name cannot carry its PID or the next cell along", async () => {
    const host = fakeHost();
    render(<FlowsApp api={host} />);
    await host.settle();
    act(() => host.push([row({ id: 1, process: 'שלום', pid: 42 }), row({ id: 2, process: null, pid: null, process_hidden: true, last_seen: 1 })]));
    const [named, hidden] = dataRows();
    const cell = within(named).getAllByRole('gridcell')[0];
    expect(cell.textContent).toBe('שלום (42)');
    // Its whole text is its tooltip while the pointer is over it (from a child of the cell too).
    expect(cell.getAttribute('title')).toBeNull();
    fireEvent.pointerOver(cell.querySelector('bdi') as Element);
    expect(cell.getAttribute('title')).toBe('שלום (42)');
    const bdi = cell.querySelector('bdi');
    expect(bdi?.textContent).toBe('שלום');
    expect(bdi?.nextSibling?.textContent).toBe(' (42)');
    expect(within(hidden).getAllByRole('gridcell')[0].textContent).toBe('another user’s');
  });

  it("a text cell's tooltip is its whole text while the pointer is over it, kept up to date, and gone when the pointer leaves", async () => {
    const { host } = await setup([row({ id: 1, process: 'firefox', pid: 10, state: 'active' })]);
    const stateCell = () => within(dataRows()[0]).getAllByRole('gridcell')[COLUMN_IDS.indexOf('state')];
    const noTips = () => dataRows().every((r) => within(r).getAllByRole('gridcell').every((c) => c.getAttribute('data-tip') === null || c.getAttribute('title') === null));
    // No text cell carries a title the pointer is not over (a changed title restyles its cell).
    expect(noTips()).toBe(true);
    fireEvent.pointerOver(stateCell());
    expect(stateCell().getAttribute('title')).toBe('active');
    act(() => host.push([row({ id: 1, process: 'firefox', pid: 10, state: 'syn_sent' })]));
    expect(stateCell().textContent).toBe('syn sent');
    expect(stateCell().getAttribute('title')).toBe('syn sent');
    fireEvent.pointerOut(stateCell(), { relatedTarget: dataRows()[0] });
    expect(stateCell().getAttribute('title')).toBeNull();
    expect(noTips()).toBe(true);
  });

  it('sorts by a clicked header: aria-sort at once, the rows in the order the host answers with', async () => {
    const { user, host } = await setup();
    const header = (name: string) => screen.getAllByRole('columnheader').find((h) => h.textContent?.replace(/[▲▼]/, '').startsWith(name)) as HTMLElement;
    expect(header('Last seen').getAttribute('aria-sort')).toBe('descending');
    await user.click(within(header('Bytes')).getByRole('button'));
    expect(header('Bytes').getAttribute('aria-sort')).toBe('descending');
    expect(header('Last seen').getAttribute('aria-sort')).toBe('none');
    await host.settle();
    expect(host.views.at(-1)).toMatchObject({ sortColumn: 'bytes', sortDir: 'desc' });
    expect(firstColumn()).toEqual(['curl (20)', 'another user’s', 'firefox (10)']);
    await user.click(within(header('Bytes')).getByRole('button'));
    expect(header('Bytes').getAttribute('aria-sort')).toBe('ascending');
    await host.settle();
    expect(firstColumn()).toEqual(['firefox (10)', 'another user’s', 'curl (20)']);
    await user.click(within(header('Process')).getByRole('button'));
    expect(header('Process').getAttribute('aria-sort')).toBe('ascending');
    await host.settle();
    expect(firstColumn()).toEqual(['another user’s', 'curl (20)', 'firefox (10)']);
  });

  it('shows each engine update: updated rows move, removed rows go, new rows appear', async () => {
    const { host } = await setup();
    const sent = host.views.length;
    act(() => host.push([{ ...flows[2], last_seen: 1_700_000_009 }, row({ id: 4, process: 'ssh', pid: 40, last_seen: 1_700_000_000 })], [1]));
    expect(firstColumn()).toEqual(['another user’s', 'curl (20)', 'ssh (40)']);
    expect(screen.getByText('3 flows')).toBeTruthy();
    // A flow that stays where it is shows its new numbers (every update brings new row objects).
    expect(pick(cellTexts(dataRows()[1]), ['down', 'up', 'bytes', 'packets'])).toEqual(['2.0 kB/s', '100 B/s', '900 B', '22']);
    act(() => host.push([{ ...flows[1], bytes_fwd: 1_900_000, packets_fwd: 1000, rate_rev_1s: 5_000 }]));
    expect(pick(cellTexts(dataRows()[1]), ['process', 'local', 'remote', 'proto', 'state', 'down', 'up', 'bytes', 'packets'])).toEqual(['curl (20)', '192.168.1.10:40002', '[2001:db8::1]:80', 'tcp/http', 'closed', '5.0 kB/s', '100 B/s', '1.9 MB', '1,012']);
    expect(dataRows().every(ownText)).toBe(true);
    // Engine updates are not answered with requests: the view did not change.
    await host.settle();
    expect(host.views.length).toBe(sent);
  });

  it('filters with the filter bar and shows parse errors inline, keeping the last valid filter', async () => {
    const { user, host } = await setup();
    const input = screen.getByRole('combobox', { name: 'Filter flows' });
    await user.type(input, 'proto:tcp');
    await host.settle();
    expect(host.views.at(-1)?.filter).toBe('proto:tcp');
    expect(firstColumn()).toEqual(['firefox (10)', 'curl (20)']);
    expect(screen.getByText('2 of 3 flows')).toBeTruthy();
    const sent = host.views.length;
    // Pasted at once, so no valid prefix of it (like " po") becomes the last valid filter.
    await user.paste(' port:x');
    // The error shows at once, before any round trip, and a text that does not parse is not sent.
    expect(screen.getByRole('alert').textContent).toContain('Bad port "x"');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    await host.settle();
    expect(host.views.length).toBe(sent);
    expect(firstColumn()).toEqual(['firefox (10)', 'curl (20)']);
    await user.clear(input);
    await user.type(input, 'state:closed');
    await host.settle();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(firstColumn()).toEqual(['curl (20)']);
    await user.clear(input);
    await user.type(input, 'nothing-matches');
    await host.settle();
    expect(screen.getByText('No flow matches the filter.')).toBeTruthy();
    expect(screen.getByText('0 of 3 flows')).toBeTruthy();
  });

  it("shows the host's verdict on a filter too", async () => {
    const { host } = await setup();
    // A filter the page let through but the host refused (say a parser of another version): its reason is shown.
    act(() => host.emitUpdate(update(99, { ...host.vm.view(false), filterError: 'Unknown key "foo".' })));
    expect(screen.getByRole('alert').textContent).toContain('Unknown key "foo".');
  });

  it('renders only a window of rows for a large table, and asks the host for only about that many', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => row({ id: i + 1 }));
    const { host } = await setup(many);
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('20001');
    expect(screen.getByText('20,000 flows')).toBeTruthy();
    const n = dataRows().length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(100);
    const last = host.views.at(-1);
    expect(last).toBeDefined();
    expect((last?.end ?? 0) - (last?.start ?? 0)).toBeLessThan(200);
  });

  it('a row whose window has not arrived yet is an empty placeholder until the answer comes', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => row({ id: i + 1, process: `p${i + 1}`, pid: null, last_seen: 1_700_000_000 + i }));
    const { host } = await setup(many);
    host.hold();
    // The user jumps to the end: the grid scrolls there, and the rows come a round trip later.
    const grid = screen.getByRole('grid');
    act(() => {
      grid.scrollTop = 4_000 * ROW_HEIGHT;
      grid.dispatchEvent(new Event('scroll'));
    });
    await host.settle();
    const waiting = dataRows();
    expect(waiting.length).toBeGreaterThan(0);
    for (const r of waiting) {
      expect(r.getAttribute('aria-busy')).toBe('true');
      expect(r.textContent).toBe('');
      expect(r.style.height).toBe(`${ROW_HEIGHT}px`);
    }
    expect(Number(waiting[0].getAttribute('aria-rowindex'))).toBeGreaterThan(3_900);
    const req = host.views.at(-1);
    expect(req?.start).toBeLessThanOrEqual(4_000);
    expect(req?.end).toBeGreaterThan(4_000);
    host.release();
    await host.settle();
    const shown = dataRows();
    expect(shown.every((r) => r.getAttribute('aria-busy') === null)).toBe(true);
    // Newest first: position i holds flow 5000 - i.
    const i = Number(shown[0].getAttribute('aria-rowindex')) - 2;
    expect(cellTexts(shown[0])[0]).toBe(`p${5_000 - i}`);
    // The numbers came with the rows: the slots that held placeholders have their writers again.
    expect(numbersOf(cellTexts(shown[0]))).toEqual(numberTexts(many[4_999 - i], false));
    expect(shown.every((r) => numbersOf(cellTexts(r)).every((t) => t !== ''))).toBe(true);
    expect(shown.every((r) => r.style.height === `${ROW_HEIGHT}px`)).toBe(true);
  });

  it('a click selects a row and a double click opens its details', async () => {
    const { user, host } = await setup();
    const curl = dataRows()[2];
    await user.click(within(curl).getAllByRole('gridcell')[3]);
    expect(dataRows()[2].getAttribute('aria-selected')).toBe('true');
    expect(dataRows()[0].getAttribute('aria-selected')).toBe('false');
    expect(screen.getByRole('grid').getAttribute('aria-activedescendant')).toBe('flow-row-2');
    await host.settle();
    expect(host.views.at(-1)?.select).toEqual({ id: 2 });
    await user.dblClick(within(dataRows()[0]).getAllByRole('gridcell')[0]);
    expect(dataRows()[0].getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('complementary', { name: 'Flow details' })).toBeTruthy();
  });

  it('scrolling by one row keeps the DOM element of every row still on screen (rows are not keyed by screen position)', async () => {
    const many = Array.from({ length: 2_000 }, (_, i) => row({ id: i + 1, process: `p${i + 1}`, pid: null, last_seen: 1_700_000_000 + i }));
    const { host } = await setup(many);
    const grid = screen.getByRole('grid');
    const scrollTo = async (top: number) => {
      act(() => {
        grid.scrollTop = top;
        grid.dispatchEvent(new Event('scroll'));
      });
      await host.settle();
    };
    // From a little way down, so rows leave at the top as well as come in at the bottom.
    await scrollTo(100 * ROW_HEIGHT);
    const byFlow = () => new Map(dataRows().filter((r) => r.dataset.flowId !== undefined).map((r) => [r.dataset.flowId as string, r]));
    const before = byFlow();
    await scrollTo(101 * ROW_HEIGHT);
    const after = byFlow();
    const stayed = [...after.keys()].filter((id) => before.has(id));
    // One row left and one came in; the rest are the same flows at the same positions.
    expect(stayed.length).toBeGreaterThan(10);
    expect(stayed.length).toBeGreaterThanOrEqual(after.size - 1);
    for (const id of stayed) expect(after.get(id)).toBe(before.get(id));
    // Each still shows its own flow.
    for (const id of stayed) expect(cellTexts(after.get(id) as HTMLElement)[0]).toBe(`p${id}`);
  });

  it("a scroll's answer carries only the rows the page did not hold, and every row shows the flow at its position", async () => {
    const many = Array.from({ length: 2_000 }, (_, i) => row({ id: i + 1, process: `p${i + 1}`, pid: null, last_seen: 1_700_000_000 + i }));
    const { host } = await setup(many);
    const grid = screen.getByRole('grid');
    const views = vi.spyOn(host.vm, 'view');
    for (const top of [100, 130, 160, 140]) {
      act(() => {
        grid.scrollTop = top * ROW_HEIGHT;
        grid.dispatchEvent(new Event('scroll'));
      });
      await host.settle();
    }
    const answers = views.mock.results.map((r) => r.value as ReturnType<typeof host.vm.view>);
    const sent = answers.reduce((n, a) => n + a.rows.filter((r) => r !== null).length, 0);
    const window = answers.reduce((n, a) => n + a.rows.length, 0);
    expect(answers.length).toBeGreaterThan(0);
    expect(sent, 'rows held are left out').toBeLessThan(window / 2);
    // Last seen first: position p holds flow 2000 - p.
    const shown = dataRows().filter((r) => r.getAttribute('aria-busy') !== 'true' && !r.hidden);
    expect(shown.length).toBeGreaterThan(10);
    for (const r of shown) expect(cellTexts(r)[0]).toBe(`p${2000 - (Number(r.getAttribute('aria-rowindex')) - 2)}`);
  });

  it('keeps the top rows of a large table in order as updates arrive', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => row({ id: i + 1, process: `p${i + 1}`, pid: null, last_seen: 1_700_000_000 + ((i * 7919) % 20_000) }));
    const { host } = await setup(many);
    const newest = many.reduce((a, b) => (b.last_seen > a.last_seen ? b : a));
    expect(firstColumn()[0]).toBe(newest.process);
    act(() => host.push([{ ...many[123], last_seen: 1_800_000_000 }, { ...many[77], last_seen: 1_799_999_999 }], [newest.id]));
    expect(firstColumn().slice(0, 2)).toEqual(['p124', 'p78']);
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('20000');
  });
});

/** Every change made to the DOM under `el` while `f` runs: which nodes' text was written, and whether any node came or went. */
function domWrites(el: Element, f: () => void): { texts: Node[]; structural: number; attributes: number } {
  const obs = new MutationObserver(() => undefined);
  obs.observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
  f();
  const records = obs.takeRecords();
  obs.disconnect();
  return {
    texts: records.filter((r) => r.type === 'characterData').map((r) => r.target),
    structural: records.filter((r) => r.type === 'childList').length,
    attributes: records.filter((r) => r.type === 'attributes').length,
  };
}

/** A view of `rows` as the host would send it, with the given capture time and chart. */
function viewOf(seq: number, rows: ReturnType<typeof row>[], p: Parameters<typeof update>[1] = {}) {
  return update(seq, { rows, total: rows.length, count: rows.length, ...p });
}

const DAY = 86_400;

describe('flows table cells', () => {
  it("each cell of a row sits on its column's box as the header lays it out, measured from the header row's left edge", async () => {
    // The header cells laid out side by side, 100 px each from x = 40 (jsdom lays nothing out), the process column 150.
    const rect = (left: number, width: number) => ({ left, width, right: left + width, top: 0, bottom: 32, height: 32, x: left, y: 0, toJSON: () => ({}) }) as DOMRect;
    const spy = vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
      const col = this.dataset.col as ColumnId | undefined;
      if (col === undefined) return rect(40, 1200);
      const i = COLUMN_IDS.indexOf(col);
      return i === 0 ? rect(40, 150) : rect(40 + 150 + (i - 1) * 100, 100);
    });
    try {
      await setup([row({ id: 1, process: 'firefox', pid: 10 })]);
      const box = screen.getAllByRole('row')[0].closest('[role=grid] > div') as HTMLElement;
      const cells = within(dataRows()[0]).getAllByRole('gridcell');
      const remote = cells[COLUMN_IDS.indexOf('remote')];
      const placed = (el: HTMLElement) => [el.style.left, el.style.width].map((v) => box.style.getPropertyValue(v.slice(4, -1)));
      expect(placed(cells[COLUMN_IDS.indexOf('process')])).toEqual(['0px', '150px']);
      expect(placed(remote)).toEqual(['150px', '100px']);
      expect(placed(cells[COLUMN_IDS.indexOf('last_seen')])).toEqual([`${150 + 9 * 100}px`, '100px']);
    } finally {
      spy.mockRestore();
    }
  });

  it('each number is a selectable, copyable cell of its own: its text is in the cell, whole', async () => {
    const big = row({ id: 9, packets_fwd: 999_999_999_000, packets_rev: 999, bytes_fwd: 99_999e12, rate_rev_1s: 999e12 });
    await setup([big]);
    const [r] = dataRows();
    const cells = within(r).getAllByRole('gridcell');
    const texts = numberTexts(big, false);
    expect(texts).toEqual(['999 TB/s', '100 B/s', '99999 TB', '999,999,999,999', formatClock(big.first_seen), formatClock(big.last_seen)]);
    numbersOf(cells).forEach((c, i) => {
      // The cell holds the value as one text node, not a stand-in (no #### for a long value, no name over empty text).
      expect(c.childNodes).toHaveLength(1);
      expect(c.firstChild?.nodeType).toBe(Node.TEXT_NODE);
      expect(c.textContent).toBe(texts[i]);
      expect(c.getAttribute('aria-label')).toBeNull();
    });
    // A selection over the row's cells copies its numbers as they are shown.
    const range = document.createRange();
    range.selectNodeContents(cells[8]);
    expect(range.toString()).toBe('999,999,999,999');
  });

  it('in StrictMode too (refs attached twice) each number cell holds exactly one text node', async () => {
    const api = mockApi();
    render(
      <StrictMode>
        <FlowsApp api={api} />
      </StrictMode>,
    );
    const r = row({ id: 1 });
    act(() => api.emitUpdate(viewOf(1, [r])));
    act(() => api.emitUpdate(viewOf(2, [{ ...r, bytes_fwd: 5_000_000 }])));
    const cells = numbersOf(within(dataRows()[0]).getAllByRole('gridcell'));
    expect(cells.map((c) => c.childNodes.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(cells.map((c) => c.textContent)).toEqual(numberTexts({ ...r, bytes_fwd: 5_000_000 }, false));
  });

  it('a counter that changed is written into its own cell only: no other cell, no row, no node is touched', async () => {
    const a = row({ id: 1, process: 'a', last_seen: 1_700_000_050 });
    const b = row({ id: 2, process: 'b', last_seen: 1_700_000_040 });
    const { host } = await setup([a, b]);
    const [ra, rb] = dataRows();
    const textNodes = (r: HTMLElement) => within(r).getAllByRole('gridcell').map((c) => c.firstChild);
    const before = [...textNodes(ra), ...textNodes(rb)];
    // Only b's byte count changes (the rates, packets and times stay).
    const w = domWrites(screen.getByRole('grid'), () => act(() => host.push([{ ...b, bytes_rev: b.bytes_rev + 5_000 }])));
    const bytesCell = within(rb).getAllByRole('gridcell')[7];
    expect(w.texts).toEqual([bytesCell.firstChild]);
    expect(bytesCell.textContent).toBe('15 kB');
    expect(w.structural).toBe(0);
    expect(w.attributes).toBe(0);
    // The same text nodes as before: no cell was rebuilt.
    expect([...textNodes(ra), ...textNodes(rb)]).toEqual(before);
    // An update in which nothing shown changed writes nothing at all.
    const none = domWrites(screen.getByRole('grid'), () => act(() => host.push([{ ...a, bytes_rev: a.bytes_rev + 1 }])));
    expect(none).toEqual({ texts: [], structural: 0, attributes: 0 });
  });

  it('dims the rows of flows that are over: closed or reset TCP, and flows the engine ended', () => {
    const api = mockApi();
    render(<FlowsApp api={api} />);
    const rows = [
      row({ id: 1, process: 'open', last_seen: 1_700_000_050 }),
      row({ id: 2, process: 'idle', ended: true, state: 'established', last_seen: 1_700_000_040 }),
      row({ id: 3, process: 'udp', ended: true, proto: 'udp', app: null, state: 'active', last_seen: 1_700_000_030 }),
      row({ id: 4, process: 'reset', state: 'reset', last_seen: 1_700_000_020 }),
    ];
    act(() => api.emitUpdate(viewOf(1, rows)));
    const dimmed = () => dataRows().map((r) => r.dataset.over === 'true' && r.className.includes('text-zinc-400'));
    expect(dimmed()).toEqual([false, true, true, true]);
    // A flow that ends later is dimmed from then on.
    act(() => api.emitUpdate(viewOf(2, [{ ...rows[0], ended: true }, ...rows.slice(1)])));
    expect(dimmed()).toEqual([true, true, true, true]);
  });

  it('shows times of day while the capture lies within one day, and the date too once it spans days', () => {
    const api = mockApi();
    render(<FlowsApp api={api} />);
    const t0 = new Date(2026, 2, 10, 9, 0, 0).getTime() / 1000;
    const r = row({ id: 1, first_seen: t0 + 60, last_seen: t0 + 120 });
    // The last two columns (a file below hides Process, so not by index from the left).
    const times = () => cellTexts(dataRows()[0]).slice(-2);
    act(() => api.emitUpdate(viewOf(1, [r], { ts: t0 + 130, chart: { start: t0, step: 1, down: [1, 2], up: [3, 4] } })));
    expect(times()).toEqual([formatClock(r.first_seen), formatClock(r.last_seen)]);
    // The capture started two days before: the same row's times now carry their date.
    act(() => api.emitUpdate(viewOf(2, [r], { ts: t0 + 130, chart: { start: t0 - 2 * DAY, step: 3600, down: [1], up: [1] } })));
    expect(times()).toEqual([formatDateTime(r.first_seen), formatDateTime(r.last_seen)]);
    expect(times()[0]).toMatch(/^2026-03-10 09:01:00\.000$/);
    // A chart left unchanged (null) keeps deciding.
    act(() => api.emitUpdate(viewOf(3, [r], { ts: t0 + 140, chart: null })));
    expect(times()[1]).toBe(formatDateTime(r.last_seen));
    // Without a chart, the rows' own times decide.
    act(() => api.emitStatus({ state: 'reading', source: { kind: 'file', path: '/tmp/x.pcap' }, sandbox: null, error: null, devWarning: null, recordingFullAt: null }));
    act(() => api.emitUpdate(viewOf(4, [r], { ts: t0 + 140 })));
    expect(times()[0]).toBe(formatClock(r.first_seen));
    const late = row({ id: 2, first_seen: t0 + 60, last_seen: t0 + DAY + 5 });
    act(() => api.emitUpdate(viewOf(5, [late], { ts: t0 + DAY + 5, stats: stats() })));
    expect(times()).toEqual([formatDateTime(late.first_seen), formatDateTime(late.last_seen)]);
    // The rows' cells sit on the header's columns as laid out: each cell reads its column's box, which the header
    // puts on the table's box (so wider time tracks widen the rows' time cells too).
    const header = screen.getAllByRole('row')[0];
    expect(header.style.gridTemplateColumns).toBe('var(--flow-tracks)');
    const lastSeen = within(dataRows()[0]).getAllByRole('gridcell').at(-1) as HTMLElement;
    expect([lastSeen.style.left, lastSeen.style.width]).toEqual(['var(--col-x-last_seen)', 'var(--col-w-last_seen)']);
    const box = header.closest('[role=grid] > div') as HTMLElement;
    expect(box.style.getPropertyValue('--col-w-last_seen')).toMatch(/^[\d.]+px$/);
  });
});

describe('flows table helpers', () => {
  it('React renders a row again only when its text changed (its numbers are written without it)', () => {
    const a = row({ id: 1 });
    expect(sameText(a, structuredClone(a))).toBe(true);
    expect(sameText(a, { ...a, rate_rev_1s: a.rate_rev_1s + 1, bytes_fwd: 1, packets_rev: 9, last_seen: 1_800_000_000 })).toBe(true);
    expect(sameText(a, { ...a, state: 'closed' })).toBe(false);
    expect(sameText(a, { ...a, ended: true })).toBe(false);
    expect(sameText(a, { ...a, host: 'other.example' })).toBe(false);
    expect(sameText(a, { ...a, id: 2 })).toBe(false);
  });

  it('the window covers the screen and about a screen either side, moves in half-screen steps, and reaches ahead while scrolling', () => {
    const h = 20 * ROW_HEIGHT;
    for (const first of [0, 5, 37, 500, 12_345]) {
      const w = viewWindow(first * ROW_HEIGHT, h);
      expect(w.start).toBeGreaterThanOrEqual(0);
      expect(w.start).toBeLessThanOrEqual(Math.max(0, first - 10));
      expect(w.end).toBeGreaterThanOrEqual(first + 40);
      expect(w.end - w.start).toBeLessThanOrEqual(100);
    }
    // Scrolling a few rows does not move it.
    expect(viewWindow(501 * ROW_HEIGHT, h)).toEqual(viewWindow(500 * ROW_HEIGHT, h));
    // Scrolling 40 rows a frame: a few frames of that ahead, in the direction of travel only.
    const still = viewWindow(5_000 * ROW_HEIGHT, h);
    const down = viewWindow(5_000 * ROW_HEIGHT, h, 40);
    const up = viewWindow(5_000 * ROW_HEIGHT, h, -40);
    expect(down.start).toBe(still.start);
    expect(down.end).toBeGreaterThanOrEqual(still.end + 2 * 40);
    expect(up.end).toBe(still.end);
    expect(up.start).toBeLessThanOrEqual(still.start - 2 * 40);
    // A jump is not a scroll: the window stays bounded.
    const jump = viewWindow(5_000 * ROW_HEIGHT, h, 90_000);
    expect(jump.end - jump.start).toBeLessThanOrEqual(still.end - still.start + 6 * 20);
    expect(viewWindow(0, 10_000 * ROW_HEIGHT, 1e6).end).toBeLessThanOrEqual(MAX_VIEW_ROWS);
  });

  it('row slots: while scrolling a row that stays on screen keeps its slot; at rest the slots are the rows in screen order', () => {
    const pool = 26;
    const shown = 24;
    const slots = (offset: number, first: number) => Array.from({ length: shown }, (_, i) => (first + i + offset) % pool);
    let offset = slotOffset(0, 1000, pool, false);
    // At rest the first row shown is in the first slot, the next in the next: DOM order is screen order.
    expect(slots(offset, 1000)).toEqual(Array.from({ length: shown }, (_, i) => i));
    let first = 1000;
    for (const d of [1, 3, 10, 12, 13, 20, 24, 40, 1000, -1, -3, -10, -12, -13, -20, -40, -1000]) {
      const next = slotOffset(offset, first + d, pool, true);
      const before = slots(offset, first);
      const after = slots(next, first + d);
      expect(new Set(after).size, `distinct slots after ${d}`).toBe(shown);
      // Every position still on screen is in the slot it was in.
      for (let i = 0; i < shown; i++) if (i - d >= 0 && i - d < shown) expect(after[i - d], `position ${first + i} after ${d}`).toBe(before[i]);
      offset = next;
      first += d;
    }
    // Scrolling stops: screen order again.
    expect(slots(slotOffset(offset, first, pool, false), first)).toEqual(Array.from({ length: shown }, (_, i) => i));
  });
});
