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
    expect(screen.getByRole('region', { name: 'Bandwidth' }).textContent).toContain('In 2.0 MB/s, out 500 kB/s');
  });
});
