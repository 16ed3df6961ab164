import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import { renderApp } from '../render-app.tsx';
import { SETTINGS_SAVE_DELAY_MS } from '../../../src/renderer/state/settings-sync.ts';
import { settingsFromFile, type Settings } from '../../../src/shared/settings.ts';
import type { FakeHost } from '../fixtures.ts';

const kept: Settings = {
  ...settingsFromFile(null), theme: 'dark', interface: 'eth0', filterHistory: ['proto:udp'], sortColumn: 'bytes', sortDir: 'asc',
};

function header(name: string): HTMLElement {
  return screen.getAllByRole('columnheader').find((h) => h.textContent?.replace(/[▲▼]/, '').startsWith(name)) as HTMLElement;
}

/** Waits past the save delay and returns what was saved since the last call. */
async function savesAfterDelay(host: FakeHost): Promise<Settings[]> {
  await act(async () => new Promise((r) => setTimeout(r, SETTINGS_SAVE_DELAY_MS + 100)));
  const calls = host.saveSettings.mock.calls.map((c) => c[0]);
  host.saveSettings.mockClear();
  return calls;
}

afterEach(() => {
  delete document.documentElement.dataset.theme;
});

describe('settings kept between runs', () => {
  it('applies what was kept: theme, interface, sort, filter history; and saves nothing for that alone', async () => {
    const { host } = await renderApp([], { settings: kept });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    expect((screen.getByLabelText('Interface') as HTMLSelectElement).value).toBe('eth0');
    expect(header('Bytes').getAttribute('aria-sort')).toBe('ascending');
    expect(host.views.at(-1)).toMatchObject({ sortColumn: 'bytes', sortDir: 'asc' });
    const history = document.getElementById('flow-filter-history') as HTMLDataListElement;
    expect([...history.options].map((o) => o.value)).toEqual(['proto:udp']);
    expect(await savesAfterDelay(host)).toEqual([]);
  });

  it('saves a change once, after a short delay: the theme button, a sort, a filter committed with Enter', async () => {
    const { host, user } = await renderApp([], { settings: kept });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    const theme = screen.getByRole('button', { name: /^Theme: Dark/ });
    await user.click(theme);
    expect(theme.textContent).toBe('Theme: System');
    await user.click(theme);
    expect(theme.textContent).toBe('Theme: Light');
    expect(document.documentElement.dataset.theme).toBe('light');
    await user.click(within(header('Packets')).getByRole('button'));
    const box = screen.getByRole('combobox', { name: 'Filter flows' });
    await user.type(box, 'port:443{Enter}');
    const saves = await savesAfterDelay(host);
    // Coalesced: one save with all three changes.
    expect(saves).toHaveLength(1);
    expect(saves[0]).toEqual({ ...kept, theme: 'light', sortColumn: 'packets', sortDir: 'desc', filterHistory: ['port:443', 'proto:udp'] });
    const history = document.getElementById('flow-filter-history') as HTMLDataListElement;
    expect([...history.options].map((o) => o.value)).toEqual(['port:443', 'proto:udp']);
    // A filter that does not parse is not remembered.
    await user.clear(box);
    await user.type(box, 'port:http{Enter}');
    expect(await savesAfterDelay(host)).toEqual([]);
  });

  it('keeps the interface of the last live capture started, not whatever the list offers first', async () => {
    const { host, user } = await renderApp([], { settings: { ...kept, interface: 'wlan9' } });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    // wlan9 is not there now: the list's first entry is shown, and nothing is saved over wlan9.
    expect((screen.getByLabelText('Interface') as HTMLSelectElement).value).toBe('any');
    expect(await savesAfterDelay(host)).toEqual([]);
    await user.selectOptions(screen.getByLabelText('Interface'), 'lo');
    act(() => host.emitStatus({ state: 'starting', source: { kind: 'live', interface: 'lo' }, sandbox: null, error: null, devWarning: null, recordingFullAt: null }));
    expect((await savesAfterDelay(host)).map((s) => s.interface)).toEqual(['lo']);
  });

  it('a host that cannot read the settings: defaults, and nothing is written over them', async () => {
    const { host, user } = await renderApp([], { settings: new Error('EACCES') });
    await user.click(screen.getByRole('button', { name: /^Theme: System/ }));
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(await savesAfterDelay(host)).toEqual([]);
    expect(within(screen.getByRole('contentinfo')).getByRole('button', { name: /^Theme: Light/ })).toBeTruthy();
    vi.restoreAllMocks();
  });
});
