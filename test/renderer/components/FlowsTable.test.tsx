import { describe, expect, it } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import { App } from '../../../src/renderer/components/App.tsx';
import { sameText, viewWindow, ROW_HEIGHT } from '../../../src/renderer/components/FlowsTable.tsx';
import { MAX_VIEW_ROWS } from '../../../src/shared/ipc.ts';
import { numberRun, numberTexts } from '../../../src/renderer/flows/number-run.ts';
import { fakeHost, row, update } from '../fixtures.ts';
import { renderApp } from '../render-app.tsx';

function dataRows(): HTMLElement[] {
  return screen.getAllByRole('row').filter((r) => r.getAttribute('aria-rowindex') !== '1');
}
/** What each cell says to a screen reader: its name (numeric cells are named, their text is the row's number run). */
function cellTexts(r: HTMLElement): string[] {
  return within(r).queryAllByRole('gridcell').map((c) => c.getAttribute('aria-label') ?? c.textContent ?? '');
}
/**
 * The numbers seen on a row: its line of the number block over the rows (line k for the k-th row slot), from the
 * dimmed text if the row is a closed flow's and from the other if not.
 */
function seenNumbers(r: HTMLElement): string | undefined {
  const slots = [...(r.parentElement?.children ?? [])].filter((c) => c.getAttribute('role') === 'row');
  const k = slots.indexOf(r);
  const line = (which: string) => r.parentElement?.querySelector(`[data-numbers="${which}"]`)?.textContent?.split('\n')[k];
  const [mine, other] = r.dataset.closed === 'true' ? [line('closed'), line('open')] : [line('open'), line('closed')];
  return other === '' ? mine : undefined;
}
/** Whether the numbers seen on a row are the ones its cells are named with. */
function runMatchesCells(r: HTMLElement): boolean {
  return seenNumbers(r) === numberRun(cellTexts(r).slice(5));
}
function firstColumn(): string[] {
  return dataRows().map((r) => cellTexts(r)[0]);
}

const flows = [
  row({ id: 1, process: 'firefox', pid: 10, bytes_fwd: 100, bytes_rev: 0, last_seen: 1_700_000_003 }),
  row({ id: 2, process: 'curl', pid: 20, bytes_fwd: 900, bytes_rev: 0, last_seen: 1_700_000_001, host: null, dst: '2001:db8::1', dport: 80, app: 'http', state: 'closed' }),
  row({ id: 3, process: null, pid: null, process_hidden: true, host: null, bytes_fwd: 500, bytes_rev: 0, last_seen: 1_700_000_002, local: 'dst', src: '10.0.0.9', sport: 5353, dst: '10.0.0.1', dport: 5353, proto: 'udp', app: 'dns', state: 'active', rate_fwd_1s: 7000, rate_rev_1s: 3 }),
];

const setup = (initial: readonly ReturnType<typeof row>[] = flows) => renderApp(initial);

