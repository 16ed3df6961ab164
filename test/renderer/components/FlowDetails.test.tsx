import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../../src/renderer/components/App.tsx';
import { mockApi, row, update, type KnownTexts } from '../fixtures.ts';

describe('flow details drawer', () => {
  it('shows every field, a sparkline from successive rates, and copies values', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async (_text: string) => undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    const f = row({ id: 5, dns_queries: ['a.example'], alpn: ['h2', 'http/1.1'], rate_rev_1s: 100, rate_fwd_1s: 10 });
    act(() => api.emitUpdate(update(1, { full: true, upserts: [f], known })));
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    const drawer = screen.getByRole('complementary', { name: 'Flow details' });
    const labels = within(drawer).getAllByRole('term').map((t) => t.textContent);
    for (const l of ['Flow id', 'Local', 'Remote', 'Host', 'Process', 'PID', 'Executable', 'User', 'TLS SNI', 'TLS ALPN', 'DNS queries', 'First seen', 'Last seen']) {
      expect(labels).toContain(l);
    }
    expect(drawer.textContent).toContain('h2, http/1.1');
    act(() => api.emitUpdate(update(2, { upserts: [{ ...f, rate_rev_1s: 300, rate_fwd_1s: 30 }], known })));
    act(() => api.emitUpdate(update(3, { upserts: [{ ...f, rate_rev_1s: 200, rate_fwd_1s: 20 }], known })));
    const spark = within(drawer).getByRole('img');
    expect(spark.getAttribute('aria-label')).toBe('Rate of flow 5: down 200 B/s, up 20 B/s');
    const lines = spark.querySelectorAll('polyline');
    expect(lines).toHaveLength(2);
    expect(lines[0].getAttribute('points')?.split(' ')).toHaveLength(3);
    expect(drawer.textContent).toContain('last 3 updates');

    await user.click(within(drawer).getByRole('button', { name: 'Copy Remote' }));
    expect(writeText).toHaveBeenLastCalledWith('93.184.216.34:443');
    await user.click(within(drawer).getByRole('button', { name: 'Copy as JSON' }));
    expect(JSON.parse(writeText.mock.lastCall?.[0] ?? '{}').id).toBe(5);
    expect(within(drawer).getByText('Copied JSON')).toBeTruthy();
  });

  it('says so when the flow disappears', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    const known: KnownTexts = new Map();
    render(<App api={api} />);
    act(() => api.emitUpdate(update(1, { full: true, upserts: [row({ id: 5 })], known })));
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    act(() => api.emitUpdate(update(2, { removed: [5], known })));
    expect(screen.getByRole('complementary', { name: 'Flow details' }).textContent).toContain('This flow is no longer in the table.');
  });
});
