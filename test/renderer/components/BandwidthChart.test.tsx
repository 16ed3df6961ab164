import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import type { Options } from 'uplot';
import { App } from '../../../src/renderer/components/App.tsx';
import { createAppStores } from '../../../src/renderer/state/app-stores.ts';
import { mockApi, row, stats, status, update } from '../fixtures.ts';
import { FLOW_SERIES_REFRESH_MS } from '../../../src/renderer/components/FlowDetails.tsx';

/** uPlot as the chart drives it: what it was built with, the data and x ranges it was given. */
const { FakePlot, plots } = vi.hoisted(() => {
  const plots: InstanceType<typeof FakePlot>[] = [];
  class FakePlot {
    static paths = { stepped: () => () => null };
    readonly opts: Options;
    readonly data: number[][][] = [];
    readonly xRanges: { min: number; max: number }[] = [];
    constructor(opts: Options, data: number[][]) {
      this.opts = opts;
      this.data.push(data);
      plots.push(this);
    }
    setData(d: number[][]) {
      this.data.push(d);
    }
    setScale(key: string, r: { min: number; max: number }) {
      if (key === 'x') this.xRanges.push(r);
    }
    setSize() {}
    destroy() {}
    // A drag's selection, in plot pixels; this fake's x axis maps pixel p to time T + p.
    select = { left: 0, top: 0, width: 0, height: 0 };
    posToVal(p: number) {
      return 1_764_500_000 + p;
    }
    setSelect(sel: { left: number; top: number; width: number; height: number }) {
      this.select = sel;
    }
  }
  return { FakePlot, plots };
});
type FakePlot = InstanceType<typeof FakePlot>;
vi.mock('uplot', () => ({ default: FakePlot }));

const T = 1_764_500_000;
const yAxis = (p: FakePlot) => {
  const axis = p.opts.axes?.[1];
  const range = p.opts.scales?.y?.range;
  if (!axis || typeof axis.splits !== 'function' || typeof axis.values !== 'function' || typeof range !== 'function') throw new Error('no y axis functions');
  const u = p as unknown as Parameters<typeof axis.splits>[0];
  const [, top] = range(u, 0, Math.max(0, ...(p.data.at(-1)?.slice(1).flat() ?? [0])), 'y');
  const splits = axis.splits(u, 1, 0, top ?? 0, 0, 0);
  return { top, labels: axis.values(u, splits, 1, 0, 0) };
};

