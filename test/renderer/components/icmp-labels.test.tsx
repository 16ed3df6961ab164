import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { row } from '../fixtures.ts';
import { renderApp } from '../render-app.tsx';

describe('ICMP flows', () => {
  it('show their type and code where a port would be, in the table and the drawer', async () => {
    const ping = row({ id: 9, proto: 'icmp', app: null, host: null, src: '10.0.0.2', sport: 7, dst: '10.0.0.1', dport: 7, local: 'src', state: 'active', icmp_type: 8, icmp_code: 0 });
    const { user } = await renderApp([ping]);
    const r = screen.getAllByRole('row')[1];
    expect(r.textContent).toContain('10.0.0.1 echo request (8/0)');
    expect(r.textContent).not.toContain('10.0.0.1:7');
    await user.dblClick(r.querySelector('[role=gridcell]') as HTMLElement);
    const d = screen.getByRole('complementary', { name: 'Flow details' });
    expect(within(d).getAllByText('10.0.0.1 echo request (8/0)').length).toBeGreaterThanOrEqual(2);
  });
});
