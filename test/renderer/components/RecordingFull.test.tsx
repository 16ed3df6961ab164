import { describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { App } from '../../../src/renderer/components/App.tsx';
import { mockApi, status } from '../fixtures.ts';

describe('recording full notice', () => {
  it('appears once the host reports the recording reached its bound, with the bound, and goes with the next capture', () => {
    const api = mockApi();
    render(<App api={api} />);
    act(() => api.emitStatus(status({ state: 'capturing', source: { kind: 'live', interface: 'eth0' } })));
    expect(screen.queryByText(/recording stopped at its limit/)).toBeNull();
    act(() => api.emitStatus(status({ state: 'capturing', source: { kind: 'live', interface: 'eth0' }, recordingFullAt: 250_000_000 })));
    const note = screen.getByText(/recording stopped at its limit/);
    expect(note.textContent).toContain('250 MB');
    expect(note.textContent).toContain('Save capture writes only the packets before that point');
    act(() => api.emitStatus(status({ state: 'starting', source: { kind: 'live', interface: 'eth0' } })));
    expect(screen.queryByText(/recording stopped at its limit/)).toBeNull();
  });
});
