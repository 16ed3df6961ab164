// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createUiStore } from '../../../src/renderer/state/ui-store.ts';
import { createFlowsStore } from '../../../src/renderer/state/flows-store.ts';
import { createViewRequester, INITIAL_WINDOW } from '../../../src/renderer/state/view-requester.ts';
import { MAX_VIEW_ROWS, type EngineUpdate } from '../../../src/shared/ipc.ts';
import { mockApi, row, update } from '../fixtures.ts';

/** A requester on a mock API, with frames run by hand. */
function setup({ connect = true } = {}) {
  const api = mockApi();
  const ui = createUiStore();
  const flows = createFlowsStore();
  const frames: Array<() => void> = [];
  const view = createViewRequester(api, ui, flows, { nextFrame: (cb) => void frames.push(cb) });
  const disconnect = connect ? view.connect() : () => undefined;
  const frame = () => frames.splice(0).forEach((f) => f());
  /** Runs frames until none is asked for: the next change goes out at once. */
  const idle = () => {
    while (frames.length > 0) frame();
  };
  const sent = () => api.setView.mock.calls.map((c) => c[0]);
  /** An update the app delivers: the flows store takes it, then the requester (as connectApi wires them). */
  const deliver = (u: EngineUpdate) => {
    flows.getState().applyUpdate(u);
    view.onUpdate(u);
  };
  return { api, ui, flows, view, frame, idle, sent, disconnect, deliver };
}

