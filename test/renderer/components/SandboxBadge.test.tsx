import { describe, expect, it } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../../src/renderer/components/App.tsx';
import { mockApi, sandbox, status } from '../fixtures.ts';

const live = { kind: 'live' as const, interface: 'eth0' };

function badge(): HTMLElement {
  return screen.getByRole('button', { name: /Show security details$/ });
}

describe('sandbox badge and security panel', () => {
  it('is grey with no capture and changes colour and text with the helper report', async () => {
    const api = mockApi();
    render(<App api={api} />);
    expect(badge().textContent).toBe('No capture running');
    expect(badge().dataset.tone).toBe('grey');
    expect(badge().className).toContain('bg-zinc-300');

    act(() => api.emitStatus(status({ state: 'capturing', source: live, sandbox: sandbox() })));
    expect(badge().textContent).toBe('Helper sandboxed');
    expect(badge().className).toContain('bg-emerald-600');

    act(() => api.emitStatus(status({ state: 'capturing', source: live, sandbox: sandbox({ status: 'partially_enforced', fs_restricted: false }) })));
    expect(badge().textContent).toBe('Helper partly sandboxed');
    expect(badge().className).toContain('bg-amber-400');

    act(() => api.emitStatus(status({ state: 'capturing', source: live, sandbox: sandbox({ status: 'not_available' }) })));
    expect(badge().textContent).toBe('Helper not sandboxed');
    expect(badge().className).toContain('bg-red-600');

    act(() => api.emitStatus(status({ state: 'error', error: { code: 'sandbox_strict', message: 'Strict.', action: 'Update the kernel.' } })));
    expect(badge().textContent).toBe('Capture refused: sandbox incomplete');
    expect(badge().title).toMatch(/^Strict mode stopped the capture/);
    expect(badge().dataset.tone).toBe('red');

    act(() => api.emitStatus(status({ state: 'reading', source: { kind: 'file', path: '/x.pcap' } })));
    expect(badge().textContent).toBe('File: no helper needed');
    // Not a status colour: a file is nothing to worry about.
    expect(badge().dataset.tone).toBe('neutral');
    expect(badge().className).not.toMatch(/bg-(zinc-300|amber|red|emerald)/);
  });

  it('opens the security panel listing each item with its probe and the helper details; Esc closes it', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    render(<App api={api} />);
    act(() =>
      api.emitStatus(
        status({
          state: 'capturing',
          source: live,
          sandbox: sandbox({ status: 'partially_enforced', net_restricted: false, probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'allowed', udp_send: 'denied', unix_connect: 'denied' }, details: 'kernel lacks net rules' }),
        }),
      ),
    );
    await user.click(badge());
    const dialog = screen.getByRole('dialog', { name: 'Capture helper security' });
    // Plain words first; the details are open because a check failed.
    expect(within(dialog).getByTestId('security-summary').textContent).toBe(
      "The capture helper can't read your files or regain admin rights. It could still reach the network.",
    );
    expect((dialog.querySelector('details') as HTMLDetailsElement).open).toBe(true);
    const items = within(dialog).getAllByRole('listitem');
    expect(items).toHaveLength(11);
    const text = (id: string) => (dialog.querySelector(`[data-item="${id}"]`) as HTMLElement).textContent;
    expect(text('landlock')).toBe('✓Yes: Landlock ABI 7');
    expect(text('fs')).toBe('✓Yes: Filesystem restrictedProbe (file open): denied');
    expect(text('net')).toBe('✗No: Network (TCP) blockedProbe (TCP connect): allowed');
    expect(text('cap')).toBe('✓Yes: CAP_NET_RAW droppedProbe (raw socket): denied');
    expect(text('uid')).toContain('Running as uid 1000');
    expect(text('threads')).toContain('7 threads checked');
    expect(text('seccomp')).toBe('✓Yes: System call filter on every thread1 of 1 thread read back with the filter');
    expect(text('udp')).toBe('✓Yes: UDP send blockedProbe (UDP send): denied');
    expect(text('unix')).toBe('✓Yes: Unix socket connect blockedProbe (unix connect): denied');
    expect(within(dialog).getByText('kernel lacks net rules')).toBeTruthy();
    expect(document.activeElement?.textContent).toBe('Close');
    // Focus stays in the modal dialog: Close, the details toggle, Close again.
    await user.tab();
    expect(document.activeElement?.textContent).toBe('Technical details');
    await user.tab();
    expect(document.activeElement?.textContent).toBe('Close');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    // ... and returns to the badge.
    expect(document.activeElement).toBe(badge());
  });

  it('keeps the technical details folded when every check passed', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    render(<App api={api} />);
    act(() => api.emitStatus(status({ state: 'capturing', source: live, sandbox: sandbox() })));
    expect(badge().title).toBe("The capture helper can't read your files, reach the network or regain admin rights.");
    await user.click(badge());
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByTestId('security-summary').textContent).toBe(badge().title);
    expect((dialog.querySelector('details') as HTMLDetailsElement).open).toBe(false);
  });

  it('claims nothing before the helper reports', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    render(<App api={api} />);
    act(() => api.emitStatus(status({ state: 'starting', source: live })));
    await user.click(badge());
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).queryAllByRole('listitem')).toHaveLength(0);
    expect(dialog.textContent).toMatch(/No sandbox report yet/);
  });
});
