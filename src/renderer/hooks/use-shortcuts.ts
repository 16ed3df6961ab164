import { useEffect } from 'react';
import type { AppStores } from '../state/app-stores.ts';

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT';
}

/** Moves the selection by `delta` rows within what the table shows (clamped), selecting the first row if none. */
export function moveSelection(s: AppStores, delta: number): void {
  // The order as last rendered; sorted here only if an update changed it since (once per change, not per key).
  const ids = s.view.order();
  if (ids.length === 0) return;
  const cur = s.ui.getState().selectedId;
  const i = cur === null ? -1 : ids.indexOf(cur);
  const next = i < 0 ? (delta > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, i + delta));
  s.ui.getState().select(ids[next]);
}

const PAGE = 20;

/**
 * App-wide keys: Ctrl+E start/stop, Ctrl+F or / focus the flows filter, Ctrl+O open file, Ctrl+S save,
 * ↑/↓/PageUp/PageDown/Home/End move the selected flow, Enter opens its details, Esc closes the open panel.
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
          s.filterInput.current?.focus();
          s.filterInput.current?.select();
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
        else if (e.target === s.filterInput.current) s.filterInput.current?.blur();
        else return;
        e.preventDefault();
        return;
      }
      if (ctrl || e.altKey || isTyping(e.target) || ui.securityOpen) return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      const onButton = target !== null && (target.tagName === 'BUTTON' || target.tagName === 'A');
      switch (e.key) {
        case '/':
          e.preventDefault();
          s.filterInput.current?.focus();
          return;
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
