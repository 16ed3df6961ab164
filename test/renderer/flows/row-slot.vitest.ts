// A flows table row slot written outside React: what it writes into cells made the way FlowsTable makes them, and
// that it leaves alone what did not change (a counter change writes only numbers; a scroll's same row writes nothing).
import { describe, expect, it } from 'vitest';
import { RowSlot, ROW_HEIGHT, type RowLook } from '../../../src/renderer/flows/row-slot.ts';
import { NUMBER_COLUMNS, numberTexts } from '../../../src/renderer/flows/numeric-columns.ts';
import { favouriteSets } from '../../../src/shared/flows/favourites.ts';
import { row } from '../fixtures.ts';

const TEXT_COLUMNS = ['process', 'local', 'remote', 'proto', 'state'] as const;

/** A row element with its empty cells, attached to a slot as React's refs would. */
function slotted() {
  const slot = new RowSlot();
  const el = document.createElement('div');
  document.body.append(el);
  slot.rowRef(el);
  const cells = new Map<string, HTMLElement>();
  for (const id of TEXT_COLUMNS) {
    const c = document.createElement('div');
    c.setAttribute('data-tip', '');
    el.append(c);
    slot.cellRef(id)(c);
    cells.set(id, c);
  }
  NUMBER_COLUMNS.forEach((id, i) => {
    const c = document.createElement('div');
    el.append(c);
    slot.numberRefs[i](c);
    cells.set(id, c);
  });
  return { slot, el, cells };
}

const look: RowLook = { favourites: favouriteSets({ flows: [], hosts: [], programs: [] }), fit: null, withDate: false };

/** Records every change under an element until `stop` (taken synchronously). */
function changes(el: Element) {
  const mo = new MutationObserver(() => {});
  mo.observe(el, { subtree: true, attributes: true, characterData: true, childList: true });
  return () => mo.takeRecords();
}

describe('row slot', () => {
  it('writes a row: its attributes, texts, star and numbers; a counter change writes only the numbers that changed', () => {
    const { slot, el, cells } = slotted();
    const r = row({ id: 7, process: 'curl', pid: 20, host: 'example.com', state: 'established' });
    slot.write(r, 3, false, look);
    expect(el.id).toBe('flow-row-7');
    expect(el.getAttribute('data-flow-id')).toBe('7');
    expect(el.getAttribute('aria-rowindex')).toBe('5');
    expect(el.getAttribute('aria-selected')).toBe('false');
    expect(el.style.transform).toBe(`translateY(${3 * ROW_HEIGHT}px)`);
    expect(cells.get('process')?.textContent).toBe('curl (20)');
    expect(cells.get('process')?.querySelector('bdi')?.textContent).toBe('curl');
    expect(cells.get('state')?.textContent).toBe('established');
    const remote = cells.get('remote') as HTMLElement;
    expect(remote.getAttribute('data-tip')).toBe(remote.textContent);
    expect(remote.querySelector('button[data-favourite-star]')?.getAttribute('aria-pressed')).toBe('false');
    expect(NUMBER_COLUMNS.map((id) => cells.get(id)?.textContent)).toEqual(numberTexts(r, false));

    const stop = changes(el);
    const later = { ...r, bytes_fwd: r.bytes_fwd + 5000, last_seen: r.last_seen + 1 };
    slot.write(later, 3, false, look);
    const written = stop();
    expect(written.length).toBeGreaterThan(0);
    // Only number cells' text nodes changed.
    expect(written.every((m) => m.type === 'characterData' && NUMBER_COLUMNS.some((id) => cells.get(id)?.contains(m.target)))).toBe(true);
    expect(NUMBER_COLUMNS.map((id) => cells.get(id)?.textContent)).toEqual(numberTexts(later, false));

    // The same row at the same place (a scroll's render that did not move it): nothing written.
    const none = changes(el);
    slot.write(later, 3, false, look);
    expect(none()).toEqual([]);
  });

  it('a selected, dimmed, starred row; a placeholder keeps the box and shows nothing; a hidden slot names no row', () => {
    const { slot, el, cells } = slotted();
    const r = row({ id: 9, state: 'closed', host: 'example.com' });
    const starred: RowLook = { ...look, favourites: favouriteSets({ flows: [9], hosts: [], programs: [] }) };
    slot.write(r, 0, true, starred);
    expect(el.getAttribute('aria-selected')).toBe('true');
    expect(el.dataset.over).toBe('true');
    expect(el.className).toContain('text-zinc-600');
    const star = () => (cells.get('remote') as HTMLElement).firstElementChild as HTMLElement;
    expect(star().getAttribute('aria-pressed')).toBe('true');
    // A favourite through its host: a plain star, an image.
    slot.write(r, 0, true, { ...look, favourites: favouriteSets({ flows: [], hosts: ['example.com'], programs: [] }) });
    expect(star().tagName).toBe('SPAN');
    expect(star().getAttribute('role')).toBe('img');
    expect(star().getAttribute('aria-label')).toBe('Favourite host example.com');

    slot.write(undefined, 1, false, look);
    expect(el.getAttribute('aria-busy')).toBe('true');
    expect(el.getAttribute('aria-rowindex')).toBe('3');
    expect(el.hasAttribute('id') || el.hasAttribute('data-flow-id') || el.hasAttribute('aria-selected')).toBe(false);
    expect([...cells.values()].every((c) => c.textContent === '')).toBe(true);
    expect(star().hidden).toBe(true);

    slot.write(r, 1, false, look);
    expect(el.hasAttribute('aria-busy')).toBe(false);
    expect(star().hidden).toBe(false);
    expect(cells.get('state')?.textContent).toBe('closed');

    slot.hide();
    expect(el.style.visibility).toBe('hidden');
    expect(['id', 'data-flow-id', 'aria-rowindex', 'aria-busy', 'aria-selected'].some((a) => el.hasAttribute(a))).toBe(false);
    slot.write(r, 2, false, look);
    expect(el.style.visibility).toBe('');
    expect(el.id).toBe('flow-row-9');
    expect(el.getAttribute('aria-rowindex')).toBe('4');
  });
});