describe('bandwidth chart', () => {
  const realGetContext = HTMLCanvasElement.prototype.getContext;
  beforeEach(() => {
    plots.length = 0;
    // A canvas, so the chart is drawn instead of its text fallback.
    HTMLCanvasElement.prototype.getContext = (() => ({})) as unknown as typeof realGetContext;
  });
  afterEach(() => {
    HTMLCanvasElement.prototype.getContext = realGetContext;
  });

  it("draws the host's series over capture time, keeps it while updates say it did not change, with a labelled y axis", () => {
    const api = mockApi();
    render(<App api={api} />);
    expect(plots).toHaveLength(1);
    const p = plots[0];
    // Idle: still a scale with several labelled ticks.
    expect(yAxis(p).labels).toEqual(['0 kB/s', '0.5 kB/s', '1.0 kB/s']);
    const chart = { start: T, step: 2, down: [1000, 3_000_000, 500], up: [10, 20, 30] };
    act(() => api.emitUpdate(update(1, { chart, ts: T + 7, stats: stats({ inBytesPerSecond: 500, outBytesPerSecond: 30 }) })));
    // A point at each bin's start with its mean, and the last bin's end (drawn as steps).
    expect(p.data.at(-1)).toEqual([
      [T, T + 2, T + 4, T + 6],
      [1000, 3_000_000, 500, 500],
      [10, 20, 30, 30],
    ]);
    // The x axis is capture time (the minimum span ends at the series' end), not the wall clock.
    expect(p.xRanges.at(-1)).toEqual({ min: T + 6 - 60, max: T + 6 });
    expect(yAxis(p).labels).toEqual(['0 MB/s', '1 MB/s', '2 MB/s', '3 MB/s']);
    const drawn = p.data.length;
    // Updates whose chart is null leave the series as it was: no redraw, nothing dropped.
    act(() => api.emitUpdate(update(2, { chart: null, ts: T + 7.25 })));
    act(() => api.emitUpdate(update(3, { chart: null, ts: T + 7.5 })));
    expect(p.data.length).toBe(drawn);
    expect(screen.getByRole('img', { name: /^Now ↓/ }).getAttribute('aria-label')).toContain('peak ↓ 3.0 MB/s, ↑ 30 B/s');
    // A longer series: the range is its own.
    const longer = { start: T, step: 2, down: Array.from({ length: 100 }, () => 10), up: Array.from({ length: 100 }, () => 5) };
    act(() => api.emitUpdate(update(4, { chart: longer, ts: T + 201 })));
    expect(p.xRanges.at(-1)).toEqual({ min: T, max: T + 200 });
    expect(p.data.at(-1)?.[0]).toHaveLength(101);
  });

  it('a new capture or file starts a new chart: the old series is gone until the host sends the new one', () => {
    const api = mockApi();
    render(<App api={api} />);
    const p = plots[0];
    act(() => api.emitUpdate(update(1, { chart: { start: T, step: 1, down: [5, 6], up: [7, 8] }, ts: T + 2 })));
    expect(p.data.at(-1)?.[0]).toHaveLength(3);
    act(() => api.emitStatus(status({ state: 'reading', source: { kind: 'file', path: '/tmp/b.pcap' } })));
    expect(p.data.at(-1)).toEqual([[], [], []]);
    act(() => api.emitUpdate(update(2, { chart: null, ts: T - 50_000 })));
    expect(p.data.at(-1)).toEqual([[], [], []]);
    act(() => api.emitUpdate(update(3, { chart: { start: T - 50_000, step: 1, down: [9], up: [1] }, ts: T - 49_999 })));
    expect(p.data.at(-1)).toEqual([
      [T - 50_000, T - 49_999],
      [9, 9],
      [1, 1],
    ]);
  });

  it('the legend follows the pointer: the time of the bin under it, and its rates; dashes away from the chart', () => {
    render(<App api={mockApi()} />);
    const p = plots[0];
    expect(p.opts.legend).toMatchObject({ show: true, live: true });
    const [time, down, up] = p.opts.series;
    type Format = (u: never, v: number | null, series: number, idx: number) => string;
    const fmt = (f: typeof time.value, v: number | null) => (typeof f === 'function' ? (f as unknown as Format)(p as never, v, 0, 0) : f);
    expect(time.label).toBe('Time');
    expect(fmt(time.value, new Date(2025, 10, 30, 10, 53, 20).getTime() / 1000)).toBe('10:53:20.000');
    expect(fmt(time.value, null)).toBe('—');
    expect(fmt(down.value, 2500)).toBe('2.5 kB/s');
    expect(fmt(up.value, null)).toBe('—');
  });

  it('dragging across the chart filters the table to the flows seen then and zooms the chart; Whole capture undoes both', async () => {
    const api = mockApi();
    const stores = createAppStores(api, { tab: 'flows' });
    render(<App api={api} stores={stores} />);
    const p = plots[0];
    const setSelect = p.opts.hooks?.setSelect?.[0];
    if (!setSelect) throw new Error('no setSelect hook');
    expect(p.opts.cursor?.drag).toMatchObject({ x: true, y: false, setScale: false });
    const box = screen.getByRole('combobox', { name: 'Filter flows' }) as HTMLInputElement;
    act(() => stores.ui.getState().setFilterText('proto:udp'));
    const drag = (left: number, width: number) => act(() => setSelect(Object.assign(p, { select: { left, top: 0, width, height: 100 } }) as never));
    // A click (no width) selects nothing.
    drag(10, 1);
    expect(box.value).toBe('proto:udp');
    drag(20, 40);
    expect(box.value).toBe(`proto:udp seen:${T + 20}.000-${T + 60}.000`);
    expect(p.select.width, 'the selection box is cleared').toBe(0);
    expect(p.xRanges.at(-1)).toEqual({ min: T + 20, max: T + 60 });
    await vi.waitFor(() => expect(api.setView.mock.calls.at(-1)?.[0].filter).toBe(`proto:udp seen:${T + 20}.000-${T + 60}.000`));
    expect(screen.getByText(/^Flows seen/)).toBeTruthy();
    // A second drag replaces the range, keeping the other terms.
    drag(30, 5);
    expect(box.value).toBe(`proto:udp seen:${T + 30}.000-${T + 35}.000`);
    act(() => screen.getByRole('button', { name: 'Whole capture' }).click());
    expect(box.value).toBe('proto:udp');
    expect(screen.queryByText(/^Flows seen/)).toBeNull();
    expect(p.xRanges.at(-1)).not.toEqual({ min: T + 30, max: T + 35 });
  });

  it("the details drawer charts its flow: the host's series of that flow's packets, the same axes and legend, no drag; asked again while capturing", async () => {
    const api = mockApi();
    const flow = { start: T, step: 1, down: [2000, 0, 500_000], up: [100, 50, 0] };
    api.flowSeries.mockResolvedValue({ ok: true, value: flow });
    const stores = createAppStores(api, { tab: 'flows' });
    render(<App api={api} stores={stores} />);
    const r = row({ id: 7 });
    act(() => api.emitUpdate(update(1, { rows: [r] })));
    act(() => {
      stores.ui.getState().select(7);
      stores.ui.getState().openDetails(true);
    });
    await vi.waitFor(() => expect(plots).toHaveLength(2));
    expect(api.flowSeries).toHaveBeenCalledWith(7);
    const p = plots[1];
    expect(p.data.at(-1)).toEqual([
      [T, T + 1, T + 2, T + 3],
      [2000, 0, 500_000, 500_000],
      [100, 50, 0, 0],
    ]);
    // Its x axis is the flow's own span; its y axis and legend are the traffic chart's.
    expect(p.xRanges.at(-1)).toEqual({ min: T, max: T + 3 });
    expect(yAxis(p).labels).toEqual(['0 kB/s', '200 kB/s', '400 kB/s', '600 kB/s']);
    expect(p.opts.legend).toMatchObject({ show: true, live: true });
    expect(p.opts.series.map((x) => x.label)).toEqual(['Time', '↓ Down', '↑ Up']);
    expect(p.opts.cursor?.drag).toMatchObject({ x: false });
    const drawer = screen.getByRole('complementary', { name: 'Flow details' });
    expect(screen.getAllByRole('img').find((el) => drawer.contains(el))?.getAttribute('aria-label')).toMatch(/^Traffic of flow 7 from .* peak ↓ 500 kB\/s, ↑ 100 B\/s$/);
    // A file read to its end: asked once.
    await act(async () => new Promise((res) => setTimeout(res, FLOW_SERIES_REFRESH_MS + 300)));
    expect(api.flowSeries).toHaveBeenCalledTimes(1);
    // While a capture runs, asked again after each answer.
    act(() => api.emitStatus(status({ state: 'capturing', source: { kind: 'live', interface: 'lo' } })));
    act(() => api.emitUpdate(update(2, { rows: [r] })));
    act(() => {
      stores.ui.getState().select(7);
      stores.ui.getState().openDetails(true);
    });
    const before = api.flowSeries.mock.calls.length;
    await act(async () => new Promise((res) => setTimeout(res, FLOW_SERIES_REFRESH_MS + 300)));
    expect(api.flowSeries.mock.calls.length).toBeGreaterThan(before);
  }, 15_000);

  it('a flow the host cannot chart (no recording kept) says why and shows its recent rates instead', async () => {
    const api = mockApi();
    api.flowSeries.mockResolvedValue({ ok: false, error: { code: 'bad_arguments', message: 'This flow’s packets are not available: no recording of this capture is kept.', action: '' } });
    const stores = createAppStores(api, { tab: 'flows' });
    render(<App api={api} stores={stores} />);
    act(() => api.emitUpdate(update(1, { rows: [row({ id: 3 })] })));
    act(() => {
      stores.ui.getState().select(3);
      stores.ui.getState().openDetails(true);
    });
    expect(await screen.findByText(/^No chart of this flow: This flow’s packets are not available/)).toBeTruthy();
    expect(plots).toHaveLength(1);
    expect(screen.getByRole('img', { name: /^Rate of flow 3/ })).toBeTruthy();
  });
});
