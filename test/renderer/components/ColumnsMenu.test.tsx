import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { renderApp } from '../render-app.tsx';
import { row, status } from '../fixtures.ts';
import { RESIZE_STEP } from '../../../src/renderer/components/FlowsTable.tsx';
import { numberTexts } from '../../../src/renderer/flows/numeric-columns.ts';
import { SETTINGS_SAVE_DELAY_MS } from '../../../src/renderer/state/settings-sync.ts';
import { COLUMN_WIDTH_PX, settingsFromFile, type Settings } from '../../../src/shared/settings.ts';
import type { FakeHost } from '../fixtures.ts';

const flows = [row({ id: 1, process: 'firefox', pid: 10 }), row({ id: 2, process: 'curl', pid: 20, first_seen: 1_700_000_001 })];

function headers(): string[] {
  return screen.getAllByRole('columnheader').map((h) => within(h).getByRole('button').textContent?.replace(/[▲▼]/, '') ?? '');
}
function header(name: string): HTMLElement {
  return screen.getAllByRole('columnheader').find((h) => h.textContent?.replace(/[▲▼]/, '').startsWith(name)) as HTMLElement;
}
function dataRows(): HTMLElement[] {
  return screen.getAllByRole('row').filter((r) => r.getAttribute('aria-rowindex') !== '1');
}
function cellTexts(r: HTMLElement): string[] {
  return within(r).queryAllByRole('gridcell').map((c) => c.textContent ?? '');
}
function tracks(): string {
  const box = screen.getByRole('grid').firstElementChild as HTMLElement;
  return box.style.getPropertyValue('--flow-tracks');
}
async function savesAfterDelay(host: FakeHost): Promise<Settings[]> {
  await act(async () => new Promise((r) => setTimeout(r, SETTINGS_SAVE_DELAY_MS + 100)));
  const calls = host.saveSettings.mock.calls.map((c) => c[0]);
  host.saveSettings.mockClear();
  return calls;
}
const ALL = ['Process', 'Remote', '↓ Rate', '↑ Rate', 'Local', 'Protocol', 'State', 'Bytes', 'Packets', 'First seen', 'Last seen'];
/** A row's number cells while Local is hidden: the rates after Remote, the rest after State. */
const numbersWithoutLocal = (t: string[]) => [...t.slice(2, 4), ...t.slice(6)];

describe('hideable columns', () => {
  it('the Columns… button lists every column as a checkbox; unticking one removes its header and its cells, numbers included', async () => {
    const { user, host } = await renderApp(flows, { settings: settingsFromFile(null) });
    expect(headers()).toEqual(ALL);
    await user.click(screen.getByRole('button', { name: 'Columns…' }));
    const menu = screen.getByRole('menu', { name: 'Columns' });
    const items = within(menu).getAllByRole('menuitemcheckbox');
    expect(items.map((i) => i.textContent?.replace('✓', '').replace('(always shown)', '').trim())).toEqual(ALL);
    expect(items.every((i) => i.getAttribute('aria-checked') === 'true')).toBe(true);
    // The focus is on the first item: keys work at once.
    expect(document.activeElement).toBe(items[0]);
    await user.click(within(menu).getByRole('menuitemcheckbox', { name: /Bytes/ }));
    await user.click(within(menu).getByRole('menuitemcheckbox', { name: /Local/ }));
    expect(within(menu).getByRole('menuitemcheckbox', { name: /Bytes/ }).getAttribute('aria-checked')).toBe('false');
    expect(headers()).toEqual(ALL.filter((h) => h !== 'Bytes' && h !== 'Local'));
    expect(screen.getByRole('grid').getAttribute('aria-colcount')).toBe('9');
    // Each row has a cell per shown column, and each number is still in its own column.
    const r = dataRows()[0];
    const want = numberTexts(flows[0], false);
    expect(cellTexts(r)).toHaveLength(9);
    expect(numbersWithoutLocal(cellTexts(r))).toEqual([want[0], want[1], want[3], want[4], want[5]]);
    // Shown again: the cell is back with its number.
    await user.click(within(menu).getByRole('menuitemcheckbox', { name: /Bytes/ }));
    expect(numbersWithoutLocal(cellTexts(dataRows()[0]))).toEqual(want);
    // The flow key column cannot be hidden.
    const remote = within(menu).getByRole('menuitemcheckbox', { name: /Remote/ });
    expect(remote.getAttribute('aria-disabled')).toBe('true');
    await user.click(remote);
    expect(headers()).toContain('Remote');
    // Esc closes the menu onto its button.
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu', { name: 'Columns' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Columns…' }));
    const saves = await savesAfterDelay(host);
    expect(saves.at(-1)?.hiddenColumns).toEqual(['local']);
  });

  it('a right-click on the header opens the same menu there; Space toggles the focused column and keeps it open', async () => {
    const { user } = await renderApp(flows);
    fireEvent.contextMenu(header('State'), { clientX: 300, clientY: 40 });
    const menu = screen.getByRole('menu', { name: 'Columns' });
    expect(menu.style.top).toBe('40px');
    // The row menu did not open instead.
    expect(screen.queryByRole('menu', { name: 'Flow actions' })).toBeNull();
    // Past Remote (always shown) to the down rate.
    await user.keyboard('{ArrowDown}{ArrowDown} ');
    expect(headers()).toEqual(ALL.filter((h) => h !== '↓ Rate'));
    expect(screen.getByRole('menu', { name: 'Columns' })).toBeTruthy();
    // A press elsewhere closes it.
    await user.click(dataRows()[0]);
    expect(screen.queryByRole('menu', { name: 'Columns' })).toBeNull();
  });

  it('hidden columns and widths kept in the settings are applied at start', async () => {
    const settings: Settings = { ...settingsFromFile(null), hiddenColumns: ['process', 'packets'], columnWidths: { remote: 333, bytes: 50 } };
    await renderApp(flows, { settings });
    await vi.waitFor(() => expect(headers()).toEqual(ALL.filter((h) => h !== 'Process' && h !== 'Packets')));
    expect(tracks()).toContain('333px');
    // A numeric column keeps room for its longest value whatever width it was given.
    expect(tracks()).toMatch(/max\(calc\([\d.]+ch \+ 1rem\), 50px\)/);
  });
});

