import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../../src/renderer/components/App.tsx';
import { FILTER_CHECK_DELAY_MS } from '../../../src/renderer/components/CaptureControls.tsx';
import { mockApi, status } from '../fixtures.ts';

const live = { kind: 'live' as const, interface: 'eth0' };

describe('capture controls', () => {
  it('lists interfaces with addresses and up/down, plus any', async () => {
    const api = mockApi();
    render(<App api={api} />);
    const select = screen.getByRole('combobox', { name: 'Interface' }) as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(4));
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'any (all interfaces)',
      'lo — 127.0.0.1, ::1 (up)',
      'eth0 — 192.168.1.10 (up)',
      'wlan0 — no address (down)',
    ]);
  });

  it('starts with the chosen interface, filter and promiscuous mode', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    render(<App api={api} />);
    const select = screen.getByRole('combobox', { name: 'Interface' }) as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(4));
    await user.selectOptions(select, 'eth0');
    await user.type(screen.getByRole('textbox', { name: 'Capture filter (BPF)' }), 'tcp port 443');
    await user.click(screen.getByRole('checkbox', { name: 'Promiscuous' }));
    await waitFor(() => expect(api.validateFilter).toHaveBeenLastCalledWith('tcp port 443'));
    await waitFor(() => expect((screen.getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(false));
    await user.click(screen.getByRole('button', { name: 'Start' }));
    expect(api.startCapture).toHaveBeenCalledWith({ interface: 'eth0', filter: 'tcp port 443', promisc: true });
  });

  it('validates the BPF filter debounced and shows the helper error inline', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      const api = mockApi();
      api.validateFilter.mockImplementation(async (f) =>
        f === 'tcp prot 80' ? { ok: false, error: { code: 'bad_filter', message: 'syntax error in filter expression', action: 'Fix the filter.' } } : { ok: true, value: undefined },
      );
      render(<App api={api} />);
      const input = screen.getByRole('textbox', { name: 'Capture filter (BPF)' });
      await user.type(input, 'tcp prot 80');
      expect(api.validateFilter).not.toHaveBeenCalled();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(FILTER_CHECK_DELAY_MS + 10);
      });
      expect(api.validateFilter).toHaveBeenCalledTimes(1);
      expect(api.validateFilter).toHaveBeenCalledWith('tcp prot 80');
      const err = await screen.findByText('Filter: syntax error in filter expression');
      expect(input.getAttribute('aria-invalid')).toBe('true');
      expect(input.getAttribute('aria-describedby')).toBe(err.id);
      expect((screen.getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(true);
      await user.clear(input);
      await user.type(input, 'tcp port 80');
      await act(async () => {
        await vi.advanceTimersByTimeAsync(FILTER_CHECK_DELAY_MS + 10);
      });
      await waitFor(() => expect(screen.queryByText(/Filter: syntax error/)).toBeNull());
      expect(input.getAttribute('aria-invalid')).toBe('false');
    } finally {
      vi.useRealTimers();
    }
  });

  it('stop, pause/resume, open and save call the API and follow the capture state', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    render(<App api={api} />);
    const btn = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
    expect(btn('Stop').disabled).toBe(true);
    expect(btn('Pause').disabled).toBe(true);
    expect(btn('Save capture…').disabled).toBe(true);

    act(() => api.emitStatus(status({ state: 'capturing', source: live })));
    expect(btn('Start').disabled).toBe(true);
    expect(btn('Open file…').disabled).toBe(true);
    await user.click(btn('Pause'));
    expect(api.setPaused).toHaveBeenCalledWith(true);
    act(() => api.emitStatus(status({ state: 'paused', source: live })));
    expect(btn('Resume').getAttribute('aria-pressed')).toBe('true');
    await user.click(btn('Resume'));
    expect(api.setPaused).toHaveBeenLastCalledWith(false);
    await user.click(btn('Save capture…'));
    expect(api.saveCapture).toHaveBeenCalledTimes(1);
    expect(screen.getByText('Saved /tmp/saved.pcap')).toBeTruthy();
    await user.click(btn('Stop'));
    expect(api.stopCapture).toHaveBeenCalledTimes(1);

    act(() => api.emitStatus(status({ state: 'stopped', source: live })));
    await user.click(btn('Open file…'));
    expect(api.openCaptureFile).toHaveBeenCalledTimes(1);
    expect(screen.getByText('Opened /tmp/x.pcap')).toBeTruthy();
  });
});
