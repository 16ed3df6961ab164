import { describe, expect, it } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../../src/renderer/components/App.tsx';
import { mockApi, row, update, type KnownTexts } from '../fixtures.ts';

function dataRows(): HTMLElement[] {
  return screen.getAllByRole('row').filter((r) => r.getAttribute('aria-rowindex') !== '1');
}
function cellTexts(r: HTMLElement): string[] {
  return within(r).getAllByRole('gridcell').map((c) => c.textContent ?? '');
}
function firstColumn(): string[] {
  return dataRows().map((r) => cellTexts(r)[0]);
}

const flows = [
  row({ id: 1, process: 'firefox', pid: 10, bytes_fwd: 100, bytes_rev: 0, last_seen: 1_700_000_003 }),
  row({ id: 2, process: 'curl', pid: 20, bytes_fwd: 900, bytes_rev: 0, last_seen: 1_700_000_001, host: null, dst: '2001:db8::1', dport: 80, app: 'http', state: 'closed' }),
  row({ id: 3, process: null, pid: null, process_hidden: true, host: null, bytes_fwd: 500, bytes_rev: 0, last_seen: 1_700_000_002, local: 'dst', src: '10.0.0.9', sport: 5353, dst: '10.0.0.1', dport: 5353, proto: 'udp', app: 'dns', state: 'active', rate_fwd_1s: 7000, rate_rev_1s: 3 }),
];

describe('flows table', () => {
  it('shows each flow with local/remote from FlowRow.local, and dims closed flows', () => {
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    expect(screen.getByText('No flows yet. Start a capture or open a capture file.')).toBeTruthy();
    act(() => api.emitUpdate(update(1, { full: true, upserts: flows, known })));
    expect(screen.getByRole('grid', { name: 'Flows' }).getAttribute('aria-rowcount')).toBe('4');
    // Default sort: last seen, newest first.
    expect(firstColumn()).toEqual(['firefox (10)', 'other user', 'curl (20)']);
    const [ff, dns, curl] = dataRows();
    expect(cellTexts(ff).slice(1, 5)).toEqual(['192.168.1.10:40001', 'example.com · 93.184.216.34:443', 'tcp/tls', 'established']);
    // local === 'dst': the responder is this host, so ↓ is the fwd rate.
    expect(cellTexts(dns).slice(1, 7)).toEqual(['10.0.0.1:5353', '10.0.0.9:5353', 'udp/dns', 'active', '7.0 kB/s', '3 B/s']);
    expect(cellTexts(curl)[2]).toBe('[2001:db8::1]:80');
    expect(curl.dataset.closed).toBe('true');
    expect(curl.className).toContain('text-zinc-400');
    expect(ff.dataset.closed).toBeUndefined();
  });

  it('sorts by a clicked header and reports it with aria-sort', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    act(() => api.emitUpdate(update(1, { full: true, upserts: flows, known })));
    const header = (name: string) => screen.getAllByRole('columnheader').find((h) => h.textContent?.startsWith(name)) as HTMLElement;
    expect(header('Last seen').getAttribute('aria-sort')).toBe('descending');
    await user.click(within(header('Bytes')).getByRole('button'));
    expect(header('Bytes').getAttribute('aria-sort')).toBe('descending');
    expect(header('Last seen').getAttribute('aria-sort')).toBe('none');
    expect(firstColumn()).toEqual(['curl (20)', 'other user', 'firefox (10)']);
    await user.click(within(header('Bytes')).getByRole('button'));
    expect(header('Bytes').getAttribute('aria-sort')).toBe('ascending');
    expect(firstColumn()).toEqual(['firefox (10)', 'other user', 'curl (20)']);
    await user.click(within(header('Process')).getByRole('button'));
    expect(header('Process').getAttribute('aria-sort')).toBe('ascending');
    expect(firstColumn()).toEqual(['other user', 'curl (20)', 'firefox (10)']);
  });

  it('applies deltas: updated rows move, removed rows go, new rows appear', () => {
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    act(() => api.emitUpdate(update(1, { full: true, upserts: flows, known })));
    act(() => api.emitUpdate(update(2, { upserts: [{ ...flows[2], last_seen: 1_700_000_009 }, row({ id: 4, process: 'ssh', pid: 40, last_seen: 1_700_000_000 })], removed: [1], known })));
    expect(firstColumn()).toEqual(['other user', 'curl (20)', 'ssh (40)']);
    expect(api.requestSnapshot).toHaveBeenCalledTimes(1); // the initial one only: no gap
    act(() => api.emitUpdate(update(7, { known })));
    expect(api.requestSnapshot).toHaveBeenCalledTimes(2);
  });

  it('filters with the filter bar and shows parse errors inline, keeping the last valid filter', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    act(() => api.emitUpdate(update(1, { full: true, upserts: flows, known })));
    const input = screen.getByRole('searchbox', { name: 'Filter flows' });
    await user.type(input, 'proto:tcp');
    expect(firstColumn()).toEqual(['firefox (10)', 'curl (20)']);
    expect(screen.getByText('2 of 3 flows')).toBeTruthy();
    // Pasted at once, so no valid prefix of it (like " po") becomes the last valid filter.
    await user.paste(' port:x');
    expect(screen.getByRole('alert').textContent).toContain('Bad port "x"');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(firstColumn()).toEqual(['firefox (10)', 'curl (20)']);
    await user.clear(input);
    await user.type(input, 'state:closed');
    expect(firstColumn()).toEqual(['curl (20)']);
    await user.clear(input);
    await user.type(input, 'nothing-matches');
    expect(screen.getByText('No flow matches the filter.')).toBeTruthy();
  });

  it('renders only a window of rows for a large table', () => {
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    const many = Array.from({ length: 20_000 }, (_, i) => row({ id: i + 1 }));
    act(() => api.emitUpdate(update(1, { full: true, upserts: many, known })));
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('20001');
    const n = dataRows().length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(100);
  });

  it('a click selects a row and a double click opens its details', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    act(() => api.emitUpdate(update(1, { full: true, upserts: flows, known })));
    const curl = dataRows()[2];
    await user.click(within(curl).getAllByRole('gridcell')[3]);
    expect(dataRows()[2].getAttribute('aria-selected')).toBe('true');
    expect(dataRows()[0].getAttribute('aria-selected')).toBe('false');
    expect(screen.getByRole('grid').getAttribute('aria-activedescendant')).toBe('flow-row-2');
    await user.dblClick(within(dataRows()[0]).getAllByRole('gridcell')[0]);
    expect(dataRows()[0].getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('complementary', { name: 'Flow details' })).toBeTruthy();
  });

  it('keeps the top rows of a large table in order as deltas arrive', () => {
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    const many = Array.from({ length: 20_000 }, (_, i) => row({ id: i + 1, process: `p${i + 1}`, pid: null, last_seen: 1_700_000_000 + ((i * 7919) % 20_000) }));
    act(() => api.emitUpdate(update(1, { full: true, upserts: many, known })));
    const newest = many.reduce((a, b) => (b.last_seen > a.last_seen ? b : a));
    expect(firstColumn()[0]).toBe(newest.process);
    act(() => api.emitUpdate(update(2, { upserts: [{ ...many[123], last_seen: 1_800_000_000 }, { ...many[77], last_seen: 1_799_999_999 }], removed: [newest.id], known })));
    expect(firstColumn().slice(0, 2)).toEqual(['p124', 'p78']);
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('20000');
  });
});
