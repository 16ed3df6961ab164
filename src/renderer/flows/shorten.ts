/**
 * A remote cell's text ("host · address:port · CC") shortened to a width by replacing a middle part with "…": the
 * host's subdomains give way first (whole labels, the first one kept while it can be, then all but the host's first
 * characters), then the start of its registrable domain; the address, its port and the country code are never cut. Pure: widths come from a `measure`,
 * such as the summed one here that text-fit.ts builds on its canvas.
 */

/** The width of a text as the cell would lay it out, in CSS pixels. */
export type Measure = (text: string) => number;

export const ELLIPSIS = '…';

/** Distinct characters whose widths are kept; a name of many scripts starts the cache over rather than growing it. */
export const MAX_CHARS = 4096;
/** Widths of code points below this (ASCII, Latin-1, Latin Extended) are kept in an array, the others in a map. */
const LATIN_CACHE = 0x250;

/**
 * A measure that adds up the widths of a text's characters, each asked of `widthOf` once and kept: the first
 * LATIN_CACHE code points in an array, the rest in `cache` (at most MAX_CHARS of them). Kerning between characters
 * is left out: it mostly narrows a text, and the room the caller gives leaves slack for the rest.
 */
export function summedMeasure(widthOf: (ch: string) => number, cache: Map<number, number>): Measure {
  const latin = new Float64Array(LATIN_CACHE).fill(-1);
  const width = (code: number): number => {
    if (code < LATIN_CACHE) {
      const w = latin[code];
      return w >= 0 ? w : (latin[code] = widthOf(String.fromCharCode(code)));
    }
    let w = cache.get(code);
    if (w === undefined) {
      w = widthOf(String.fromCodePoint(code));
      if (cache.size >= MAX_CHARS) cache.clear();
      cache.set(code, w);
    }
    return w;
  };
  return (text: string) => {
    let w = 0;
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      // A pair of surrogates is one character.
      if (isHigh(code) && isLow(text.charCodeAt(i + 1))) code = text.codePointAt(i++) as number;
      w += width(code);
    }
    return w;
  };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Whether a host is an address (IPv6 has colons, IPv4 four numbers), which has no labels to give way. */
function isAddress(host: string): boolean {
  return host.includes(':') || IPV4.test(host);
}

/**
 * Where a host's registrable domain begins: its last two labels, or three when the second-to-last is a short
 * second-level label such as co.uk or com.au. The renderer carries no public suffix list (tldts would add about a
 * third to its bundle); this keeps at least the registrable domain in the common cases and a little more in the
 * rest. 0: the whole host is its domain (two labels or fewer, or an address).
 */
export function domainStart(host: string): number {
  if (isAddress(host)) return 0;
  const labels = host.split('.');
  const keep = labels.length > 2 && labels[labels.length - 2].length <= 3 ? 3 : 2;
  if (labels.length <= keep) return 0;
  return host.length - labels.slice(-keep).join('.').length;
}

/**
 * `text` as it fits in `room` pixels: itself when it fits, else with a middle part replaced by "…". `host` is the
 * name the text begins with (null: no name, only the address, which is never cut). When even the address alone does
 * not fit, the shortest form ("…" and the address) is returned and the cell's own overflow clips it. `measure` must
 * add up (a text is as wide as its parts together, as text-fit's summed measure is): candidates are weighed by the
 * widths of their parts, and only the one chosen is built.
 */
export function shortenRemote(text: string, host: string | null, room: number, measure: Measure): string {
  if (host === null || host === '' || !text.startsWith(host) || isAddress(host) || measure(text) <= room) return text;
  const rest = text.slice(host.length);
  const restW = measure(rest);
  const cut = domainStart(host);
  const domain = host.slice(cut);
  const domainW = measure(domain);
  const subs = cut > 0 ? host.slice(0, cut - 1).split('.') : [];
  // Each subdomain label with the dot after it; after[i]: labels i.. together.
  const dotW = measure('.');
  const after = new Array<number>(subs.length + 1).fill(0);
  for (let i = subs.length - 1; i >= 0; i--) after[i] = after[i + 1] + measure(subs[i]) + dotW;
  const fixed = measure(ELLIPSIS) + domainW + restW;
  // Subdomains, fewest labels given up first; for each number, those after the first label before the leading ones
  // (a.b.c.example.com: a…c.example.com, …b.c.example.com, a…example.com, …c.example.com; the "…" stands for the
  // labels and dots it replaces).
  const firstW = subs.length > 0 ? after[0] - after[1] - dotW : 0;
  for (let drop = 1; drop < subs.length; drop++) {
    if (firstW + after[1 + drop] + fixed <= room) return `${subs[0]}${ELLIPSIS}${labelsFrom(subs, 1 + drop)}${domain}${rest}`;
    if (after[drop] + fixed <= room) return ELLIPSIS + labelsFrom(subs, drop) + domain + rest;
  }
  // No whole label fits beside the domain: the room left holds the host's first characters, which tell one
  // subdomain from another (secu…example.com), or none (…example.com).
  if (subs.length > 0 && fixed <= room) {
    let left = room - fixed;
    let to = 0;
    while (to < cut - 1) {
      const step = isHigh(host.charCodeAt(to)) && isLow(host.charCodeAt(to + 1)) ? 2 : 1;
      const w = measure(host.slice(to, to + step));
      if (w > left) break;
      left -= w;
      to += step;
    }
    // Within the first label: had all of it fitted, a candidate above would have.
    return host.slice(0, to) + ELLIPSIS + domain + rest;
  }
  // Then the domain's start: as many of its last characters as fit (a pair of surrogates is one character).
  let left = room - (fixed - domainW);
  let from = domain.length;
  while (from > 0) {
    const step = from >= 2 && isLow(domain.charCodeAt(from - 1)) && isHigh(domain.charCodeAt(from - 2)) ? 2 : 1;
    const w = measure(domain.slice(from - step, from));
    if (w > left) break;
    left -= w;
    from -= step;
  }
  return ELLIPSIS + domain.slice(from) + rest;
}

/** Labels `from` on, each followed by its dot. */
function labelsFrom(labels: readonly string[], from: number): string {
  let s = '';
  for (let i = from; i < labels.length; i++) s += `${labels[i]}.`;
  return s;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
