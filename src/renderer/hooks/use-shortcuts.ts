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

/**
 * App-wide keys: Ctrl+E start/stop, Ctrl+F or / focus the flows filter (showing the flows table), Ctrl+O open file,
 * Ctrl+S save; on the flows table ↑/↓/PageUp/PageDown/Home/End move the selected flow, Enter opens its details; Esc
 * closes the open panel.
 */
export function useShortcuts(s: AppStores): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ctrl = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const ui = s.ui.getState();
      if (ctrl && !e.altKey && !e.shiftKey) {
        if (key === 'e') {
          e.preventDefault();
          void s.capture.getState().toggleStartStop();
          return;
        }
        if (key === 'f') {
          e.preventDefault();
          focusFilter(s, true);
          return;
        }
        if (key === 'o') {
          e.preventDefault();
          void s.capture.getState().openFile();
          return;
        }
        if (key === 's') {
          e.preventDefault();
          void s.capture.getState().save();
          return;
        }
      }
      if (e.key === 'Escape') {
        if (ui.securityOpen) ui.openSecurity(false);
        else if (ui.detailsOpen) ui.openDetails(false);
        // Esc in the flows filter clears it first (as in a browser's find bar), and leaves it when it is empty.
        else if (e.target === s.filterInput.current && ui.filterText !== '') ui.setFilterText('');
        else if (e.target === s.filterInput.current) s.filterInput.current?.blur();
        else return;
        e.preventDefault();
        return;
      }
      if (ctrl || e.altKey || isTyping(e.target) || ui.securityOpen) return;
      if (e.key === '/') {
        e.preventDefault();
        focusFilter(s, false);
        return;
      }
      // The keys below move in the flows table: on the Overview they keep their usual meaning (scrolling, buttons).
      if (ui.tab !== 'flows') return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      const onButton = target !== null && (target.tagName === 'BUTTON' || target.tagName === 'A');
      switch (e.key) {
        case 'ArrowDown':
          e.preventDefault();
          moveSelection(s, 1);
          return;
        case 'ArrowUp':
          e.preventDefault();
          moveSelection(s, -1);
          return;
        case 'PageDown':
          e.preventDefault();
          moveSelection(s, PAGE);
          return;
        case 'PageUp':
          e.preventDefault();
          moveSelection(s, -PAGE);
          return;
        case 'Home':
          e.preventDefault();
          moveSelection(s, -Infinity);
          return;
        case 'End':
          e.preventDefault();
          moveSelection(s, Infinity);
          return;
        case 'Enter':
          if (onButton || ui.selectedId === null) return;
          e.preventDefault();
          ui.openDetails(true);
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [s]);
}
