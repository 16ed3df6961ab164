import { describe, expect, it } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import { App } from '../../../src/renderer/components/App.tsx';
import { mockApi, stats, update } from '../fixtures.ts';

describe('status bar', () => {
  it('shows rates, drops, flows and elapsed time from the latest update', () => {
    const api = mockApi();
    render(<App api={api} />);
    const bar = screen.getByRole('contentinfo', { name: 'Capture statistics' });
    expect(within(bar).getAllByRole('definition').map((d) => d.textContent)).toEqual(['idle', '—', '—', '—', '—', '—', '—', '—']);
    act(() =>
      api.emitUpdate(
        update(1, {
          stats: stats({ packetsPerSecond: 12345, bytesPerSecond: 2_500_000, kernelDrops: 3, ifaceDrops: 0, pipeDrops: 7, flows: 42, elapsedSeconds: 3725, inBytesPerSecond: 2_000_000, outBytesPerSecond: 500_000 }),
        }),
      ),
    );
    const pairs = Object.fromEntries(
      within(bar)
        .getAllByRole('term')
        .map((t) => [t.textContent, t.nextElementSibling?.textContent]),
    );
    expect(pairs).toEqual({
      State: 'idle',
      'Packets/s': '12,345',
      'Bytes/s': '2.5 MB/s',
      'Kernel drops': '3',
      'Interface drops': '0',
      'Pipe drops': '7',
      Flows: '42',
      Elapsed: '1:02:05',
    });
    // The chart has no canvas in jsdom and falls back to a text summary.
    expect(screen.getByRole('region', { name: 'Bandwidth' }).textContent).toContain('Now ↓ 2.0 MB/s, ↑ 500 kB/s');
    // No flow expired, DPI refused nothing: nothing said about either.
    expect(bar.textContent).not.toContain('expired');
    expect(bar.textContent).not.toContain('DPI');
  });

  it('says how much work DPI refused under its limits, and what that means, once it refused any', () => {
    const api = mockApi();
    render(<App api={api} />);
    const bar = screen.getByRole('contentinfo', { name: 'Capture statistics' });
    act(() => api.emitUpdate(update(1, { stats: stats({ flows: 10, dpiRefused: 1 }) })));
    expect(within(bar).getByText(/^1 DPI refusal/)).toBeTruthy();
    act(() => api.emitUpdate(update(2, { stats: stats({ flows: 10, dpiRefused: 2_500 }) })));
    const note = within(bar).getByText(/^2,500 DPI refusals/);
    const tip = note.getAttribute('title') ?? '';
    expect(tip).toMatch(/QUIC key derivations/);
    expect(note.textContent).toContain(tip);
  });

  it('says how many flows expired, and what that means, once any did', () => {
    const api = mockApi();
    render(<App api={api} />);
    const bar = screen.getByRole('contentinfo', { name: 'Capture statistics' });
    act(() => api.emitUpdate(update(1, { stats: stats({ flows: 10, expiredFlows: 1 }) })));
    expect(within(bar).getByText(/^1 flow expired/)).toBeTruthy();
    act(() => api.emitUpdate(update(2, { stats: stats({ flows: 10, expiredFlows: 12_345 }) })));
    const note = within(bar).getByText(/^12,345 flows expired/);
    const tip = note.getAttribute('title') ?? '';
    expect(tip).toMatch(/idle/);
    expect(tip).toMatch(/flow cap/);
    // Said to screen readers too, which do not get tooltips.
    expect(note.textContent).toContain(tip);
  });

  it('shows the zero rates of a stopped capture as zero, not as missing', () => {
    const api = mockApi();
    render(<App api={api} />);
    act(() => api.emitUpdate(update(1, { stats: stats({ packets: 900, bytes: 1e6, packetsPerSecond: 0, bytesPerSecond: 0, flows: 3 }) })));
    const bar = screen.getByRole('contentinfo', { name: 'Capture statistics' });
    const pairs = Object.fromEntries(within(bar).getAllByRole('term').map((t) => [t.textContent, t.nextElementSibling?.textContent]));
    expect(pairs['Packets/s']).toBe('0');
    expect(pairs['Bytes/s']).toBe('0 B/s');
  });
});
