import { describe, expect, it } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../../src/renderer/components/App.tsx';
import type { OverviewEntry, OverviewView } from '../../../src/shared/ipc.ts';
import { mockApi, update } from '../fixtures.ts';

const e = (key: string | null, bytesIn: number, bytesOut: number, flows: number, rateIn = 0, rateOut = 0): OverviewEntry => ({ key, bytesIn, bytesOut, flows, rateIn, rateOut });

function overview(p: Partial<OverviewView> = {}): OverviewView {
  return {
    order: 'bytes',
    total: { flows: 7, bytesIn: 9000, bytesOut: 1000, rateIn: 300, rateOut: 100 },
    lists: {
      process: { entries: [e('firefox', 6000, 500, 4, 200, 50), e(null, 3000, 500, 3)], groups: 2 },
      domain: { entries: [e('example.com', 7500, 800, 5), e('10.0.0.9', 1500, 200, 2)], groups: 30 },
      app: { entries: [e('tls', 8000, 900, 6), e('udp', 1000, 100, 1)], groups: 2 },
      country: { entries: [e('US', 8000, 900, 6), e(null, 1000, 100, 1)], groups: 2 },
      asn: { entries: [e('AS15169 Google LLC', 8000, 900, 6), e(null, 1000, 100, 1)], groups: 2 },
    },
    ...p,
  };
}

function setup() {
  const api = mockApi();
  const user = userEvent.setup();
  render(<App api={api} />);
  return { api, user };
}

