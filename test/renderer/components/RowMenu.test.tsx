import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { RowMenu, rowFilters, type RowMenuActions } from '../../../src/renderer/components/RowMenu.tsx';
import { parseFilterQuery } from '../../../src/shared/flows/filter-query.ts';
import { row } from '../../shared/fixtures.ts';

function actions() {
  return {
    onFilter: vi.fn<RowMenuActions['onFilter']>(),
    onCopy: vi.fn<RowMenuActions['onCopy']>(),
    onSavePackets: vi.fn<RowMenuActions['onSavePackets']>(),
    onShowDetails: vi.fn<RowMenuActions['onShowDetails']>(),
    onClose: vi.fn<RowMenuActions['onClose']>(),
  } satisfies RowMenuActions;
}

describe('row menu', () => {
  const r = row({ id: 3, local: 'src', dst: '93.184.216.34', dport: 443, process: 'fire fox', host: 'www.example.test' });

  it('offers filters that parse and match the row', () => {
    const fs = rowFilters(r);
    expect(fs.map((f) => f.query)).toEqual(['host:93.184.216.34', 'proc:"fire fox"', 'port:443', 'domain:www.example.test']);
    for (const f of fs) {
      const p = parseFilterQuery(f.query);
      expect(p.ok).toBe(true);
      if (p.ok && p.predicate) expect(p.predicate(r)).toBe(true);
    }
  });

  it('is a menu: first item focused, arrows wrap, Enter runs, Esc closes', () => {
    const a = actions();
    render(<RowMenu row={r} x={0} y={0} actions={a} />);
    const menu = screen.getByRole('menu', { name: 'Flow actions' });
    const items = screen.getAllByRole('menuitem');
    expect(items.map((i) => i.textContent)).toContain('Copy remote address');
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[items.length - 1]);
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(menu, { key: 'Enter' });
    expect(a.onFilter).toHaveBeenCalledWith('host:93.184.216.34');
    expect(a.onClose).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(a.onClose).toHaveBeenCalledTimes(2);
  });

  it('copies the remote address and asks to save packets', () => {
    const a = actions();
    render(<RowMenu row={r} x={0} y={0} actions={a} />);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Copy remote address' }));
    expect(a.onCopy).toHaveBeenCalledWith('93.184.216.34');
    fireEvent.click(screen.getByRole('menuitem', { name: /Save this flow/ }));
    expect(a.onSavePackets).toHaveBeenCalledWith(r);
  });
});
