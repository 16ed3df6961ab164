import { describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../../src/renderer/components/App.tsx';
import { mockApi, row, status, update } from '../fixtures.ts';

const live = { kind: 'live' as const, interface: 'eth0' };

function selectedRow(): string | null {
  const r = screen.queryAllByRole('row').find((x) => x.getAttribute('aria-selected') === 'true');
  return r ? (r.querySelector('[role=gridcell]')?.textContent ?? null) : null;
}

function setup() {
  const user = userEvent.setup();
  const api = mockApi();
  render(<App api={api} />);
  act(() =>
    api.emitUpdate(
      update(1, {
        full: true,
        upserts: [
          row({ id: 1, process: 'a', pid: null, last_seen: 3 }),
          row({ id: 2, process: 'b', pid: null, last_seen: 2 }),
          row({ id: 3, process: 'c', pid: null, last_seen: 1 }),
        ],
      }),
    ),
  );
  return { user, api };
}

describe('keyboard shortcuts', () => {
  it('Ctrl+E starts, and stops while capturing', async () => {
    const { user, api } = setup();
    await user.keyboard('{Control>}e{/Control}');
    expect(api.startCapture).toHaveBeenCalledTimes(1);
    act(() => api.emitStatus(status({ state: 'capturing', source: live })));
    await user.keyboard('{Control>}e{/Control}');
    expect(api.stopCapture).toHaveBeenCalledTimes(1);
    expect(api.startCapture).toHaveBeenCalledTimes(1);
  });

  it('Ctrl+O opens a file only when not capturing; Ctrl+S saves only when there is a capture', async () => {
    const { user, api } = setup();
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
    const { user } = setup();
    const filter = screen.getByRole('searchbox', { name: 'Filter flows' });
    await user.keyboard('{Control>}f{/Control}');
    expect(document.activeElement).toBe(filter);
    await user.keyboard('{Escape}');
    expect(document.activeElement).not.toBe(filter);
    await user.keyboard('/');
    expect(document.activeElement).toBe(filter);
    expect((filter as HTMLInputElement).value).toBe('');
  });

  it('↑/↓ move the selection, Enter opens the details, Esc closes them', async () => {
    const { user } = setup();
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
  });

  it('typing in a field does not move the selection', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('searchbox', { name: 'Filter flows' }));
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toBeNull();
  });
});