describe('columns of a capture file', () => {
  it('a file hides the process column until the user shows it; the star stays in the remote cell; a live capture shows it again', async () => {
    const { user, host } = await renderApp(flows, { settings: { ...settingsFromFile(null), hiddenColumns: ['packets'] } });
    await vi.waitFor(() => expect(headers()).toEqual(ALL.filter((h) => h !== 'Packets')));
    act(() => host.emitStatus(status({ state: 'reading', source: { kind: 'file', path: '/tmp/a.pcap' } })));
    expect(headers()).toEqual(ALL.filter((h) => h !== 'Process' && h !== 'Packets'));
    // Every row keeps its favourite star: it lives in the remote cell, which cannot be hidden.
    for (const r of dataRows()) {
      const remote = within(r).getAllByRole('gridcell')[0];
      expect(remote.textContent).toBe(cellTexts(r)[0]);
      expect(within(remote).getByRole('button', { name: 'Favourite flow' })).toBeTruthy();
    }
    await user.click(screen.getByRole('button', { name: 'Columns…' }));
    const item = within(screen.getByRole('menu', { name: 'Columns' })).getByRole('menuitemcheckbox', { name: /Process/ });
    expect(item.getAttribute('aria-checked')).toBe('false');
    await user.click(item);
    expect(headers()).toEqual(ALL.filter((h) => h !== 'Packets'));
    // The file's default is not a setting: what was saved stays the user's own list.
    const saves = await savesAfterDelay(host);
    expect(saves.every((x) => JSON.stringify(x.hiddenColumns) === '["packets"]')).toBe(true);
    await user.keyboard('{Escape}');
    // The same file again (a new read) brings the default back; a live capture drops it.
    act(() => host.emitStatus(status({ state: 'stopped', source: { kind: 'file', path: '/tmp/a.pcap' } })));
    act(() => host.emitStatus(status({ state: 'reading', source: { kind: 'file', path: '/tmp/a.pcap' } })));
    expect(headers()).not.toContain('Process');
    act(() => host.emitStatus(status({ state: 'starting', source: { kind: 'live', interface: 'eth0' } })));
    expect(headers()).toEqual(ALL.filter((h) => h !== 'Packets'));
  });

  it('a page opened over a file that was already read hides the process column too', async () => {
    const { host } = await renderApp(flows);
    act(() => host.emitStatus(status({ state: 'stopped', source: { kind: 'file', path: '/tmp/a.pcap' } })));
    expect(headers()).not.toContain('Process');
    expect(headers()).toContain('Remote');
  });

  it('the user hiding Process during a file keeps it hidden afterwards (a setting), unlike the file default', async () => {
    const { user, host } = await renderApp(flows, { settings: settingsFromFile(null) });
    act(() => host.emitStatus(status({ state: 'reading', source: { kind: 'file', path: '/tmp/a.pcap' } })));
    await user.click(screen.getByRole('button', { name: 'Columns…' }));
    const item = () => within(screen.getByRole('menu', { name: 'Columns' })).getByRole('menuitemcheckbox', { name: /Process/ });
    await user.click(item());
    await user.click(item());
    expect(headers()).not.toContain('Process');
    act(() => host.emitStatus(status({ state: 'starting', source: { kind: 'live', interface: 'eth0' } })));
    expect(headers()).not.toContain('Process');
    const saves = await savesAfterDelay(host);
    expect(saves.at(-1)?.hiddenColumns).toEqual(['process']);
  });
});

