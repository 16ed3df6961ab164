import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor } from '@testing-library/react';
import { mockApi } from './fixtures.ts';

// main.tsx renders into #root when imported; each test loads a fresh copy.
async function boot(): Promise<void> {
  document.body.innerHTML = '<div id="root"></div>';
  vi.resetModules();
  await act(async () => {
    await import('../../src/renderer/main.tsx');
  });
}

describe('renderer entry', () => {
  afterEach(() => {
    delete window.sandpiper;
    document.body.innerHTML = '';
  });

  it('shows a clear message instead of crashing when window.sandpiper is absent', async () => {
    await boot();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Sandpiper cannot reach its capture engine');
    expect(alert.textContent).toContain('window.sandpiper is missing');
  });

  it('starts the app on an API injected before the bundle', async () => {
    const api = mockApi();
    window.sandpiper = api;
    await boot();
    expect(await screen.findByRole('heading', { name: 'Sandpiper' })).toBeTruthy();
    await waitFor(() => expect(api.listInterfaces).toHaveBeenCalled());
    // The first view request (there is no snapshot to ask for): the host answers it with the table.
    expect(api.setView).toHaveBeenCalledWith(expect.objectContaining({ seq: 1, sortColumn: 'first_seen', sortDir: 'asc', filter: '', start: 0, select: null }));
  });
});