describe('overview', () => {
  it('is the first screen: its tab is selected and the host is asked for its totals', async () => {
    const { api } = setup();
    const tab = screen.getByRole('tab', { name: 'Overview' });
    expect(tab.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tab', { name: 'Flows' }).getAttribute('aria-selected')).toBe('false');
    expect(screen.getByRole('tabpanel', { name: 'Overview' })).toBeTruthy();
    expect(screen.queryByRole('grid')).toBeNull();
    await waitFor(() => expect(api.setOverview).toHaveBeenCalledWith({ visible: true, order: 'bytes' }));
    expect(screen.getByText('No traffic yet: start a capture or open a capture file.')).toBeTruthy();
  });

  it('shows each panel\'s entries with bytes in/out, rate, flows and a share bar', () => {
    const { api } = setup();
    act(() => api.emitUpdate(update(1, { overview: overview() })));
    const programs = screen.getByRole('region', { name: 'Programs' });
    const firefox = within(programs).getByRole('button', { name: /^firefox:/ });
    expect(firefox.getAttribute('aria-label')).toBe('firefox: 6.0 kB in, 500 B out, 250 B/s, 4 flows, 65%. Show these flows');
    expect(firefox.textContent).toContain('6.0 kB');
    // 6500 of 10 000 bytes.
    expect((firefox.querySelector('[aria-hidden="true"] > span') as HTMLElement).style.width).toBe('65%');
    const domains = screen.getByRole('region', { name: 'Domains' });
    expect(within(domains).getByText('top 2 of 30')).toBeTruthy();
    expect(within(domains).getAllByRole('button').map((b) => b.textContent?.split(/\d/)[0])).toEqual(['example.com', '']);
    const apps = screen.getByRole('region', { name: 'Apps' });
    expect(within(apps).getByRole('button', { name: /^TLS:/ })).toBeTruthy();
    expect(within(apps).getByRole('button', { name: /^Other UDP:/ })).toBeTruthy();
    const countries = screen.getByRole('region', { name: 'Countries' });
    expect(within(countries).getByRole('button', { name: /^United States \(US\):/ })).toBeTruthy();
    const local = within(countries).getByRole('button', { name: /^Local or unknown:/ }) as HTMLButtonElement;
    expect(local.disabled).toBe(true);
    expect(local.getAttribute('aria-label')).toContain('private, special or not in the country database cannot be filtered on');
    const networks = screen.getByRole('region', { name: 'Networks (AS)' });
    expect(within(networks).getByRole('button', { name: /^AS15169 Google LLC:/ })).toBeTruthy();
    expect(screen.getByText(/looked up on this computer, never online/)).toBeTruthy();
    expect(screen.getByText('7 flows · 9.0 kB in · 1.0 kB out · 400 B/s now')).toBeTruthy();
  });

  it('an entry without a known program cannot be filtered on, and says so', () => {
    const { api } = setup();
    act(() => api.emitUpdate(update(1, { overview: overview() })));
    const unknown = screen.getByRole('button', { name: /^Unknown program:/ });
    expect((unknown as HTMLButtonElement).disabled).toBe(true);
    expect(unknown.getAttribute('aria-label')).toContain('cannot be filtered on');
  });

  it('sorts by bytes or rate: the toggle says which and asks the host', async () => {
    const { api, user } = setup();
    const rate = screen.getByRole('button', { name: 'Rate' });
    expect(screen.getByRole('button', { name: 'Bytes' }).getAttribute('aria-pressed')).toBe('true');
    await user.click(rate);
    expect(rate.getAttribute('aria-pressed')).toBe('true');
    expect(api.setOverview).toHaveBeenLastCalledWith({ visible: true, order: 'rate' });
    // Under rate order the share bar is the share of the rate.
    act(() => api.emitUpdate(update(1, { overview: overview({ order: 'rate' }) })));
    const firefox = screen.getByRole('button', { name: /^firefox:/ });
    expect((firefox.querySelector('[aria-hidden="true"] > span') as HTMLElement).style.width).toBe('63%');
  });

  it('clicking an entry shows the flows table filtered on it; the host stops computing the overview', async () => {
    const { api, user } = setup();
    act(() => api.emitUpdate(update(1, { overview: overview() })));
    await user.click(screen.getByRole('button', { name: /^example\.com:/ }));
    expect(screen.getByRole('tab', { name: 'Flows' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('grid')).toBeTruthy();
    expect((screen.getByLabelText('Filter flows') as HTMLInputElement).value).toBe('domain:example.com');
    await waitFor(() => expect(api.setView).toHaveBeenLastCalledWith(expect.objectContaining({ filter: 'domain:example.com' })));
    expect(api.setOverview).toHaveBeenLastCalledWith({ visible: false, order: 'bytes' });
    // Back to the overview, and to a program entry.
    await user.click(screen.getByRole('tab', { name: 'Overview' }));
    act(() => api.emitUpdate(update(2, { overview: overview() })));
    await user.click(screen.getByRole('button', { name: /^TLS:/ }));
    expect((screen.getByLabelText('Filter flows') as HTMLInputElement).value).toBe('app:tls');
    // A country, and a network by its number.
    await user.click(screen.getByRole('tab', { name: 'Overview' }));
    act(() => api.emitUpdate(update(3, { overview: overview() })));
    await user.click(screen.getByRole('button', { name: /^United States \(US\):/ }));
    expect((screen.getByLabelText('Filter flows') as HTMLInputElement).value).toBe('country:US');
    await user.click(screen.getByRole('tab', { name: 'Overview' }));
    act(() => api.emitUpdate(update(4, { overview: overview() })));
    await user.click(screen.getByRole('button', { name: /^AS15169 Google LLC:/ }));
    expect((screen.getByLabelText('Filter flows') as HTMLInputElement).value).toBe('asn:15169');
  });

  it('tabs work from the keyboard: ←/→ move between them, and / opens the flows filter', async () => {
    const { user } = setup();
    const overviewTab = screen.getByRole('tab', { name: 'Overview' });
    overviewTab.focus();
    await user.keyboard('{ArrowRight}');
    const flowsTab = screen.getByRole('tab', { name: 'Flows' });
    expect(flowsTab.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(flowsTab);
    expect(flowsTab.tabIndex).toBe(0);
    expect(overviewTab.tabIndex).toBe(-1);
    await user.keyboard('{ArrowLeft}');
    expect(overviewTab.getAttribute('aria-selected')).toBe('true');
    (document.activeElement as HTMLElement).blur();
    await user.keyboard('/');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Filter flows')));
  });
});