describe('resizable columns', () => {
  it('each header has a focusable vertical separator; arrows resize the column, within the bounds, and the width is saved', async () => {
    const { user, host } = await renderApp(flows, { settings: { ...settingsFromFile(null), columnWidths: { remote: 200 } } });
    const edge = within(header('Remote')).getByRole('separator', { name: 'Resize Remote' });
    expect(edge.getAttribute('aria-orientation')).toBe('vertical');
    expect(edge.tabIndex).toBe(0);
    await vi.waitFor(() => expect(edge.getAttribute('aria-valuenow')).toBe('200'));
    expect(edge.getAttribute('aria-valuemin')).toBe(String(COLUMN_WIDTH_PX.min));
    const before = host.views.length;
    edge.focus();
    await user.keyboard('{ArrowRight}{ArrowRight}');
    expect(edge.getAttribute('aria-valuenow')).toBe(String(200 + 2 * RESIZE_STEP));
    expect(tracks()).toContain(`${200 + 2 * RESIZE_STEP}px`);
    await user.keyboard('{ArrowLeft}');
    expect(edge.getAttribute('aria-valuenow')).toBe(String(200 + RESIZE_STEP));
    // The arrows resized; they did not move the selection or ask the host for anything.
    expect(host.views.length).toBe(before);
    expect(dataRows().some((r) => r.getAttribute('aria-selected') === 'true')).toBe(false);
    expect((await savesAfterDelay(host)).at(-1)?.columnWidths).toEqual({ remote: 200 + RESIZE_STEP });
    // Never below the least width.
    for (let i = 0; i < 40; i++) fireEvent.keyDown(edge, { key: 'ArrowLeft', shiftKey: true });
    expect(edge.getAttribute('aria-valuenow')).toBe(String(COLUMN_WIDTH_PX.min));
    // A double click gives the column its default track back.
    await user.dblClick(edge);
    expect(tracks()).not.toContain(`${COLUMN_WIDTH_PX.min}px`);
    expect((await savesAfterDelay(host)).at(-1)?.columnWidths).toEqual({});
  });

  it('dragging an edge with the pointer resizes the column by the distance moved, without rendering the rows again', async () => {
    const { stores } = await renderApp(flows, { settings: { ...settingsFromFile(null), columnWidths: { process: 150 } } });
    await vi.waitFor(() => expect(tracks().startsWith('150px')).toBe(true));
    const edge = within(header('Process')).getByRole('separator');
    const rowsBefore = dataRows();
    const cellBefore = within(rowsBefore[0]).getAllByRole('gridcell')[0];
    fireEvent.pointerDown(edge, { button: 0, clientX: 500, pointerId: 1 });
    fireEvent.pointerMove(edge, { clientX: 560, pointerId: 1 });
    expect(stores.columns.getState().widths.process).toBe(210);
    fireEvent.pointerMove(edge, { clientX: 530, pointerId: 1 });
    fireEvent.pointerUp(edge, { clientX: 530, pointerId: 1 });
    expect(stores.columns.getState().widths.process).toBe(180);
    expect(tracks().startsWith('180px')).toBe(true);
    // Moving afterwards, without a button held, does nothing.
    fireEvent.pointerMove(edge, { clientX: 900, pointerId: 1 });
    expect(stores.columns.getState().widths.process).toBe(180);
    // The header reads the template and the rows' cells the columns' boxes as the header lays them out; the rows
    // kept their elements.
    expect(dataRows()[0]).toBe(rowsBefore[0]);
    expect(within(dataRows()[0]).getAllByRole('gridcell')[0]).toBe(cellBefore);
    expect(cellBefore.style.width).toBe('var(--col-w-process)');
    expect(screen.getAllByRole('row')[0].style.gridTemplateColumns).toBe('var(--flow-tracks)');
  });
});
