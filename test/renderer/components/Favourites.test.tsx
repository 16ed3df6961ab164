import { describe, expect, it } from 'vitest';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { row, status } from '../fixtures.ts';
import { LAST_SEEN_FIRST, renderApp } from '../render-app.tsx';
import { settingsFromFile } from '../../../src/shared/settings.ts';

const flows = [
  row({ id: 1, process: 'firefox', pid: 10, bytes_fwd: 9000, host: 'www.example.test', last_seen: 1_700_000_009 }),
  row({ id: 2, process: 'curl', pid: 20, bytes_fwd: 10, host: null, dst: '198.51.100.7', last_seen: 1_700_000_005 }),
  row({ id: 3, process: 'ssh', pid: 30, bytes_fwd: 50, host: 'git.example.org', last_seen: 1_700_000_007 }),
  row({ id: 4, process: 'curl', pid: 21, bytes_fwd: 20, host: 'api.example.org', last_seen: 1_700_000_001 }),
];

/** Flow ids in the table's order, top first. */
const order = () => [...document.querySelectorAll('[data-flow-id]')].map((el) => Number(el.getAttribute('data-flow-id')));
const rowEl = (id: number) => document.getElementById(`flow-row-${id}`) as HTMLElement;

describe('favourites', () => {
  it('the star in a row stars the flow: the host is told, the flow goes to the top and shows a pressed star', async () => {
    const { host } = await renderApp(flows, { sort: LAST_SEEN_FIRST });
    expect(order()).toEqual([1, 3, 2, 4]);
    const star = within(rowEl(4)).getByRole('button', { name: 'Favourite flow' });
    expect(star.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(star);
    await host.settle();
    expect(host.setFavourites).toHaveBeenLastCalledWith({ flows: [4], hosts: [], programs: [], only: false });
    expect(order()).toEqual([4, 1, 3, 2]);
    expect(within(rowEl(4)).getByRole('button', { name: 'Favourite flow' }).getAttribute('aria-pressed')).toBe('true');
    // Starring is not selecting.
    expect(rowEl(4).getAttribute('aria-selected')).toBe('false');
    // The process cell's text is still the process alone (the glyph is drawn, not written).
    expect(within(rowEl(4)).getAllByRole('gridcell')[0].textContent).toBe('curl (21)');
  });

  it('the row menu stars a program and a host: their flows stay on top whatever the sort, and are kept in the settings', async () => {
    const { host, stores } = await renderApp(flows, { sort: LAST_SEEN_FIRST });
    fireEvent.contextMenu(within(rowEl(2)).getAllByRole('gridcell')[2], { clientX: 10, clientY: 10 });
    const menu = screen.getByRole('menu', { name: 'Flow actions' });
    const labels = within(menu).getAllByRole('menuitem').map((m) => m.textContent);
    expect(labels).toEqual(expect.arrayContaining(['Star this flow', 'Star address 198.51.100.7', 'Star program curl']));
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Star program curl' }));
    await host.settle();
    expect(order()).toEqual([2, 4, 1, 3]);
    expect(within(rowEl(4)).getByRole('img', { name: 'Favourite program curl' })).toBeTruthy();
    // Another sort: the favourites stay first, in that sort's order among themselves.
    act(() => stores.ui.getState().sortBy('bytes'));
    await host.settle();
    expect(order()).toEqual([4, 2, 1, 3]);
    fireEvent.contextMenu(within(rowEl(3)).getAllByRole('gridcell')[2], { clientX: 10, clientY: 10 });
    fireEvent.click(within(screen.getByRole('menu')).getByRole('menuitem', { name: 'Star host git.example.org' }));
    await host.settle();
    expect(order()).toEqual([3, 4, 2, 1]);
    expect(within(rowEl(3)).getByRole('img', { name: 'Favourite host git.example.org' })).toBeTruthy();
    await act(() => new Promise((r) => setTimeout(r, 500)));
    expect(host.saveSettings.mock.lastCall?.[0]).toMatchObject({ favouriteHosts: ['git.example.org'], favouritePrograms: ['curl'] });
    // The menu says what a second click does.
    fireEvent.contextMenu(within(rowEl(3)).getAllByRole('gridcell')[2], { clientX: 10, clientY: 10 });
    expect(within(screen.getByRole('menu')).getByRole('menuitem', { name: 'Unstar host git.example.org' })).toBeTruthy();
  });

  it('Favourites only shows the favourites alone, and says how to get some when there are none', async () => {
    const { host } = await renderApp(flows, { settings: { ...settingsFromFile(null), favouriteHosts: ['example.org'] }, sort: LAST_SEEN_FIRST });
    await host.settle();
    expect(order()).toEqual([3, 4, 1, 2]);
    const toggle = screen.getByRole('button', { name: 'Favourites only' });
    fireEvent.click(toggle);
    await host.settle();
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(order()).toEqual([3, 4]);
    expect(host.setFavourites).toHaveBeenLastCalledWith({ flows: [], hosts: ['example.org'], programs: [], only: true });
    fireEvent.contextMenu(within(rowEl(3)).getAllByRole('gridcell')[2], { clientX: 10, clientY: 10 });
    fireEvent.click(within(screen.getByRole('menu')).getByRole('menuitem', { name: 'Unstar host example.org' }));
    await host.settle();
    expect(order()).toEqual([]);
    expect(screen.getByText(/No favourite flow matches/)).toBeTruthy();
  });

  it('a new source forgets the starred flows (their ids are the old source’s), not the hosts and programs', async () => {
    const { host, stores } = await renderApp(flows, { sort: LAST_SEEN_FIRST });
    fireEvent.click(within(rowEl(2)).getByRole('button', { name: 'Favourite flow' }));
    act(() => stores.favourites.getState().toggleProgram('ssh'));
    await host.settle();
    expect(stores.favourites.getState().flows).toEqual([2]);
    act(() => host.emitStatus(status({ state: 'reading', source: { kind: 'file', path: '/tmp/b.pcap' } })));
    await host.settle();
    expect(stores.favourites.getState().flows).toEqual([]);
    expect(host.setFavourites).toHaveBeenLastCalledWith({ flows: [], hosts: [], programs: ['ssh'], only: false });
  });
});
