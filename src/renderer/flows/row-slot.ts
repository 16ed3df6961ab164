/**
 * A row slot of the flows table, written outside React. React renders a slot's row element and its empty cells once
 * (again only when the columns shown change); each render of the table then gives the slot the row at its position,
 * and the slot writes what differs: the row's attributes and classes, its text cells' text nodes (only when one of
 * the flow's texts changed: sameText), its star, and its numbers (RowNumbers). A scroll that brings new rows into
 * view is then text written into existing nodes, not React rendering rows. The row objects of the window are the
 * one copy of the texts: a slot keeps the row it last wrote, and the DOM holds what is shown.
 */
import type { FlowRow } from '../../shared/flow.ts';
import type { ColumnId } from '../../shared/flows/columns.ts';
import type { FavouriteSets } from '../../shared/flows/favourites.ts';
import { isClosed, localAddr, localIsSrc, localPort, protoLabel, remoteAddr, remotePort } from '../../shared/flows/endpoints.ts';
import { starLook, type StarLook } from '../components/Favourites.tsx';
import { formatEndpoint, formatFlowEndpoint } from '../format.ts';
import { NUMBER_COLUMNS, RowNumbers, numberTexts, type NumberColumnId } from './numeric-columns.ts';
import { processText } from './process-label.ts';
import { fitRemote, type Fit } from './text-fit.ts';

/** The height of every row of the table, in CSS pixels: the virtualiser's estimate, the rows' and placeholders' box. */
export const ROW_HEIGHT = 28;

export type TextColumnId = Exclude<ColumnId, NumberColumnId>;

export function rowDomId(id: number): string {
  return `flow-row-${id}`;
}

/** Whether a row is shown dimmed: its flow is over (a closed or reset TCP connection, or ended by the engine). */
export function isOver(r: FlowRow): boolean {
  return r.ended || isClosed(r);
}

/** The fields a row's text cells show. */
const TEXT_KEYS = ['id', 'state', 'ended', 'host', 'app', 'process', 'pid', 'process_hidden', 'process_unknown', 'local', 'proto', 'src', 'sport', 'dst', 'dport'] as const satisfies readonly (keyof FlowRow)[];

/**
 * Whether two versions of a flow show the same text apart from their numbers. Every update brings new row objects,
 * and nearly every one has new counters; the numbers are written on their own, so a slot writes its text cells again
 * only when one of these changed.
 */
export function sameText(a: FlowRow, b: FlowRow): boolean {
  if (a === b) return true;
  for (const k of TEXT_KEYS) if (a[k] !== b[k]) return false;
  return true;
}

/** A row's remote text in full: the host, the remote endpoint and its country code (from the offline database). */
function remoteText(r: FlowRow): string {
  const endpoint = formatFlowEndpoint(r, remoteAddr(r), remotePort(r));
  const cc = localIsSrc(r) ? r.dst_country : r.src_country;
  const remote = cc !== null ? `${endpoint} · ${cc}` : endpoint;
  return r.host ? `${r.host} · ${remote}` : remote;
}

/** A text cell marks itself with this attribute: its tooltip is its `title` only while the pointer is over it. */
export const TIPPED = 'data-tip';

/** A cell's tooltip: its `data-tip` when that holds the whole text (the remote cell, whose text may be shortened), else its text. */
export function tipText(cell: Element): string {
  return cell.getAttribute(TIPPED) || (cell.textContent ?? '');
}

/** What the rows of one render share: the favourites, the remote column's fit, and whether times carry their date. */
export interface RowLook {
  favourites: FavouriteSets;
  fit: Fit | null;
  withDate: boolean;
}

/**
 * A row's classes: its box, and its colours by selection and dimming. The dimmed colours keep WCAG AA contrast on a
 * plain and a selected row in both themes.
 */
export const ROW_CLASS = 'absolute top-0 left-0 w-full contain-size contain-layout contain-style border-b border-zinc-100 dark:border-zinc-800';
const ROW_CLASSES = [false, true].map((selected) =>
  [false, true].map(
    (over) =>
      `${ROW_CLASS} cursor-default ${selected ? 'bg-sky-100 dark:bg-sky-900/60' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800/60'}${
        over ? (selected ? ' text-zinc-600 dark:text-zinc-300' : ' text-zinc-500 dark:text-zinc-400') : ''
      }`,
  ),
);

const NO_NUMBERS: readonly string[] = NUMBER_COLUMNS.map(() => '');

