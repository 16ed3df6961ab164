import { useEffect } from 'react';
import type { AppStores } from '../state/app-stores.ts';
import { indexOfId, rowAt } from '../state/flows-store.ts';

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT';
}

/**
 * Moves the selection by `delta` positions of the filtered, sorted order (clamped), from the first row (down) or
 * the last (up) when nothing is selected or the selected flow is not in the order. A target among the rows at hand
 * is selected by id at once; any other is asked of the host by position (its answer names the flow).
 */
export function moveSelection(s: AppStores, delta: number): void {
  const f = s.flows.getState();
  if (f.count === 0) return;
  const ui = s.ui.getState();
  const cur = ui.pendingIndex ?? (ui.selectedId === null ? -1 : indexOfId(f, ui.selectedId));
  const last = f.count - 1;
  let target: number;
  if (delta === Infinity) target = last;
  else if (delta === -Infinity) target = 0;
  else if (cur < 0) target = delta > 0 ? 0 : last;
  else target = Math.min(last, Math.max(0, cur + delta));
  const r = rowAt(f, target);
  if (r !== undefined) ui.select(r.id);
  else ui.selectIndex(target);
  ui.scrollTo(target);
}

const PAGE = 20;

/** Focuses the flows filter, showing the flows table first if the Overview is shown (the filter is part of it). */
function focusFilter(s: AppStores, selectAll: boolean): void {
  const focus = () => {
    s.filterInput.current?.focus();
    if (selectAll) s.filterInput.current?.select();
  };
  if (s.ui.getState().tab === 'flows') return focus();
  s.ui.getState().setTab('flows');
  // The table (and its filter) mounts with the next render.
  setTimeout(focus, 0);
}

/** One key binding: what it does (shown in the shortcuts sheet, `?`) and how it runs. */
export interface Shortcut {
  /** As shown to the user. */
  keys: string;
  /** KeyboardEvent.key (letters lower-case) and whether Ctrl (or ⌘) is held. */
  key: string;
  ctrl: boolean;
  /** Only on the flows table (elsewhere these keys keep their usual meaning: scrolling, buttons). */
  flowsOnly: boolean;
  does: string;
  /** True when it acted (the key's default is then prevented). */
  run(s: AppStores, e: KeyboardEvent): boolean;
}

const onButton = (e: KeyboardEvent) => e.target instanceof HTMLElement && (e.target.tagName === 'BUTTON' || e.target.tagName === 'A');
const move = (delta: number) => (s: AppStores) => (moveSelection(s, delta), true);

/** Every key the app binds, in the order the shortcuts sheet lists them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Ctrl+E', key: 'e', ctrl: true, flowsOnly: false, does: 'Start or stop the capture', run: (s) => (void s.capture.getState().toggleStartStop(), true) },
  { keys: 'Ctrl+O', key: 'o', ctrl: true, flowsOnly: false, does: 'Open a capture file', run: (s) => (void s.capture.getState().openFile(), true) },
  { keys: 'Ctrl+S', key: 's', ctrl: true, flowsOnly: false, does: 'Save the capture', run: (s) => (void s.capture.getState().save(), true) },
  { keys: 'Ctrl+F', key: 'f', ctrl: true, flowsOnly: false, does: 'Filter the flows (selects the filter text)', run: (s) => (focusFilter(s, true), true) },
  { keys: '/', key: '/', ctrl: false, flowsOnly: false, does: 'Filter the flows', run: (s) => (focusFilter(s, false), true) },
  { keys: '?', key: '?', ctrl: false, flowsOnly: false, does: 'Show these shortcuts', run: (s) => (s.ui.getState().openHelp(true), true) },
  {
    keys: 'Esc', key: 'Escape', ctrl: false, flowsOnly: false, does: 'Close the open panel; in the filter, clear it, then leave it',
    run: (s, e) => {
      const ui = s.ui.getState();
      if (ui.helpOpen) ui.openHelp(false);
      else if (ui.securityOpen) ui.openSecurity(false);
      else if (ui.detailsOpen) ui.openDetails(false);
      // Esc in the flows filter clears it first (as in a browser's find bar), and leaves it when it is empty.
      else if (e.target === s.filterInput.current && ui.filterText !== '') ui.setFilterText('');
      else if (e.target === s.filterInput.current) s.filterInput.current?.blur();
      else return false;
      return true;
    },
  },
  { keys: '↓', key: 'ArrowDown', ctrl: false, flowsOnly: true, does: 'Select the next flow', run: move(1) },
  { keys: '↑', key: 'ArrowUp', ctrl: false, flowsOnly: true, does: 'Select the previous flow', run: move(-1) },
  { keys: 'PageDown', key: 'PageDown', ctrl: false, flowsOnly: true, does: `Select the flow ${PAGE} rows down`, run: move(PAGE) },
  { keys: 'PageUp', key: 'PageUp', ctrl: false, flowsOnly: true, does: `Select the flow ${PAGE} rows up`, run: move(-PAGE) },
  { keys: 'Home', key: 'Home', ctrl: false, flowsOnly: true, does: 'Select the first flow', run: move(-Infinity) },
  { keys: 'End', key: 'End', ctrl: false, flowsOnly: true, does: 'Select the last flow', run: move(Infinity) },
  {
    keys: 'Enter', key: 'Enter', ctrl: false, flowsOnly: true, does: 'Show the selected flow\'s details',
    run: (s, e) => {
      const ui = s.ui.getState();
      if (onButton(e) || ui.selectedId === null) return false;
      ui.openDetails(true);
      return true;
    },
  },
];

/** App-wide keys, as SHORTCUTS lists them. */
export function useShortcuts(s: AppStores): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ctrl = e.ctrlKey || e.metaKey;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const sc = SHORTCUTS.find((x) => x.key === key && x.ctrl === ctrl);
      if (sc === undefined) return;
      const ui = s.ui.getState();
      if (ctrl && (e.altKey || e.shiftKey)) return;
      // Plain keys are the page's own while typing or in a dialog; Esc is how a dialog closes.
      if (!ctrl && sc.key !== 'Escape' && (e.altKey || isTyping(e.target) || ui.securityOpen || ui.helpOpen)) return;
      if (sc.flowsOnly && ui.tab !== 'flows') return;
      if (sc.run(s, e)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [s]);
}
