import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { row } from '../fixtures.ts';
import { renderApp } from '../render-app.tsx';
import { stateDetail } from '../../../src/renderer/flows/state-label.ts';

const drawerState = () => {
  const d = screen.getByRole('complementary', { name: 'Flow details' });
  const t = within(d).getAllByRole('term').find((e) => e.textContent === 'State');
  return t?.nextElementSibling?.textContent ?? '';
};

describe('flow state label', () => {
  it('a mid-flow TCP flow: "mid-flow" in the table, what it means in the drawer', async () => {
    const { user } = await renderApp([row({ id: 5, state: 'mid-flow' }), row({ id: 6, last_seen: 1 })]);
    const r = screen.getAllByRole('row')[1];
    expect(within(r).getAllByRole('gridcell').map((c) => c.textContent)).toContain('mid-flow');
    await user.dblClick(r.querySelector('[role=gridcell]') as HTMLElement);
    expect(drawerState()).toBe('mid-flow (no handshake seen: open before the capture began; ends told by ports)');
  });

  it('says when an open flow ended, not for closed or reset ones', () => {
    expect(stateDetail('mid-flow', true)).toBe('mid-flow (no handshake seen: open before the capture began; ends told by ports) (ended)');
    expect(stateDetail('established', true)).toBe('established (ended)');
    expect(stateDetail('closed', true)).toBe('closed');
    expect(stateDetail('reset', true)).toBe('reset');
    expect(stateDetail('syn_sent', false)).toBe('syn_sent');
  });
});
