import { describe, expect, it } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../../src/renderer/components/App.tsx';
import { mockApi, stats, status, update } from '../fixtures.ts';

const ipfixStats = { collector: 'nfcapd.lan:4739', transport: 'udp' as const, recordsSent: 1234, messagesSent: 40, sendErrors: 0, dropped: 0, lastError: null };

describe('IPFIX export', () => {
  it('is set from the keyboard in a dialog (labelled fields, Tab kept inside) and sent with the next Start; remembered', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    render(<App api={api} />);
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'Interface' }) as HTMLSelectElement).options.length).toBe(4));
    const open = screen.getByRole('button', { name: 'IPFIX export: off…' });
    open.focus();
    await user.keyboard('{Enter}');
    const dialog = screen.getByRole('dialog', { name: 'Export flows as IPFIX' });
    const collector = within(dialog).getByRole('textbox', { name: 'Collector (HOST:PORT)' });
    expect(document.activeElement).toBe(collector);
    // Tab from the last control comes back to the first.
    const exportBtn = within(dialog).getByRole('button', { name: 'Export' });
    exportBtn.focus();
    await user.tab();
    expect(document.activeElement).toBe(collector);

    await user.type(collector, 'nfcapd.lan');
    await user.click(exportBtn);
    expect(within(dialog).getByRole('alert').textContent).toMatch(/HOST:PORT/);
    expect(collector.getAttribute('aria-invalid')).toBe('true');
    await user.type(collector, ':4739');
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Transport' }), 'tcp');
    await user.type(within(dialog).getByRole('textbox', { name: 'Idle timeout (s)' }), '5');
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.startCapture, 'saving the setting starts nothing').not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'IPFIX export: on, to nfcapd.lan:4739 over tcp…' }));

    await user.click(screen.getByRole('button', { name: 'Start' }));
    expect(api.startCapture).toHaveBeenLastCalledWith({
      interface: 'any', filter: '', promisc: false, ipfix: { collector: 'nfcapd.lan:4739', transport: 'tcp', idleTimeout: 5 },
    });
    act(() => api.emitStatus(status({ state: 'stopped', source: { kind: 'live', interface: 'any' } })));
    await user.click(screen.getByRole('button', { name: 'Start' }));
    expect(api.startCapture).toHaveBeenCalledTimes(2);
    expect(api.startCapture.mock.calls[1][0].ipfix).toEqual({ collector: 'nfcapd.lan:4739', transport: 'tcp', idleTimeout: 5 });
  });

  it('Esc closes without changing the setting; "Don’t export" clears it; disabled while a capture runs', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    render(<App api={api} />);
    await user.click(screen.getByRole('button', { name: 'IPFIX export: off…' }));
    await user.type(screen.getByRole('textbox', { name: 'Collector (HOST:PORT)' }), '127.0.0.1:2055');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'IPFIX export: off…' }));
    expect((screen.getByRole('textbox', { name: 'Collector (HOST:PORT)' }) as HTMLInputElement).value).toBe('');
    await user.type(screen.getByRole('textbox', { name: 'Collector (HOST:PORT)' }), '127.0.0.1:2055{Enter}');
    await user.click(screen.getByRole('button', { name: /^IPFIX export: on, to 127\.0\.0\.1:2055 over udp/ }));
    await user.click(screen.getByRole('button', { name: 'Don’t export' }));
    await user.click(screen.getByRole('button', { name: 'Start' }));
    expect(api.startCapture).toHaveBeenLastCalledWith({ interface: 'any', filter: '', promisc: false });
    act(() => api.emitStatus(status({ state: 'capturing', source: { kind: 'live', interface: 'any' } })));
    expect((screen.getByRole('button', { name: 'IPFIX export: off…' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('status bar: "IPFIX → host:port · N records · E errors" while exporting, the last error in the tooltip', () => {
    const api = mockApi();
    render(<App api={api} />);
    const bar = screen.getByRole('contentinfo', { name: 'Capture statistics' });
    act(() => api.emitUpdate(update(1, { stats: stats({ flows: 3 }) })));
    expect(bar.textContent).not.toContain('IPFIX');
    act(() => api.emitUpdate(update(2, { stats: stats({ flows: 3, ipfix: ipfixStats }) })));
    const el = within(bar).getByTestId('ipfix-status');
    expect(el.textContent).toMatch(/^IPFIX → nfcapd\.lan:4739 · 1,234 records · 0 errors \(/);
    act(() => api.emitUpdate(update(3, { stats: stats({ flows: 3, ipfix: { ...ipfixStats, recordsSent: 1, sendErrors: 2, dropped: 1, lastError: 'ECONNREFUSED' } }) })));
    const again = within(bar).getByTestId('ipfix-status');
    expect(again.textContent).toMatch(/^IPFIX → nfcapd\.lan:4739 · 1 record · 2 errors · 1 dropped/);
    expect(again.getAttribute('title')).toContain('Last error: ECONNREFUSED.');
    expect(again.getAttribute('title')).toContain('1 message dropped');
  });
});