/** The text node an element holds as its first child, made when it has none (a StrictMode re-attach keeps it). */
function firstText(el: Element): Text {
  const first = el.firstChild;
  return first !== null && first.nodeType === first.TEXT_NODE ? (first as Text) : el.insertBefore(el.ownerDocument.createTextNode(''), first);
}

/** Writes a text node's data when it differs; returns whether it did. */
function put(node: Text, v: string): boolean {
  if (node.data === v) return false;
  node.data = v;
  return true;
}

/** A hovered cell's title follows its new text. */
function retip(cell: Element): void {
  if (cell.hasAttribute('title')) cell.setAttribute('title', tipText(cell));
}

function attr(el: Element, name: string, v: string | null): void {
  if (v === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

/** A row element that shows no flow names none: no id, flow id, selection or dimming. */
function unname(row: HTMLElement): void {
  for (const a of ['id', 'data-flow-id', 'aria-selected', 'data-over']) attr(row, a, null);
}

interface TextCell {
  el: HTMLElement;
  text: Text;
}
/** The process cell: the name in a `<bdi>` (the process's own choice, isolated in direction), then the rest. */
interface ProcessCell extends TextCell {
  name: Text;
}
interface RemoteCell extends TextCell {
  star: HTMLElement;
  look: StarLook | null;
}

export class RowSlot {
  private readonly numbers = new RowNumbers();
  /** The number cells' refs (NUMBER_COLUMNS order): a cell attached again (its column shown again) is written on the next write. */
  readonly numberRefs: readonly ((el: Element | null) => void)[] = this.numbers.refs.map((ref) => (el: Element | null) => {
    this.shown = null;
    ref(el);
  });
  private row: HTMLElement | null = null;
  private readonly plain = new Map<TextColumnId, TextCell>();
  private process: ProcessCell | null = null;
  private remote: RemoteCell | null = null;
  /** The row last written (undefined: a placeholder; null: nothing written yet, or a cell attached since). */
  private shown: FlowRow | undefined | null = null;
  private index = -1;
  private selected = false;
  private look: RowLook | null = null;
  private hidden = false;
  private readonly refs = new Map<ColumnId, (el: HTMLElement | null) => void>();

  /** The row element's ref. */
  readonly rowRef = (el: HTMLElement | null): void => {
    this.row = el;
    this.index = -1;
    this.shown = null;
  };

  /** A text column's cell's ref: stable, so a render of the row does not detach it. */
  cellRef(id: TextColumnId): (el: HTMLElement | null) => void {
    let ref = this.refs.get(id);
    if (ref === undefined) {
      ref = (el) => this.attach(id, el);
      this.refs.set(id, ref);
    }
    return ref;
  }

  private attach(id: TextColumnId, el: HTMLElement | null): void {
    this.shown = null;
    if (id === 'remote') {
      if (el === null) return void (this.remote = null);
      const star = el.firstElementChild instanceof HTMLElement ? el.firstElementChild : el.appendChild(el.ownerDocument.createElement('button'));
      const next = star.nextSibling;
      const text = next !== null && next.nodeType === next.TEXT_NODE ? (next as Text) : el.appendChild(el.ownerDocument.createTextNode(''));
      this.remote = { el, text, star, look: null };
    } else if (id === 'process') {
      if (el === null) return void (this.process = null);
      const bdi = el.firstElementChild ?? el.appendChild(el.ownerDocument.createElement('bdi'));
      const next = bdi.nextSibling;
      const text = next !== null && next.nodeType === next.TEXT_NODE ? (next as Text) : el.appendChild(el.ownerDocument.createTextNode(''));
      this.process = { el, name: firstText(bdi), text };
    } else if (el === null) this.plain.delete(id);
    else this.plain.set(id, { el, text: firstText(el) });
  }

  /** Writes the row at position `index` (undefined: its row has not arrived, a placeholder) where it differs from what the slot shows. */
  write(r: FlowRow | undefined, index: number, selected: boolean, look: RowLook): void {
    const row = this.row;
    if (row === null) return;
    const prev = this.shown;
    if (r === prev && index === this.index && selected === this.selected && look === this.look) return;
    if (this.hidden) {
      row.style.visibility = '';
      this.hidden = false;
    }
    if (index !== this.index) {
      row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
      row.setAttribute('aria-rowindex', String(index + 2));
      this.index = index;
    }
    if (r === undefined) {
      if (prev !== undefined) this.placeholder(row);
      this.shown = undefined;
      this.look = look;
      return;
    }
    if (prev == null) attr(row, 'aria-busy', null);
    if (prev == null || prev.id !== r.id) {
      row.id = rowDomId(r.id);
      row.setAttribute('data-flow-id', String(r.id));
    }
    const over = isOver(r);
    const cls = ROW_CLASSES[selected ? 1 : 0][over ? 1 : 0];
    if (row.className !== cls) row.className = cls;
    attr(row, 'aria-selected', String(selected));
    attr(row, 'data-over', over ? 'true' : null);
    this.selected = selected;
    const texts = prev == null || !sameText(prev, r);
    if (texts) this.writeTexts(r);
    if (texts || look.fit !== this.look?.fit) this.writeRemote(r, look.fit);
    if (texts || look.favourites !== this.look?.favourites) this.writeStar(r, look.favourites);
    this.numbers.write(numberTexts(r, look.withDate));
    this.shown = r;
    this.look = look;
  }

  /**
   * A slot not needed by this render (fewer rows on screen than slots) stays in the DOM, hidden, rather than being
   * unmounted and made again a frame later: it names no row (no id, index or busy mark) until it is written again.
   * Hidden by visibility, not display: its boxes stay built, so showing it again lays out no new boxes.
   */
  hide(): void {
    const row = this.row;
    if (row === null || this.hidden) return;
    row.style.visibility = 'hidden';
    this.hidden = true;
    unname(row);
    attr(row, 'aria-rowindex', null);
    attr(row, 'aria-busy', null);
    this.shown = null;
    this.index = -1;
  }

  /** A position whose row has not arrived: the same box, no text, no star (aria-busy). */
  private placeholder(row: HTMLElement): void {
    unname(row);
    row.setAttribute('aria-busy', 'true');
    row.className = ROW_CLASS;
    for (const c of this.plain.values()) put(c.text, '');
    if (this.process !== null) {
      put(this.process.name, '');
      put(this.process.text, '');
    }
    if (this.remote !== null) {
      put(this.remote.text, '');
      this.remote.el.setAttribute(TIPPED, '');
      attr(this.remote.el, 'aria-label', null);
      this.remote.star.hidden = true;
    }
    this.numbers.write(NO_NUMBERS);
  }

  private writeTexts(r: FlowRow): void {
    const p = this.process;
    if (p !== null) {
      const text = processText(r);
      const name = r.process;
      const split = name !== null && text.startsWith(name) ? name.length : 0;
      const a = put(p.name, text.slice(0, split));
      if (put(p.text, text.slice(split)) || a) retip(p.el);
    }
    for (const [id, c] of this.plain) {
      const v = id === 'local' ? formatEndpoint(localAddr(r), localPort(r)) : id === 'proto' ? protoLabel(r) : r.state.replace('_', ' ');
      if (put(c.text, v)) retip(c.el);
    }
  }

  /** The remote text, shortened in the middle to fit its column; the full text is its tooltip and, when shortened, its name. */
  private writeRemote(r: FlowRow, fit: Fit | null): void {
    const c = this.remote;
    if (c === null) return;
    const full = remoteText(r);
    const shown = fitRemote(full, r.host, fit);
    attr(c.el, TIPPED, full);
    attr(c.el, 'aria-label', shown === full ? null : full);
    if (put(c.text, shown)) retip(c.el);
  }

  private writeStar(r: FlowRow, favourites: FavouriteSets): void {
    const c = this.remote;
    if (c === null) return;
    const look = starLook(r, favourites);
    c.star.hidden = false;
    if (look === c.look) return;
    let star = c.star;
    if (star.tagName !== (look.img ? 'SPAN' : 'BUTTON')) {
      // A plain star is an image, the flow's own a button: another element.
      const next = star.ownerDocument.createElement(look.img ? 'span' : 'button');
      star.replaceWith(next);
      star = c.star = next;
      c.look = null;
    }
    if (c.look === null) {
      if (look.img) star.setAttribute('role', 'img');
      else {
        star.setAttribute('type', 'button');
        star.tabIndex = -1;
        star.setAttribute('data-favourite-star', '');
      }
    }
    attr(star, 'aria-label', look.label);
    attr(star, 'title', look.title);
    attr(star, 'aria-pressed', look.img ? null : String(look.pressed));
    if (star.className !== look.className) star.className = look.className;
    c.look = look;
  }
}

/** The cells' order in a row's number writer (NUMBER_COLUMNS order). */
export const NUMBER_INDEX = new Map<ColumnId, number>(NUMBER_COLUMNS.map((id, i) => [id, i]));