describe('flows table', () => {
  it('asks for the default view on connect, then shows each flow with local/remote from FlowRow.local, and dims closed flows', async () => {
    const host = fakeHost();
    render(<App api={host} />);
    await host.settle();
    // The initial request: the default sort, no filter, a window from the top, nothing selected.
    expect(host.views[0]).toMatchObject({ seq: 1, sortColumn: 'last_seen', sortDir: 'desc', filter: '', start: 0, select: null });
    expect(host.views[0].end).toBeGreaterThan(0);
    expect(host.views[0].end).toBeLessThanOrEqual(MAX_VIEW_ROWS);
    expect(screen.getByText('No flows yet. Start a capture or open a capture file.')).toBeTruthy();
    act(() => host.push(flows));
    expect(screen.getByRole('grid', { name: 'Flows' }).getAttribute('aria-rowcount')).toBe('4');
    // Default sort: last seen, newest first.
    expect(firstColumn()).toEqual(['firefox (10)', 'other user', 'curl (20)']);
    const [ff, dns, curl] = dataRows();
    expect(cellTexts(ff).slice(1, 5)).toEqual(['192.168.1.10:40001', 'example.com · 93.184.216.34:443', 'tcp/tls', 'established']);
    // local === 'dst': the responder is this host, so ↓ is the fwd rate.
    expect(cellTexts(dns).slice(1, 7)).toEqual(['10.0.0.1:5353', '10.0.0.9:5353', 'udp/dns', 'active', '7.0 kB/s', '3 B/s']);
    expect(cellTexts(curl)[2]).toBe('[2001:db8::1]:80');
    // What is seen of the numbers: an aligned line per row, the same values as the cells' names, in column order;
    // a closed flow's in the dimmed text.
    expect(cellTexts(dns)).toHaveLength(11);
    expect(seenNumbers(dns)).toBe(numberRun(cellTexts(dns).slice(5)));
    expect(seenNumbers(dns)?.trim().split(/ {2,}/)).toEqual(cellTexts(dns).slice(5));
    expect([ff, dns, curl].every(runMatchesCells)).toBe(true);
    expect(curl.dataset.closed).toBe('true');
    expect(curl.className).toContain('text-zinc-400');
    expect(ff.dataset.closed).toBeUndefined();
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
    expect(firstColumn()).toEqual(['curl (20)', 'other user', 'firefox (10)']);
    await user.click(within(header('Bytes')).getByRole('button'));
    expect(header('Bytes').getAttribute('aria-sort')).toBe('ascending');
    await host.settle();
    expect(firstColumn()).toEqual(['firefox (10)', 'other user', 'curl (20)']);
    await user.click(within(header('Process')).getByRole('button'));
    expect(header('Process').getAttribute('aria-sort')).toBe('ascending');
    await host.settle();
    expect(firstColumn()).toEqual(['other user', 'curl (20)', 'firefox (10)']);
  });

  it('shows each engine update: updated rows move, removed rows go, new rows appear', async () => {
    const { host } = await setup();
    const sent = host.views.length;
    act(() => host.push([{ ...flows[2], last_seen: 1_700_000_009 }, row({ id: 4, process: 'ssh', pid: 40, last_seen: 1_700_000_000 })], [1]));
    expect(firstColumn()).toEqual(['other user', 'curl (20)', 'ssh (40)']);
    expect(screen.getByText('3 flows')).toBeTruthy();
    // A flow that stays where it is shows its new numbers (every update brings new row objects).
    expect(cellTexts(dataRows()[1]).slice(5, 9)).toEqual(['2.0 kB/s', '100 B/s', '900 B', '22']);
    act(() => host.push([{ ...flows[1], bytes_fwd: 1_900_000, packets_fwd: 1000, rate_rev_1s: 5_000 }]));
    expect(cellTexts(dataRows()[1]).slice(0, 9)).toEqual(['curl (20)', '192.168.1.10:40002', '[2001:db8::1]:80', 'tcp/http', 'closed', '5.0 kB/s', '100 B/s', '1.9 MB', '1,012']);
    expect(dataRows().every(runMatchesCells)).toBe(true);
    // Engine updates are not answered with requests: the view did not change.
    await host.settle();
    expect(host.views.length).toBe(sent);
  });

  it('filters with the filter bar and shows parse errors inline, keeping the last valid filter', async () => {
    const { user, host } = await setup();
    const input = screen.getByRole('searchbox', { name: 'Filter flows' });
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
      expect(r.className).toContain('h-7');
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
    expect(cellTexts(shown[0]).slice(5)).toEqual(numberTexts(many[4_999 - i]));
    expect(shown.every(runMatchesCells)).toBe(true);
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

describe('flows table helpers', () => {
  it('React renders a row again only when its text changed (its numbers are written without it)', () => {
    const a = row({ id: 1 });
    expect(sameText(a, structuredClone(a))).toBe(true);
    expect(sameText(a, { ...a, rate_rev_1s: a.rate_rev_1s + 1, bytes_fwd: 1, packets_rev: 9, last_seen: 1_800_000_000 })).toBe(true);
    expect(sameText(a, { ...a, state: 'closed' })).toBe(false);
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
});
