import { describe, expect, it } from 'vitest';
import { act, screen, within } from '@testing-library/react';
import { row } from '../fixtures.ts';
import { renderApp } from '../render-app.tsx';

const flows = [row({ id: 1, process: 'firefox', pid: 10 }), row({ id: 2, process: 'curl', pid: 20, proto: 'udp', app: 'dns' })];

describe('Export table…', () => {
  it('is a menu button on the flows screen: from the keyboard, the chosen format is saved under the table’s filter and sort', async () => {
    const { user, host, stores } = await renderApp(flows);
    act(() => {
      stores.ui.getState().sortBy('bytes');
      stores.ui.getState().setFilterText('proto:tcp');
      // Text that does not parse: the table keeps the last valid filter, and so does the export.
      stores.ui.getState().setFilterText('proto:tcp port:x');
    });
    const button = screen.getByRole('button', { name: 'Export table…' });
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    act(() => button.focus());
    await user.keyboard('{Enter}');
    const menu = screen.getByRole('menu', { name: 'Export table as' });
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const items = within(menu).getAllByRole('menuitem');
    expect(items.map((i) => i.textContent)).toEqual(['CSV (spreadsheets)', 'JSON (one read --json flow line each)']);
    expect(document.activeElement).toBe(items[0]);
    await user.keyboard('{ArrowDown}{Enter}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(host.saveTableExport).toHaveBeenCalledWith({ format: 'json', sortColumn: 'bytes', sortDir: 'desc', filter: 'proto:tcp' });
    expect(await screen.findByText('Exported 3 flows to /tmp/flows.csv')).toBeTruthy();
  });

  it('Esc closes the menu onto its button without exporting; an error from the shell goes to the banner', async () => {
    const { user, host } = await renderApp(flows);
    const button = screen.getByRole('button', { name: 'Export table…' });
    await user.click(button);
    expect(screen.getByRole('menu')).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(host.saveTableExport).not.toHaveBeenCalled();
    host.saveTableExport.mockResolvedValueOnce({ ok: false, error: { code: 'bad_arguments', message: 'The flows filter does not parse: x.', action: 'Correct the filter, then export again.' } });
    await user.click(button);
    await user.click(screen.getByRole('menuitem', { name: 'CSV (spreadsheets)' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The flows filter does not parse: x.');
    expect(host.saveTableExport).toHaveBeenCalledWith({ format: 'csv', sortColumn: 'first_seen', sortDir: 'asc', filter: '' });
  });

  it('is not on the Overview', async () => {
    await renderApp(flows, { tab: 'overview' });
    expect(screen.queryByRole('button', { name: 'Export table…' })).toBeNull();
  });
});

describe("saving a flow's packets", () => {
  it('from the row menu and from the details drawer, for the flow shown; the status bar says how many', async () => {
    const { user, host, stores } = await renderApp(flows);
    // A source is open (saving needs one).
    act(() => host.emitStatus({ state: 'stopped', source: { kind: 'file', path: '/tmp/x.pcap' }, sandbox: null, error: null, devWarning: null, recordingFullAt: null }));
    const cell = within(document.getElementById('flow-row-2') as HTMLElement).getAllByRole('gridcell')[0];
    await user.pointer({ keys: '[MouseRight]', target: cell });
    await user.click(screen.getByRole('menuitem', { name: 'Save this flow’s packets as pcap…' }));
    expect(host.saveFlowPackets).toHaveBeenCalledWith(2);
    expect(await screen.findByText('Saved 4 packets of flow 2 to /tmp/flow-1.pcap')).toBeTruthy();
    act(() => {
      stores.ui.getState().select(1);
      stores.ui.getState().openDetails(true);
    });
    const drawer = screen.getByRole('complementary', { name: 'Flow details' });
    await user.click(within(drawer).getByRole('button', { name: 'Save packets…' }));
    expect(host.saveFlowPackets).toHaveBeenLastCalledWith(1);
  });

  it('a live capture without its packets says so in the banner', async () => {
    const { user, host } = await renderApp(flows);
    act(() => host.emitStatus({ state: 'capturing', source: { kind: 'live', interface: 'eth0' }, sandbox: null, error: null, devWarning: null, recordingFullAt: null }));
    host.saveFlowPackets.mockResolvedValueOnce({ ok: false, error: { code: 'bad_arguments', message: 'This flow’s packets are not available: the recording of this capture holds none of them.', action: 'Save the whole capture instead, or capture again.' } });
    const cell = within(document.getElementById('flow-row-1') as HTMLElement).getAllByRole('gridcell')[0];
    await user.pointer({ keys: '[MouseRight]', target: cell });
    await user.click(screen.getByRole('menuitem', { name: 'Save this flow’s packets as pcap…' }));
    expect((await screen.findByRole('alert')).textContent).toContain('This flow’s packets are not available');
  });
});
