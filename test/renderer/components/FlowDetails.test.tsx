import { describe, expect, it, vi } from 'vitest';
import { act, screen, within } from '@testing-library/react';
import { row, status } from '../fixtures.ts';
import { renderApp } from '../render-app.tsx';

const setup = renderApp;

const drawer = () => screen.getByRole('complementary', { name: 'Flow details' });

describe('flow details drawer', () => {
  it('shows every field, a sparkline of the rates the host recorded, and copies values', async () => {
    const f = row({ id: 5, dns_queries: ['a.example'], alpn: ['h2', 'http/1.1'], rate_rev_1s: 100, rate_fwd_1s: 10 });
    const { user, host } = await setup([f, row({ id: 6, last_seen: 1 })]);
    // After userEvent.setup(), which puts its own clipboard in place.
    const writeText = vi.fn(async (_text: string) => undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    const d = drawer();
    const labels = within(d).getAllByRole('term').map((t) => t.textContent);
    for (const l of ['Flow id', 'Local', 'Remote', 'Host', 'Process', 'PID', 'Executable', 'User', 'TLS SNI', 'TLS ALPN', 'DNS queries', 'First seen', 'Last seen']) {
      expect(labels).toContain(l);
    }
    expect(d.textContent).toContain('h2, http/1.1');
    expect(labels).toContain('Responder country / AS');
    expect(d.textContent).toContain('US · AS15133 Edgecast Inc.');
    await host.settle();
    expect(host.views.at(-1)?.select).toEqual({ id: 5 });
    // No update since the selection yet: the current rate, drawn flat.
    expect(d.textContent).toContain('current rate');
    expect(within(d).getByRole('img').querySelector('polyline')?.getAttribute('points')?.split(' ')).toHaveLength(2);
    act(() => host.push([{ ...f, rate_rev_1s: 300, rate_fwd_1s: 30 }]));
    // Every engine update adds a point, one in which the flow did not change too (its rate at that update).
    act(() => host.push([row({ id: 6, last_seen: 2 })]));
    act(() => host.push([{ ...f, rate_rev_1s: 200, rate_fwd_1s: 20 }]));
    const spark = within(d).getByRole('img');
    expect(spark.getAttribute('aria-label')).toBe('Rate of flow 5: down 200 B/s, up 20 B/s');
    const lines = spark.querySelectorAll('polyline');
    expect(lines).toHaveLength(2);
    expect(lines[0].getAttribute('points')?.split(' ')).toHaveLength(3);
    expect(d.textContent).toContain('last 3 updates');

    await user.click(within(d).getByRole('button', { name: 'Copy Remote' }));
    expect(writeText).toHaveBeenLastCalledWith('93.184.216.34:443');
    await user.click(within(d).getByRole('button', { name: 'Copy as JSON' }));
    expect(JSON.parse(writeText.mock.lastCall?.[0] ?? '{}').id).toBe(5);
    expect(within(d).getByText('Copied JSON')).toBeTruthy();
  });

  it('shows the tunnel a flow was seen in: kinds outermost first and the outer endpoints, a dash for none', async () => {
    const { user } = await setup([
      row({ id: 5, tunnel: { kinds: ['pppoe', 'gre', 'vxlan'], src: '198.18.0.1', dst: '2001:db8::2' } }),
      row({ id: 6, last_seen: 1, tunnel: null }),
    ]);
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    const value = () => {
      const t = within(drawer()).getAllByRole('term').find((e) => e.textContent === 'Tunnel');
      return t?.nextElementSibling?.textContent ?? '';
    };
    expect(value()).toContain('pppoe › gre › vxlan (198.18.0.1 → [2001:db8::2])');
  });

  it("shows the process's name, executable and user direction-isolated", async () => {
    const { user } = await setup([row({ id: 5, process: 'مرحبا', pid: 9, exe: '/home/u/مرحبا/bin', user: 'u' })]);
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    const d = drawer();
    const value = (label: string) => within(d).getByText(label, { selector: 'dt' }).nextElementSibling as HTMLElement;
    for (const [label, text] of [['Process', 'مرحبا'], ['Executable', '/home/u/مرحبا/bin'], ['User', 'u']]) {
      expect(value(label).querySelector('bdi')?.textContent, label).toBe(text);
    }
    expect(value('PID').querySelector('bdi')).toBeNull();
  });

  it('says why a flow has no process, and shows the user, both ends of a local flow, the command line and the attribution method', async () => {
    const { user, host } = await setup([
      row({ id: 5, process: null, pid: null, process_unknown: 'exited' }),
      row({ id: 6, last_seen: 1, process: 'client', pid: 41, user: 'alice', cmdline: 'client --port 8080', peer_pid: 42, peer_process: 'server', peer_user: 'bob' }),
    ]);
    act(() => host.emitStatus(status({ state: 'capturing', source: { kind: 'live', interface: 'lo' }, attribution: { type: 'attribution', method: 'ebpf', reason: null } })));
    const value = (label: string) => (within(drawer()).getByText(label, { selector: 'dt' }).nextElementSibling as HTMLElement).textContent;
    const rowOf = (id: number) => document.getElementById(`flow-row-${id}`) as HTMLElement;
    expect(within(rowOf(5)).getAllByRole('gridcell')[0].textContent).toBe('exited');
    await user.dblClick(within(rowOf(5)).getAllByRole('gridcell')[0]);
    expect(value('Process')).toMatch(/^exited: /);
    expect(value('Attribution method')).toMatch(/^eBPF/);
    expect(within(drawer()).queryByText('Peer process', { selector: 'dt' })).toBeNull();
    await user.dblClick(within(rowOf(6)).getAllByRole('gridcell')[0]);
    expect(value('Process')).toBe('client');
    expect(value('User')).toBe('alice');
    expect(value('Command line')).toBe('client --port 8080');
    expect(value('Peer process')).toBe('server');
    expect(value('Peer PID')).toBe('42');
    expect(value('Peer user')).toBe('bob');
    act(() => host.emitStatus(status({ state: 'capturing', source: { kind: 'live', interface: 'lo' }, attribution: { type: 'attribution', method: 'proc', reason: 'eBPF could not load: no BTF' } })));
    expect(value('Attribution method')).toBe('/proc polling (eBPF not in use: eBPF could not load: no BTF)');
  });

  it('keeps showing a selected flow the filter hides, and says so', async () => {
    const { user, host } = await setup([row({ id: 5, process: 'firefox' }), row({ id: 6, process: 'curl', last_seen: 1 })]);
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    await user.type(screen.getByRole('combobox', { name: 'Filter flows' }), 'proc:curl');
    await host.settle();
    expect(screen.getByText('1 of 2 flows')).toBeTruthy();
    expect(drawer().textContent).toContain('Flow id5');
    expect(drawer().textContent).toContain('The flows filter hides this flow.');
    expect(screen.getByRole('grid').getAttribute('aria-activedescendant')).toBeNull();
  });

  it('says so when the flow disappears', async () => {
    const { user, host } = await setup([row({ id: 5 })]);
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    await host.settle();
    act(() => host.push([], [5]));
    expect(drawer().textContent).toContain('This flow is no longer in the table.');
    expect(screen.getByText('No flows yet. Start a capture or open a capture file.')).toBeTruthy();
  });

  it('a new capture or file drops the selection: its flow ids are not the old ones', async () => {
    const { user, host } = await setup([row({ id: 5 })]);
    await user.dblClick(screen.getAllByRole('row')[1].querySelector('[role=gridcell]') as HTMLElement);
    act(() => host.emitStatus(status({ state: 'capturing', source: { kind: 'live', interface: 'eth0' } })));
    act(() => host.emitStatus(status({ state: 'paused', source: { kind: 'live', interface: 'eth0' } })));
    // Pausing is not a new capture.
    expect(drawer().textContent).toContain('Flow id5');
    act(() => host.emitStatus(status({ state: 'reading', source: { kind: 'file', path: '/tmp/other.pcap' } })));
    expect(screen.queryByRole('complementary', { name: 'Flow details' })).toBeNull();
    await host.settle();
    expect(host.views.at(-1)?.select).toBeNull();
    expect(screen.getAllByRole('row')[1].getAttribute('aria-selected')).toBe('false');
  });
});
