import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { renderApp } from '../render-app.tsx';
import { NO_NOTIFICATIONS, type Notice } from '../../../src/shared/notices.ts';
import { noticeText, type DesktopNotifier } from '../../../src/renderer/state/notices-store.ts';

const hosts: Notice = { kind: 'new_host', count: 12, names: ['a.com', 'b.org', 'c.net', 'd.io', 'e.dev'], threshold: null, ts: 1_700_000_000 };

function notifier(p: Partial<{ hidden: boolean; permission: NotificationPermission; answer: NotificationPermission }> = {}) {
  const n = {
    permission: vi.fn(() => p.permission ?? 'default'),
    request: vi.fn(async () => p.answer ?? 'granted'),
    show: vi.fn(),
    hidden: vi.fn(() => p.hidden ?? false),
  } satisfies DesktopNotifier;
  return n;
}

describe('notifications', () => {
  it('the dialog sets the rules: the host is told and the settings keep them', async () => {
    const { host, user } = await renderApp([]);
    expect(host.setNotificationRules).toHaveBeenLastCalledWith(NO_NOTIFICATIONS);
    await user.click(screen.getByRole('button', { name: /Notifications/ }));
    const dialog = screen.getByRole('dialog', { name: 'Notifications' });
    expect(document.activeElement).toBe(within(dialog).getByRole('checkbox', { name: 'a program is seen for the first time' }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'a program is seen for the first time' }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'a flow is above' }));
    await user.type(within(dialog).getByRole('textbox', { name: 'a flow is above, in MB' }), '2.5');
    await user.click(within(dialog).getByRole('checkbox', { name: 'a program’s rate is above' }));
    await user.type(within(dialog).getByRole('textbox', { name: 'a program’s rate is above, in KB/s' }), '300');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    const want = { ...NO_NOTIFICATIONS, newProgram: true, flowBytes: 2_500_000, programRate: 300_000 };
    expect(host.setNotificationRules).toHaveBeenLastCalledWith(want);
    await act(() => new Promise((r) => setTimeout(r, 500)));
    expect(host.saveSettings.mock.lastCall?.[0].notifications).toEqual(want);
    expect(screen.getByRole('button', { name: 'Notifications ✓' })).toBeTruthy();
  });

  it('a threshold that is on needs a number: the dialog says so and keeps the rules', async () => {
    const { host, user } = await renderApp([]);
    await user.click(screen.getByRole('button', { name: /Notifications/ }));
    const dialog = screen.getByRole('dialog', { name: 'Notifications' });
    await user.click(within(dialog).getByRole('checkbox', { name: 'a flow’s rate is above' }));
    await user.type(within(dialog).getByRole('textbox', { name: 'a flow’s rate is above, in KB/s' }), 'lots');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByRole('alert').textContent).toMatch(/needs a number above 0/);
    expect(host.setNotificationRules).toHaveBeenCalledTimes(1);
  });

  it('a notice from the host is a toast in a live status region, coalesced as the host sent it; Dismiss removes it', async () => {
    const { host } = await renderApp([]);
    act(() => host.emitNotice([hosts, { kind: 'program_bytes', count: 1, names: ['curl'], threshold: 5_000_000, ts: 1_700_000_001 }]));
    const region = screen.getByRole('status', { name: 'Notifications' });
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(within(region).getByText('12 new hosts: a.com, b.org, c.net, d.io, e.dev, …')).toBeTruthy();
    expect(within(region).getByText(/^A program above 5(\.0)? MB: curl$/)).toBeTruthy();
    fireEvent.click(within(region).getByRole('button', { name: /Dismiss: 12 new hosts/ }));
    expect(within(region).queryByText(/12 new hosts/)).toBeNull();
    // Many toasts stay few.
    act(() => {
      for (let i = 0; i < 10; i++) host.emitNotice([{ ...hosts, count: i + 2 }]);
    });
    expect(within(region).getAllByRole('button', { name: /Dismiss/ })).toHaveLength(4);
  });

  it('a desktop notification only while the window is hidden, when the user turned it on and the desktop allowed it', async () => {
    const n = notifier({ hidden: true, permission: 'default', answer: 'granted' });
    const { host, user } = await renderApp([], { notifier: n });
    act(() => host.emitNotice([hosts]));
    expect(n.show).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: /Notifications/ }));
    await user.click(screen.getByRole('checkbox', { name: /desktop notification/ }));
    expect(n.request).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    n.permission.mockReturnValue('granted');
    act(() => host.emitNotice([hosts]));
    expect(n.show).toHaveBeenCalledWith('Sandpiper', noticeText(hosts));
    n.hidden.mockReturnValue(false);
    act(() => host.emitNotice([hosts]));
    expect(n.show).toHaveBeenCalledTimes(1);
  });

  it('a desktop that refuses is said plainly; without the API the choice is off', async () => {
    const { user } = await renderApp([], { notifier: notifier({ permission: 'denied' }) });
    await user.click(screen.getByRole('button', { name: /Notifications/ }));
    await user.click(screen.getByRole('checkbox', { name: /desktop notification/ }));
    expect(screen.getByText(/refused notifications/)).toBeTruthy();
  });
});
