// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { OverviewModel } from '../../../src/engine-host/view/overview-model.ts';
import { OVERVIEW_TOP, type OverviewEntry, type OverviewView } from '../../../src/shared/ipc.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import { row } from '../../shared/fixtures.ts';
import { RowStore } from '../../support/row-store.ts';

function model(rows: FlowRow[]): { m: OverviewModel; store: RowStore } {
  const store = new RowStore();
  store.apply(rows);
  const m = new OverviewModel();
  m.show(store);
  m.setRequest({ visible: true, order: 'bytes' });
  return { m, store };
}

function entry(v: OverviewView, dim: 'process' | 'domain' | 'app', key: string | null): OverviewEntry | undefined {
  return v.lists[dim].entries.find((e) => e.key === key);
}

const flows = (): FlowRow[] => [
  row({ id: 1, process: 'firefox', host: 'www.example.com', bytes_fwd: 100, bytes_rev: 1000, rate_fwd_1s: 10, rate_rev_1s: 20 }),
  row({ id: 2, process: 'firefox', host: 'cdn.example.com', app: 'quic', proto: 'udp', bytes_fwd: 50, bytes_rev: 500, rate_fwd_1s: 1, rate_rev_1s: 2 }),
  row({ id: 3, process: 'curl', host: 'api.example.co.uk', app: 'http', bytes_fwd: 7, bytes_rev: 70, rate_fwd_1s: 0, rate_rev_1s: 0 }),
  row({ id: 4, process: null, host: null, dst: '1.1.1.1', app: 'dns', proto: 'udp', dns_queries: ['github.com'], bytes_fwd: 60, bytes_rev: 90, rate_fwd_1s: 0, rate_rev_1s: 0 }),
  row({ id: 5, process: 'sshd', host: null, src: '10.0.0.9', dst: '10.0.0.5', local: 'dst', app: null, bytes_fwd: 3000, bytes_rev: 40, rate_fwd_1s: 300, rate_rev_1s: 4 }),
];

