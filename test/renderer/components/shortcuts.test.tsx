import { describe, expect, it } from 'vitest';
import { act, screen, within } from '@testing-library/react';
import { row, status } from '../fixtures.ts';
import { LAST_SEEN_FIRST, renderApp } from '../render-app.tsx';
import { SHORTCUTS } from '../../../src/renderer/hooks/use-shortcuts.ts';

const live = { kind: 'live' as const, interface: 'eth0' };

function selectedRow(): string | null {
  const r = screen.queryAllByRole('row').find((x) => x.getAttribute('aria-selected') === 'true');
  return r ? (r.querySelector('[role=gridcell]')?.textContent ?? null) : null;
}

async function setup(flows = [row({ id: 1, process: 'a', pid: null, last_seen: 3 }), row({ id: 2, process: 'b', pid: null, last_seen: 2 }), row({ id: 3, process: 'c', pid: null, last_seen: 1 })]) {
  const { user, host } = await renderApp(flows, { sort: LAST_SEEN_FIRST });
  return { user, api: host };
}

/** 5000 flows p1..p5000, newest first by default: position i holds p(5000 - i). */
const MANY = Array.from({ length: 5_000 }, (_, i) => row({ id: i + 1, process: `p${i + 1}`, pid: null, last_seen: 1_700_000_000 + i }));

