/**
 * Tells the engine host what the flows table shows (`SandpiperApi.setView`): sort, the last filter text that
 * parsed, the window of positions the grid renders plus overscan, and the selection. At most one request goes out per
 * animation frame: the first change in a frame is sent at once (the answer may then make the next frame), later ones
 * are coalesced into one at the next frame. A request identical to the last one sent is not sent.
 * A selection by position (a key moved past the rows at hand) is resolved here: the first update that reflects the
 * request carrying it names the flow, and from then on the flow is selected by id.
 * Each request says which rows the flows store holds (`have`), so the answer can leave them out; only the positions
 * the store will still hold when the answer comes: those of every window it may receive before (answers still due).
 * What the store holds is not part of a request's identity: a change of it alone sends nothing. When an answer left
 * out rows the store could not fill (its `gap`), the view is asked again, by the next frame, with `have: null`.
 */
import { MAX_VIEW_ROWS, type EngineUpdate, type HeldRows, type SandpiperApi, type ViewRequest } from '../../shared/ipc.ts';
import type { FlowsStore } from './flows-store.ts';
import type { UiState, UiStore } from './ui-store.ts';

/** The window asked for before the grid has measured itself (the host's default view). */
export const INITIAL_WINDOW = { start: 0, end: 100 } as const;

export interface ViewRequester {
  /** The grid's window of positions [start, end). */
  setWindow(start: number, end: number): void;
  /** Every update passes through here (after the flows store took it). */
  onUpdate(u: EngineUpdate): void;
  /**
   * Starts sending (nothing goes out before, so no answer can come before the caller listens for updates): sends the
   * view now, then whenever a field of the UI state a request is made of changes. Returns the stop function.
   */
  connect(): () => void;
  /** Requests sent so far. */
  readonly sent: number;
}

export interface ViewRequesterOptions {
  /** Runs the callback before the next frame (requestAnimationFrame); tests may pass their own. Callbacks run in order. */
  nextFrame?: (cb: () => void) => void;
}

type Selection = ViewRequest['select'];

function selectionOf(s: UiState): Selection {
  if (s.pendingIndex !== null) return { index: s.pendingIndex };
  return s.selectedId !== null ? { id: s.selectedId } : null;
}

/**
 * This many requests unanswered: `have` is null (their windows would narrow it to little anyway), and older ones are
 * forgotten (a host that never answers keeps the list bounded; `have` stays null until answers come).
 */
const MAX_DUE = 8;

/** Everything but seq and have, for telling whether a request changes anything. */
function keyOf(r: Omit<ViewRequest, 'seq' | 'have'>): string {
  const sel = r.select === null ? '' : 'id' in r.select ? `i${r.select.id}` : `p${r.select.index}`;
  return `${r.sortColumn}\u0000${r.sortDir}\u0000${r.start}\u0000${r.end}\u0000${sel}\u0000${r.filter}`;
}

