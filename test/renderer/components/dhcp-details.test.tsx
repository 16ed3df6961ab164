import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { row } from '../fixtures.ts';
import { renderApp } from '../render-app.tsx';

const drawerValue = (label: string): string | null => {
  const d = screen.getByRole('complementary', { name: 'Flow details' });
  const t = within(d).queryAllByRole('term').find((e) => e.textContent === label);
  return t ? (t.nextElementSibling?.textContent ?? '') : null;
};

describe('DHCP fields in the flow drawer', () => {
  it('a DHCP flow shows its client host name and vendor class; other flows have no such rows', async () => {
    const dhcp = row({ id: 5, proto: 'udp', app: 'dhcp', sport: 68, dport: 67, dhcp_hostname: 'laptop-7', dhcp_vendor_class: 'MSFT 5.0' });
    const { user } = await renderApp([dhcp, row({ id: 6, last_seen: 1, app: 'tls' })]);
    const rows = screen.getAllByRole('row');
    await user.dblClick(rows[1].querySelector('[role=gridcell]') as HTMLElement);
    expect(drawerValue('DHCP host name')).toBe('laptop-7');
    expect(drawerValue('DHCP vendor class')).toBe('MSFT 5.0');
    await user.dblClick(rows[2].querySelector('[role=gridcell]') as HTMLElement);
    expect(drawerValue('DHCP host name')).toBeNull();
  });

  it('a DHCPv6 flow names the enterprise number; a dash when the message said nothing', async () => {
    const { user } = await renderApp([row({ id: 7, proto: 'udp', app: 'dhcpv6', dhcp_vendor_class: '40712' })]);
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    expect(drawerValue('DHCP host name')).toBe('—');
    expect(drawerValue('DHCP vendor (enterprise number)')).toBe('40712');
  });
});
