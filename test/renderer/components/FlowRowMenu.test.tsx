import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { row } from '../fixtures.ts';
import { renderApp } from '../render-app.tsx';

const flows = [
  row({ id: 1, process: 'firefox', pid: 10, local: 'src', dst: '93.184.216.34', dport: 443, host: 'www.example.test', last_seen: 1_700_000_003 }),
  row({ id: 2, process: 'curl', pid: 20, local: 'src', dst: '198.51.100.7', dport: 80, host: null, last_seen: 1_700_000_001 }),
];

function dataRow(id: number): HTMLElement {
  return document.getElementById(`flow-row-${id}`) as HTMLElement;
}

describe('row menu from the flows table', () => {
  it('opens on a right-click on a row, selecting it; Esc closes it and puts the focus back on the table at that row', async () => {
    const { host, stores } = await renderApp(flows);
    const cell = within(dataRow(2)).getAllByRole('gridcell')[2];
    const ev = fireEvent.contextMenu(cell, { clientX: 50, clientY: 60 });
    // The browser's own menu is not shown over it.
    expect(ev).toBe(false);
    const menu = screen.getByRole('menu', { name: 'Flow actions' });
    expect(menu.style.left).toBe('50px');
    expect(document.activeElement).toBe(within(menu).getAllByRole('menuitem')[0]);
    expect(stores.ui.getState().selectedId).toBe(2);
    expect(within(menu).getAllByRole('menuitem')[0].textContent).toBe('Filter on host 198.51.100.7');
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    const grid = screen.getByRole('grid', { name: 'Flows' });
    expect(document.activeElement).toBe(grid);
    expect(grid.getAttribute('aria-activedescendant')).toBe('flow-row-2');
    await host.settle();
    expect(host.views.at(-1)?.select).toEqual({ id: 2 });
  });

  it('opens with Shift+F10 and with the ContextMenu key on the selected row, and not without a selection', async () => {
    const { stores } = await renderApp(flows);
    const grid = screen.getByRole('grid', { name: 'Flows' });
    act(() => grid.focus());
    fireEvent.keyDown(grid, { key: 'F10', shiftKey: true });
    expect(screen.queryByRole('menu')).toBeNull();
    // A plain F10 is not the menu key.
    act(() => stores.ui.getState().select(1));
    fireEvent.keyDown(grid, { key: 'F10' });
    expect(screen.queryByRole('menu')).toBeNull();
    fireEvent.keyDown(grid, { key: 'F10', shiftKey: true });
    const menu = screen.getByRole('menu', { name: 'Flow actions' });
    expect(within(menu).getAllByRole('menuitem')[0].textContent).toBe('Filter on host 93.184.216.34');
    expect(document.activeElement?.getAttribute('role')).toBe('menuitem');
    fireEvent.keyDown(menu, { key: 'Tab' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(grid);
    fireEvent.keyDown(grid, { key: 'ContextMenu' });
    expect(screen.getByRole('menu', { name: 'Flow actions' })).toBeTruthy();
    // The context menu event the keyboard sends to the focused grid opens it too (and the browser's is not shown).
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    expect(fireEvent.contextMenu(grid)).toBe(false);
    expect(screen.getByRole('menu', { name: 'Flow actions' })).toBeTruthy();
  });

  it("Esc closes only the menu: the details drawer stays open and the filter keeps its text", async () => {
    const { stores } = await renderApp(flows);
    act(() => {
      stores.ui.getState().setFilterText('proto:tcp');
      stores.ui.getState().select(1);
      stores.ui.getState().openDetails(true);
    });
    fireEvent.contextMenu(within(dataRow(1)).getAllByRole('gridcell')[0]);
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(stores.ui.getState().detailsOpen).toBe(true);
    expect(stores.ui.getState().filterText).toBe('proto:tcp');
  });

  it('a filter item filters the table in the filter language; Show details opens the drawer; Copy copies', async () => {
    const { host, stores } = await renderApp(flows);
    fireEvent.contextMenu(within(dataRow(1)).getAllByRole('gridcell')[0]);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Filter on process firefox' }));
    expect(screen.queryByRole('menu')).toBeNull();
    expect((screen.getByRole('combobox', { name: 'Filter flows' }) as HTMLInputElement).value).toBe('proc:firefox');
    await host.settle();
    expect(host.views.at(-1)?.filter).toBe('proc:firefox');
    expect(document.querySelectorAll('[data-flow-id]').length).toBe(1);

    fireEvent.contextMenu(within(dataRow(1)).getAllByRole('gridcell')[0]);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Show details' }));
    expect(stores.ui.getState().detailsOpen).toBe(true);
    expect(screen.getByRole('complementary', { name: 'Flow details' })).toBeTruthy();

    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    fireEvent.contextMenu(within(dataRow(1)).getAllByRole('gridcell')[0]);
    await act(async () => fireEvent.click(screen.getByRole('menuitem', { name: 'Copy remote address' })));
    expect(writeText).toHaveBeenCalledWith('93.184.216.34');
    expect(screen.getByText('Copied.')).toBeTruthy();
    // Without a clipboard (an insecure page), it says so instead of failing silently.
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: undefined });
    fireEvent.contextMenu(within(dataRow(1)).getAllByRole('gridcell')[0]);
    await act(async () => fireEvent.click(screen.getByRole('menuitem', { name: 'Copy row' })));
    expect(screen.getByText('Could not copy: the clipboard is not available.')).toBeTruthy();
  });

  it('a press outside closes it', async () => {
    await renderApp(flows);
    fireEvent.contextMenu(within(dataRow(1)).getAllByRole('gridcell')[0]);
    expect(screen.getByRole('menu')).toBeTruthy();
    fireEvent.pointerDown(document.body);
    expect(screen.queryByRole('menu')).toBeNull();
  });
});