export function createViewRequester(api: SandpiperApi, ui: UiStore, flows: FlowsStore, o: ViewRequesterOptions = {}): ViewRequester {
  const nextFrame = o.nextFrame ?? ((cb: () => void) => void requestAnimationFrame(() => cb()));
  let seq = 0;
  let win: { start: number; end: number } = { ...INITIAL_WINDOW };
  let last: Omit<ViewRequest, 'seq' | 'have'> | null = null;
  let lastKey = '';
  let scheduled = false;
  let connected = false;
  /** A request went out in this frame. */
  let sentThisFrame = false;
  /** The pending position and the first request that carried it. */
  let pending: { index: number; seq: number } | null = null;
  /** Requests sent and not yet answered (an update's viewSeq answers every request up to it), oldest first. */
  const due: Array<{ seq: number; start: number; end: number }> = [];
  /** The last request sent with `have: null` after a gap: a gap in its own answer does not ask again. */
  let refetchSeq = -1;
  /** The next flush sends even an unchanged view, with `have: null`. */
  let refetch = false;

  /** The rows held now that will still be held whichever window arrives before this request's answer. */
  function heldRows(): HeldRows | null {
    if (refetch || due.length >= MAX_DUE) return null;
    const f = flows.getState();
    let start = f.start;
    let end = f.start + f.rows.length;
    for (const w of due) {
      start = Math.max(start, w.start);
      end = Math.min(end, w.end);
    }
    return end > start ? { start, end, order: f.order } : null;
  }

  /** Sends the view if it differs from the last one sent (or a refetch is due). */
  function flush(): void {
    scheduled = false;
    if (!connected) return;
    const s = ui.getState();
    let { start, end } = win;
    // A key jumped past the window: the grid scrolls there, and its rows should come with the answer, not a round
    // trip later when the grid has reported its new window.
    if (s.pendingIndex !== null && (s.pendingIndex < start || s.pendingIndex >= end)) {
      const size = end - start;
      start = Math.max(0, s.pendingIndex - (size >> 1));
      end = start + size;
    }
    const body: Omit<ViewRequest, 'seq' | 'have'> = { sortColumn: s.sortColumn, sortDir: s.sortDir, filter: s.appliedFilter, start, end, select: selectionOf(s) };
    const key = keyOf(body);
    if (key === lastKey && !refetch) return;
    last = body;
    lastKey = key;
    if (!sentThisFrame) {
      sentThisFrame = true;
      nextFrame(() => {
        sentThisFrame = false;
      });
    }
    const req: ViewRequest = { seq: ++seq, ...body, have: heldRows() };
    if (refetch) refetchSeq = req.seq;
    refetch = false;
    due.push({ seq: req.seq, start, end });
    if (due.length > MAX_DUE) due.shift();
    if (s.pendingIndex !== null && (pending === null || pending.index !== s.pendingIndex)) pending = { index: s.pendingIndex, seq: req.seq };
    // A lost request is not retried: the next change sends the whole view again.
    api.setView(req).catch(() => undefined);
  }

  /** Something a request is made of changed: send now, or at the next frame if a request went out in this one. */
  function schedule(): void {
    if (scheduled || !connected) return;
    if (!sentThisFrame) {
      flush();
      return;
    }
    scheduled = true;
    nextFrame(flush);
  }

  return {
    setWindow(start, end) {
      const s = Math.max(0, Math.floor(start));
      const e = Math.min(s + MAX_VIEW_ROWS, Math.max(s, Math.floor(end)));
      if (s === win.start && e === win.end) return;
      win = { start: s, end: e };
      schedule();
    },
    onUpdate(u) {
      while (due.length > 0 && due[0].seq <= u.viewSeq) due.shift();
      if (flows.getState().gap && u.viewSeq > refetchSeq) {
        refetch = true;
        schedule();
      }
      if (pending === null || u.viewSeq < pending.seq) return;
      const s = ui.getState();
      const p = pending;
      pending = null;
      // A newer key press replaced the position before this answer came: its own request answers it.
      if (s.pendingIndex !== p.index) return;
      const id = u.selected !== null ? u.selected.id : null;
      // The host now holds this selection by id: the same view with it by id needs no request of its own.
      if (last !== null && last.select !== null && 'index' in last.select && last.select.index === p.index) {
        last = { ...last, select: id === null ? null : { id } };
        lastKey = keyOf(last);
      }
      s.resolveSelection(id);
      if (u.selected !== null && u.selected.index >= 0) s.scrollTo(u.selected.index);
    },
    connect() {
      connected = true;
      // Only the fields a request is made of: overlays and scroll targets send nothing.
      const off = ui.subscribe((s, prev) => {
        if (
          s.sortColumn !== prev.sortColumn ||
          s.sortDir !== prev.sortDir ||
          s.appliedFilter !== prev.appliedFilter ||
          s.selectedId !== prev.selectedId ||
          s.pendingIndex !== prev.pendingIndex
        ) {
          schedule();
        }
      });
      flush();
      return () => {
        connected = false;
        off();
      };
    },
    get sent() {
      return seq;
    },
  };
}
