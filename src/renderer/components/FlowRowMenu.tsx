/**
 * The flows table's row menu, opened by a right-click on a row or by Shift+F10 / the ContextMenu key on the selected
 * row; closing it (Esc, Tab, an item) puts the focus back on the table, whose active row is that flow.
 * The table hands its grid events here, so it needs only a few lines for the menu.
 */
import { useEffect, useState, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import type { FlowRow } from '../../shared/flow.ts';
import { useStores } from '../state/app-stores.ts';
import { RowMenu, type RowMenuActions } from './RowMenu.tsx';
import { favouriteItems } from './Favourites.tsx';

interface Open {
  row: FlowRow;
  x: number;
  y: number;
}

/** Shift+F10 and the ContextMenu key: the keyboard's right-click. */
export function isMenuKey(e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'altKey' | 'metaKey'>): boolean {
  if (e.ctrlKey || e.altKey || e.metaKey) return false;
  return e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey);
}

/** The flow id of the row an event happened in, or null outside the rows. */
function flowIdAt(target: EventTarget | null): number | null {
  const el = target instanceof Element ? target.closest('[data-flow-id]') : null;
  const id = el === null ? NaN : Number(el.getAttribute('data-flow-id'));
  return Number.isFinite(id) ? id : null;
}

export function useRowMenu(grid: RefObject<HTMLElement | null>) {
  const stores = useStores();
  const { flows, ui, capture, favourites } = stores;
  const [open, setOpen] = useState<Open | null>(null);
  const [said, setSaid] = useState('');

  /** The flow as the table last showed it (the selected flow may be outside the window). */
  const rowOf = (id: number): FlowRow | null => {
    const f = flows.getState();
    return f.rows.find((r) => r.id === id) ?? (f.selected?.id === id ? f.selected.row : null);
  };

  const close = () => {
    setOpen(null);
    grid.current?.focus();
  };

  // A press anywhere else closes it, leaving the focus where that press puts it.
  useEffect(() => {
    if (open === null) return;
    const outside = (e: PointerEvent) => {
      if (!(e.target instanceof Element) || e.target.closest('[role=menu]') === null) setOpen(null);
    };
    document.addEventListener('pointerdown', outside, true);
    return () => document.removeEventListener('pointerdown', outside, true);
  }, [open]);

  const openFor = (id: number, x: number, y: number): boolean => {
    const row = rowOf(id);
    if (row === null) return false;
    ui.getState().select(id);
    setSaid('');
    setOpen({ row, x, y });
    return true;
  };

  /** Beside the selected row (or the table's corner when it is scrolled out of sight). */
  const openForSelected = (): boolean => {
    const id = ui.getState().selectedId;
    if (id === null) return false;
    const el = document.getElementById(`flow-row-${String(id)}`) ?? grid.current;
    const box = el?.getBoundingClientRect();
    return openFor(id, (box?.left ?? 0) + 16, box?.bottom ?? 0);
  };

  const onContextMenu = (e: MouseEvent) => {
    const id = flowIdAt(e.target);
    // The keyboard's context menu event is aimed at the focused grid, not a row: the selected row is meant.
    const opened = id !== null ? openFor(id, e.clientX, e.clientY) : e.target === grid.current && openForSelected();
    if (opened) e.preventDefault();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!isMenuKey(e) || e.target !== grid.current) return;
    if (openForSelected()) e.preventDefault();
  };

  const actions: RowMenuActions = {
    onFilter: (query) => ui.getState().setFilterText(query),
    onCopy: (text) => {
      // No clipboard at all (an insecure page) is the same failure as a refused write.
      (navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'))).then(
        () => setSaid('Copied.'),
        () => setSaid('Could not copy: the clipboard is not available.'),
      );
    },
    onSavePackets: (row) => void capture.getState().saveFlowPackets(row.id),
    onShowDetails: (row) => {
      ui.getState().select(row.id);
      ui.getState().openDetails(true);
    },
    onClose: close,
  };

  const element = (
    <>
      {open !== null && <RowMenu row={open.row} x={open.x} y={open.y} actions={actions} more={favouriteItems(open.row, favourites.getState())} />}
      <span className="sr-only" aria-live="polite">
        {said}
      </span>
    </>
  );
  return { onContextMenu, onKeyDown, element };
}