describe('keyboard shortcuts', () => {
  it('Ctrl+E starts, and stops while capturing', async () => {
    const { user, api } = await setup();
    await user.keyboard('{Control>}e{/Control}');
    expect(api.startCapture).toHaveBeenCalledTimes(1);
    act(() => api.emitStatus(status({ state: 'capturing', source: live })));
    await user.keyboard('{Control>}e{/Control}');
    expect(api.stopCapture).toHaveBeenCalledTimes(1);
    expect(api.startCapture).toHaveBeenCalledTimes(1);
  });

  it('Ctrl+O opens a file only when not capturing; Ctrl+S saves only when there is a capture', async () => {
    const { user, api } = await setup();
    await user.keyboard('{Control>}s{/Control}');
    expect(api.saveCapture).not.toHaveBeenCalled();
    await user.keyboard('{Control>}o{/Control}');
    expect(api.openCaptureFile).toHaveBeenCalledTimes(1);
    act(() => api.emitStatus(status({ state: 'capturing', source: live })));
    await user.keyboard('{Control>}o{/Control}');
    expect(api.openCaptureFile).toHaveBeenCalledTimes(1);
    await user.keyboard('{Control>}s{/Control}');
    expect(api.saveCapture).toHaveBeenCalledTimes(1);
  });

  it('Ctrl+F and / focus the flows filter; Esc leaves it', async () => {
    const { user } = await setup();
    const filter = screen.getByRole('combobox', { name: 'Filter flows' });
    await user.keyboard('{Control>}f{/Control}');
    expect(document.activeElement).toBe(filter);
    await user.keyboard('{Escape}');
    expect(document.activeElement).not.toBe(filter);
    await user.keyboard('/');
    expect(document.activeElement).toBe(filter);
    expect((filter as HTMLInputElement).value).toBe('');
  });

  it('Esc in the flows filter clears what was typed, keeping the focus; a second Esc leaves it', async () => {
    const { user, api } = await setup();
    const filter = screen.getByRole('combobox', { name: 'Filter flows' }) as HTMLInputElement;
    await user.keyboard('/');
    await user.keyboard('proc:a');
    expect(filter.value).toBe('proc:a');
    await user.keyboard('{Escape}');
    expect(filter.value).toBe('');
    expect(document.activeElement).toBe(filter);
    await api.settle();
    expect(api.views.at(-1)?.filter).toBe('');
    await user.keyboard('{Escape}');
    expect(document.activeElement).not.toBe(filter);
  });

  it('? (or the status bar\'s button) opens a sheet of every shortcut the app binds; Esc closes it and keys go back to the table', async () => {
    const { user } = await setup();
    await user.keyboard('?');
    const sheet = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    const listed = [...sheet.querySelectorAll('tr')].map((tr) => [tr.querySelector('kbd')?.textContent, tr.querySelector('td')?.textContent]);
    expect(listed).toEqual(SHORTCUTS.map((s) => [s.keys, s.does]));
    expect(listed.length).toBeGreaterThanOrEqual(14);
    expect(document.activeElement).toBe(within(sheet).getByRole('button', { name: 'Close' }));
    // While it is open the table's keys do nothing.
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toBeNull();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Keyboard shortcuts' })).toBeNull();
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toBe('a');
    const button = screen.getByRole('button', { name: /Shortcuts/ });
    await user.click(button);
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
    await user.click(within(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('closing the details (Esc or the Close button) puts the focus on the table, on the row they were opened from', async () => {
    const { user } = await setup();
    const grid = screen.getByRole('grid');
    // Opened from the keyboard with the focus elsewhere (the shortcut works anywhere but in a text field).
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(selectedRow()).toBe('b');
    expect(document.activeElement).not.toBe(grid);
    await user.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    await user.keyboard('{Escape}');
    expect(document.activeElement).toBe(grid);
    expect(grid.getAttribute('aria-activedescendant')).toBe('flow-row-2');
    await user.keyboard('{ArrowDown}{Enter}');
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('complementary', { name: 'Flow details' })).toBeNull();
    expect(document.activeElement).toBe(grid);
    expect(grid.getAttribute('aria-activedescendant')).toBe('flow-row-3');
  });

  it('↑/↓ move the selection, Enter opens the details, Esc closes them', async () => {
    const { user, api } = await setup();
    expect(selectedRow()).toBeNull();
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toBe('a');
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}');
    expect(selectedRow()).toBe('c');
    await user.keyboard('{ArrowUp}');
    expect(selectedRow()).toBe('b');
    const grid = screen.getByRole('grid');
    expect(grid.getAttribute('aria-activedescendant')).toBe('flow-row-2');
    await user.keyboard('{Enter}');
    const drawer = screen.getByRole('complementary', { name: 'Flow details' });
    expect(drawer.textContent).toContain('Flow id2');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('complementary', { name: 'Flow details' })).toBeNull();
    // The host is told, by id.
    await api.settle();
    expect(api.views.at(-1)?.select).toEqual({ id: 2 });
  });

  it('the selection stays on its flow when updates move it', async () => {
    const { user, api } = await setup();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(selectedRow()).toBe('b');
    await api.settle();
    act(() => api.push([row({ id: 2, process: 'b', pid: null, last_seen: 9 })]));
    expect(screen.getAllByRole('row')[1].getAttribute('aria-selected')).toBe('true');
    expect(selectedRow()).toBe('b');
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toBe('a');
  });

  it('Home/End/PageUp/PageDown move by position, asking the host for a flow outside the rows at hand', async () => {
    const { user, api } = await setup(MANY);
    screen.getByRole('grid').focus();
    await user.keyboard('{Home}');
    expect(selectedRow()).toBe('p5000');
    await user.keyboard('{PageDown}');
    // Within the rows at hand: selected at once, without a round trip.
    expect(selectedRow()).toBe('p4980');
    const before = api.views.length;
    await user.keyboard('{End}');
    await api.settle();
    // Position 4999 was not at hand: it was asked for by position and named by the host.
    expect(api.views.slice(before).map((v) => v.select)).toContainEqual({ index: 4_999 });
    expect(api.vm.view(false).selected?.id).toBe(1);
    expect(selectedRow()).toBe('p1');
    expect(screen.getByRole('grid').getAttribute('aria-activedescendant')).toBe('flow-row-1');
    await user.keyboard('{ArrowUp}{PageUp}');
    expect(selectedRow()).toBe('p22');
    // From then on the flow is selected by id.
    await api.settle();
    expect(api.views.at(-1)?.select).toEqual({ id: 22 });
    await user.keyboard('{Enter}');
    expect(screen.getByRole('complementary', { name: 'Flow details' }).textContent).toContain('Flow id22');
  });

  it('a jump whose rows are still loading shows placeholders, then selects the flow the host names', async () => {
    const { user, api } = await setup(MANY);
    screen.getByRole('grid').focus();
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toBe('p5000');
    api.hold();
    await user.keyboard('{End}');
    await api.settle();
    // Scrolled to the end; nothing there yet, and the old selection is not shown as if it had moved.
    expect(selectedRow()).toBeNull();
    expect(screen.getAllByRole('row').some((r) => r.getAttribute('aria-busy') === 'true')).toBe(true);
    // Keys pressed meanwhile count from the pending position.
    await user.keyboard('{ArrowUp}');
    api.release();
    await api.settle();
    expect(selectedRow()).toBe('p2');
    expect(screen.getAllByRole('row').some((r) => r.getAttribute('aria-busy') === 'true')).toBe(false);
  });

  it('typing in a field does not move the selection', async () => {
    const { user } = await setup();
    await user.click(screen.getByRole('combobox', { name: 'Filter flows' }));
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toBeNull();
  });
});