describe('OverviewModel', () => {
  it('totals bytes in/out, rates and flows by process, registrable domain and app', () => {
    const { m } = model(flows());
    const v = m.view() as OverviewView;
    expect(entry(v, 'process', 'firefox')).toEqual({ key: 'firefox', flows: 2, bytesOut: 150, bytesIn: 1500, rateOut: 11, rateIn: 22 });
    expect(entry(v, 'process', null)).toMatchObject({ flows: 1, bytesOut: 60, bytesIn: 90 });
    // sshd's flow was initiated towards this host: fwd is in, rev is out.
    expect(entry(v, 'process', 'sshd')).toEqual({ key: 'sshd', flows: 1, bytesOut: 40, bytesIn: 3000, rateOut: 4, rateIn: 300 });
    expect(entry(v, 'domain', 'example.com')).toMatchObject({ flows: 2, bytesOut: 150, bytesIn: 1500 });
    expect(entry(v, 'domain', 'example.co.uk')).toMatchObject({ flows: 1 });
    // A DNS flow is about its query, not its server; without a name, the remote address.
    expect(entry(v, 'domain', 'github.com')).toMatchObject({ flows: 1 });
    expect(entry(v, 'domain', '10.0.0.9')).toMatchObject({ flows: 1 });
    expect(v.lists.app.entries.map((e) => e.key).sort()).toEqual(['dns', 'http', 'quic', 'tcp', 'tls']);
    expect(v.total).toEqual({ flows: 5, bytesOut: 100 + 50 + 7 + 60 + 40, bytesIn: 1000 + 500 + 70 + 90 + 3000, rateOut: 15, rateIn: 322 });
    expect(v.lists.process.groups).toBe(4);
    // Largest first by bytes.
    expect(v.lists.process.entries.map((e) => e.key)).toEqual(['sshd', 'firefox', null, 'curl']);
  });

  it('sorts by rate when asked, and shows no rates once they are not live', () => {
    const { m } = model(flows());
    m.setRequest({ visible: true, order: 'rate' });
    const v = m.view() as OverviewView;
    expect(v.order).toBe('rate');
    expect(v.lists.process.entries.map((e) => e.key)).toEqual(['sshd', 'firefox', null, 'curl']);
    expect(v.lists.domain.entries[0].key).toBe('10.0.0.9');
    expect(v.lists.domain.entries[1].key).toBe('example.com');
    m.setRates(false);
    const still = m.view() as OverviewView;
    expect(still.total.rateIn + still.total.rateOut).toBe(0);
    // Equal rates fall back to bytes.
    expect(still.lists.process.entries.map((e) => e.key)).toEqual(['sshd', 'firefox', null, 'curl']);
  });

  it('sends at most OVERVIEW_TOP entries per list and counts every group', () => {
    const many = Array.from({ length: OVERVIEW_TOP + 5 }, (_, i) => row({ id: i + 1, process: `p${i}`, bytes_fwd: i, bytes_rev: 0 }));
    const { m } = model(many);
    const v = m.view() as OverviewView;
    expect(v.lists.process.entries).toHaveLength(OVERVIEW_TOP);
    expect(v.lists.process.groups).toBe(OVERVIEW_TOP + 5);
    expect(v.lists.process.entries[0].key).toBe(`p${OVERVIEW_TOP + 4}`);
  });

  it('follows counters without rebuilding rows, and moves a flow whose text changed to its new group', () => {
    const { m, store } = model(flows());
    m.view();
    const rowSpy = vi.spyOn(store, 'row');
    store.apply([{ ...flows()[0], bytes_rev: 5000 }]);
    let v = m.view() as OverviewView;
    expect(rowSpy).not.toHaveBeenCalled();
    expect(entry(v, 'process', 'firefox')?.bytesIn).toBe(5500);
    store.apply([{ ...flows()[0], bytes_rev: 5000, process: 'chromium' }]);
    v = m.view() as OverviewView;
    expect(rowSpy).toHaveBeenCalledTimes(1);
    expect(entry(v, 'process', 'firefox')).toMatchObject({ flows: 1, bytesIn: 500 });
    expect(entry(v, 'process', 'chromium')).toMatchObject({ flows: 1, bytesIn: 5000 });
  });

  it('keeps the counts of flows that left, whether it was told (retire) or found them gone', () => {
    const { m, store } = model(flows());
    m.view();
    // Told: the engine's eviction callback runs while the flow is still readable.
    m.retire(store.slotOfId(1));
    store.apply([], [1]);
    // Not told: the slot is empty (or reused) at the next scan.
    store.apply([row({ id: 9, process: 'wget', bytes_fwd: 1, bytes_rev: 2 })], [2]);
    const v = m.view() as OverviewView;
    expect(entry(v, 'process', 'firefox')).toEqual({ key: 'firefox', flows: 2, bytesOut: 150, bytesIn: 1500, rateOut: 0, rateIn: 0 });
    expect(entry(v, 'process', 'wget')).toMatchObject({ flows: 1, bytesOut: 1, bytesIn: 2 });
    expect(v.total.flows).toBe(6);
    // Counted once, not again at the next update.
    expect((m.view() as OverviewView).total.flows).toBe(6);
    // A new source starts from nothing.
    const fresh = new RowStore();
    m.show(fresh);
    expect((m.view() as OverviewView).total.flows).toBe(0);
  });

  it('computes nothing while hidden', () => {
    const { m, store } = model(flows());
    m.setRequest({ visible: false, order: 'bytes' });
    const rowSpy = vi.spyOn(store, 'row');
    const idSpy = vi.spyOn(store, 'idAt');
    expect(m.view()).toBeNull();
    expect(rowSpy).not.toHaveBeenCalled();
    expect(idSpy).not.toHaveBeenCalled();
  });
});
