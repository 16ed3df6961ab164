import { describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../../src/renderer/components/App.tsx';
import type { AppError } from '../../../src/shared/ipc.ts';
import { mockApi, status } from '../fixtures.ts';

const cases: Array<[AppError, string]> = [
  [{ code: 'auth_dismissed', message: 'You closed the password prompt.', action: 'Click Start and enter your password to capture.' }, 'Authentication dismissed'],
  [{ code: 'not_authorised', message: 'Your account may not capture packets.', action: 'Ask an administrator to allow the Sandpiper capture action.' }, 'Not authorised to capture'],
  [{ code: 'interface_gone', message: 'Interface wlan0 disappeared.', action: 'Pick another interface and start again.' }, 'Interface gone'],
  [{ code: 'helper_exited', message: 'The capture helper exited unexpectedly (status 3).', action: 'Start the capture again.' }, 'Capture helper exited'],
  [{ code: 'sandbox_strict', message: 'The sandbox is incomplete on this kernel.', action: 'Turn off strict mode or update the kernel.' }, 'Capture refused: sandbox incomplete (strict mode)'],
  [{ code: 'unreadable_file', message: 'x.pcap is not a pcap or pcapng file.', action: 'Choose a capture file saved by tcpdump, Wireshark or Sandpiper.' }, 'Unreadable capture file'],
];

describe('error banner', () => {
  it.each(cases.map(([err, title]) => ({ code: err.code, err, title })))('shows $code with its title, message and action', async ({ err, title }) => {
    const api = mockApi();
    render(<App api={api} />);
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => api.emitStatus(status({ state: 'error', error: err })));
    const alert = screen.getByRole('alert');
    expect(alert.dataset.code).toBe(err.code);
    expect(alert.textContent).toBe(`${title}${err.message}What to do: ${err.action}Dismiss`);
  });

  it('dismisses, and the same error does not come back with the next status', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    render(<App api={api} />);
    const err = cases[2][0];
    act(() => api.emitStatus(status({ state: 'error', error: err })));
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => api.emitStatus(status({ state: 'error', error: err })));
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => api.emitStatus(status({ state: 'error', error: cases[3][0] })));
    expect(screen.getByRole('alert').textContent).toContain('Capture helper exited');
  });

  it('shows an error returned by a failed call, and an internal error when the call throws', async () => {
    const user = userEvent.setup();
    const api = mockApi();
    api.openCaptureFile.mockResolvedValueOnce({ ok: false, error: cases[5][0] });
    render(<App api={api} />);
    await user.click(screen.getByRole('button', { name: 'Open file…' }));
    expect(screen.getByRole('alert').textContent).toContain('Unreadable capture file');
    api.startCapture.mockRejectedValueOnce(new Error('ipc closed'));
    await user.click(screen.getByRole('button', { name: 'Start' }));
    expect(screen.getByRole('alert').textContent).toContain('The app could not reach the capture engine (ipc closed).');
  });
});