describe('view requester', () => {
  it('sends nothing before it is connected, then the whole view at once', () => {
    const { ui, view, sent } = setup({ connect: false });
    view.setWindow(0, 70);
    ui.getState().sortBy('bytes');
    expect(sent()).toEqual([]);
    view.connect();
    expect(sent()).toEqual([{ seq: 1, sortColumn: 'bytes', sortDir: 'desc', filter: '', start: 0, end: 70, select: null, have: null }]);
  });

  it('the first change in a frame goes out at once, later ones coalesce into one at the next frame', () => {
    const { ui, view, frame, sent } = setup();
    expect(sent()).toEqual([{ seq: 1, sortColumn: 'first_seen', sortDir: 'asc', filter: '', ...INITIAL_WINDOW, select: null, have: null }]);
    frame();
    ui.getState().sortBy('bytes');
    expect(sent()).toHaveLength(2);
    expect(sent()[1]).toMatchObject({ seq: 2, sortColumn: 'bytes' });
    ui.getState().setFilterText('proto:udp');
    view.setWindow(40, 140);
    ui.getState().select(12);
    expect(sent()).toHaveLength(2);
    frame();
    expect(sent()).toHaveLength(3);
    expect(sent()[2]).toEqual({ seq: 3, sortColumn: 'bytes', sortDir: 'desc', filter: 'proto:udp', start: 40, end: 140, select: { id: 12 }, have: null });
    frame();
    expect(sent()).toHaveLength(3);
  });

  it('sends nothing for changes a request is not made of, or that leave it as it was', () => {
    const { ui, view, frame, sent } = setup();
    frame();
    ui.getState().openSecurity(true);
    ui.getState().scrollTo(5);
    ui.getState().openDetails(true);
    frame();
    expect(sent()).toHaveLength(1);
    ui.getState().sortBy('bytes');
    ui.getState().sortBy('bytes');
    ui.getState().sortBy('bytes');
    view.setWindow(INITIAL_WINDOW.start, INITIAL_WINDOW.end);
    frame();
    // desc (sent at once) → asc → desc: the frame's request would be the same as the last one.
    expect(sent().map((r) => [r.sortColumn, r.sortDir])).toEqual([['first_seen', 'asc'], ['bytes', 'desc']]);
  });

  it('sends the last filter text that parsed, never one that does not', () => {
    const { ui, frame, sent } = setup();
    ui.getState().setFilterText('port:44');
    frame();
    ui.getState().setFilterText('port:44x');
    frame();
    ui.getState().setFilterText('x'.repeat(5000));
    frame();
    expect(ui.getState().filterError).toMatch(/too long/);
    expect(sent().map((r) => r.filter)).toEqual(['', 'port:44']);
  });

  it('keeps windows whole numbers, starting at 0 or later, at most MAX_VIEW_ROWS long', () => {
    const { view, frame, sent } = setup();
    frame();
    view.setWindow(-5.5, 3000.7);
    expect(sent()[1]).toMatchObject({ start: 0, end: MAX_VIEW_ROWS });
  });

  it('moves the window to a position asked for outside it', () => {
    const { ui, view, frame, sent } = setup();
    view.setWindow(0, 100);
    frame();
    ui.getState().selectIndex(4_000);
    const r = sent().at(-1);
    expect(r?.select).toEqual({ index: 4_000 });
    expect(r?.start).toBeLessThanOrEqual(4_000);
    expect(r?.end).toBeGreaterThan(4_000);
    expect((r?.end ?? 0) - (r?.start ?? 0)).toBe(100);
  });

  it('a selection by position becomes a selection by id once an update reflecting it names the flow', () => {
    const { api, ui, view, frame, idle, sent } = setup();
    view.setWindow(450, 550);
    ui.getState().select(3);
    idle();
    ui.getState().selectIndex(500);
    const req = sent().at(-1);
    expect(req?.select).toEqual({ index: 500 });
    const seq = req?.seq ?? 0;
    const n = sent().length;
    // An update reflecting an older request says nothing about it.
    view.onUpdate(update(1, { viewSeq: seq - 1, selected: { id: 3, index: 2, row: row({ id: 3 }), down: [], up: [] } }));
    expect(ui.getState()).toMatchObject({ selectedId: 3, pendingIndex: 500 });
    view.onUpdate(update(2, { viewSeq: seq, selected: { id: 77, index: 500, row: row({ id: 77 }), down: [], up: [] } }));
    expect(ui.getState()).toMatchObject({ selectedId: 77, pendingIndex: null, scrollTarget: { index: 500 } });
    // The host already holds flow 77: the same view by id is not sent again ...
    frame();
    frame();
    expect(sent()).toHaveLength(n);
    // ... but the next request carries it by id.
    view.setWindow(480, 580);
    frame();
    expect(sent().at(-1)).toMatchObject({ start: 480, end: 580, select: { id: 77 } });
    expect(api.setView).toHaveBeenCalledTimes(n + 1);
  });

  it('a newer key press or a click replaces a pending position; its answer then resolves nothing', () => {
    const { ui, view, frame, sent } = setup();
    frame();
    ui.getState().selectIndex(500);
    const first = sent().at(-1)?.seq ?? 0;
    ui.getState().selectIndex(520);
    view.onUpdate(update(1, { viewSeq: first, selected: { id: 9, index: 500, row: null, down: [], up: [] } }));
    expect(ui.getState()).toMatchObject({ selectedId: null, pendingIndex: 520 });
    frame();
    const second = sent().at(-1);
    expect(second?.select).toEqual({ index: 520 });
    ui.getState().select(4);
    view.onUpdate(update(2, { viewSeq: second?.seq ?? 0, selected: { id: 10, index: 520, row: null, down: [], up: [] } }));
    expect(ui.getState()).toMatchObject({ selectedId: 4, pendingIndex: null });
  });

  it('a position in an empty table resolves to no selection (and closes the drawer)', () => {
    const { ui, idle, sent, view } = setup();
    ui.getState().select(1);
    ui.getState().openDetails(true);
    idle();
    ui.getState().selectIndex(0);
    expect(sent().at(-1)?.select).toEqual({ index: 0 });
    view.onUpdate(update(1, { viewSeq: sent().at(-1)?.seq ?? 0, selected: null }));
    expect(ui.getState()).toMatchObject({ selectedId: null, pendingIndex: null, detailsOpen: false });
  });

  it('stops sending when disconnected', () => {
    const { ui, view, frame, sent, disconnect } = setup();
    disconnect();
    frame();
    ui.getState().sortBy('bytes');
    view.setWindow(10, 20);
    frame();
    expect(sent()).toHaveLength(1);
  });

  describe('the rows held (have)', () => {
    /** Flows at positions [start, end) under `order`, answering request `viewSeq`. */
    const window = (seq: number, viewSeq: number, start: number, end: number, order = 7, rows = Array.from({ length: end - start }, (_, i) => row({ id: start + i + 1 }))) =>
      update(seq, { viewSeq, total: 1000, count: 1000, start, rows, order });

    it('each request says what the flows store holds, as the last update left it', () => {
      const { view, frame, idle, sent, deliver } = setup();
      expect(sent()[0].have).toBeNull();
      deliver(window(1, 1, 0, 100));
      view.setWindow(40, 140);
      frame();
      expect(sent().at(-1)).toMatchObject({ start: 40, end: 140, have: { start: 0, end: 100, order: 7 } });
      idle();
      deliver(window(2, 2, 40, 140, 8));
      view.setWindow(80, 180);
      expect(sent().at(-1)?.have).toEqual({ start: 40, end: 140, order: 8 });
    });

    it('a change of what the store holds sends nothing (every update changes it)', () => {
      const { view, frame, idle, sent, deliver } = setup();
      idle();
      view.setWindow(10, 110);
      const n = sent().length;
      deliver(window(1, n, 10, 110));
      deliver(window(2, n, 10, 110, 9));
      idle();
      expect(sent()).toHaveLength(n);
      // A frame whose request comes back to the one last sent: the same view, though the store now holds other rows.
      view.setWindow(20, 120);
      view.setWindow(30, 130);
      frame();
      deliver(window(3, n + 2, 30, 130, 10));
      view.setWindow(40, 140);
      view.setWindow(30, 130);
      frame();
      expect(sent().map((r) => r.start)).toEqual([0, 10, 20, 30]);
    });

    it('only positions every window still due will also hold: an unanswered request narrows it', () => {
      const { view, frame, sent, deliver } = setup();
      deliver(window(1, 1, 0, 100));
      frame();
      view.setWindow(40, 140);
      frame();
      // The answer to [40, 140) may arrive first and replace [0, 100): only [40, 100) is held whichever comes.
      view.setWindow(80, 180);
      expect(sent().at(-1)?.have).toEqual({ start: 40, end: 100, order: 7 });
      frame();
      view.setWindow(150, 250);
      expect(sent().at(-1)?.have).toEqual({ start: 80, end: 100, order: 7 });
      frame();
      view.setWindow(300, 400);
      expect(sent().at(-1)?.have, 'nothing held in every window still due').toBeNull();
      frame();
      // Answered (an update reflects every request up to its viewSeq): the windows due are forgotten.
      deliver(window(2, sent().at(-1)?.seq ?? 0, 300, 400));
      view.setWindow(310, 410);
      expect(sent().at(-1)?.have).toEqual({ start: 300, end: 400, order: 7 });
    });

    it('holds nothing while many requests are unanswered (a host that does not answer), until an answer comes', () => {
      const { view, frame, sent, deliver } = setup();
      deliver(window(1, 1, 0, 500));
      for (let i = 1; i <= 10; i++) {
        frame();
        view.setWindow(i, 100 + i);
      }
      // The first eight narrow it by the windows before them; with eight unanswered, nothing is held for sure.
      expect(sent().slice(1, 9).every((r) => r.have !== null)).toBe(true);
      expect(sent().slice(-2).map((r) => r.have)).toEqual([null, null]);
      frame();
      deliver(window(2, sent().at(-1)?.seq ?? 0, 10, 110));
      view.setWindow(20, 120);
      expect(sent().at(-1)?.have).toEqual({ start: 10, end: 110, order: 7 });
    });

    it('an answer whose left-out rows the store could not fill asks again, holding nothing; once', () => {
      const { view, idle, sent, deliver, flows } = setup();
      deliver(window(1, 1, 0, 100));
      view.setWindow(50, 150);
      idle();
      const n = sent().length;
      const asked = sent().at(-1)?.seq ?? 0;
      // Another order than the one held: the nulls cannot be filled.
      const sentRows = [...Array.from({ length: 50 }, () => null), ...Array.from({ length: 50 }, (_, i) => row({ id: 500 + i }))];
      deliver(update(2, { viewSeq: asked, total: 1000, count: 1000, start: 50, rows: sentRows, order: 8 }));
      expect(flows.getState()).toMatchObject({ gap: true, start: 100 });
      idle();
      expect(sent()).toHaveLength(n + 1);
      expect(sent().at(-1)).toMatchObject({ start: 50, end: 150, have: null });
      // A host that leaves rows out even then is not asked again in a loop.
      deliver(update(3, { viewSeq: sent().at(-1)?.seq ?? 0, total: 1000, count: 1000, start: 50, rows: sentRows, order: 8 }));
      idle();
      expect(sent()).toHaveLength(n + 1);
      // The next change asks as usual, holding what the store has.
      view.setWindow(60, 160);
      expect(sent().at(-1)?.have).toEqual({ start: 100, end: 150, order: 8 });
    });
  });
});
