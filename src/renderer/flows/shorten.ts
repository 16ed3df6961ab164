/**
 * A remote cell's text ("host · address:port · CC") shortened to a width by replacing a middle part with "…": the
 * host's subdomains give way first (whole labels, the first one kept while it can be), then the start of its
 * registrable domain; the address, its port and the country code are never cut. Pure: widths come from `measure`.
 */

/** The width of a text as the cell would lay it out, in CSS pixels. */
export type Measure = (text: string) => number;

export const ELLIPSIS = '…';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Where a host's registrable domain begins: its last two labels, or three when the second-to-last is a short
 * second-level label such as co.uk or com.au. The renderer carries no public suffix list (tldts would add about a
 * third to its bundle); this keeps at least the registrable domain in the common cases and a little more in the
 * rest. 0: the whole host is its domain (two labels or fewer, or an address).
 */
export function domainStart(host: string): number {
  if (host.includes(':') || IPV4.test(host)) return 0;
  const labels = host.split('.');
  const keep = labels.length > 2 && labels[labels.length - 2].length <= 3 ? 3 : 2;
  if (labels.length <= keep) return 0;
  return host.length - labels.slice(-keep).join('.').length;
}

/**
 * `text` as it fits in `room` pixels: itself when it fits, else with a middle part replaced by "…". `host` is the
 * name the text begins with (null: no name, only the address, which is never cut). When even the address alone does
 * not fit, the shortest form ("…" and the address) is returned and the cell's own overflow clips it.
 */
export function shortenRemote(text: string, host: string | null, room: number, measure: Measure): string {
  if (measure(text) <= room || host === null || host === '' || !text.startsWith(host) || host.includes(':') || IPV4.test(host)) return text;
  const rest = text.slice(host.length);
  const cut = domainStart(host);
  const domain = host.slice(cut);
  // Subdomains, fewest labels given up first; for each number, those after the first label before the leading ones
  // (a.b.c.example.com: a…c.example.com, …b.c.example.com, a…example.com, …c.example.com, then …example.com; the
  // "…" stands for the labels and dots it replaces).
  if (cut > 0) {
    const subs = host.slice(0, cut - 1).split('.');
    for (let drop = 1; drop <= subs.length; drop++) {
      const after = (from: number) => subs.slice(from).map((l) => `${l}.`).join('');
      if (drop < subs.length) {
        const inner = `${subs[0]}${ELLIPSIS}${after(1 + drop)}${domain}${rest}`;
        if (measure(inner) <= room) return inner;
      }
      const leading = ELLIPSIS + after(drop) + domain + rest;
      if (measure(leading) <= room) return leading;
    }
  }
  // Then the domain's start, a character at a time (a binary search: the width grows with the characters kept).
  let lo = 0;
  let hi = domain.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(ELLIPSIS + tail(domain, mid) + rest) <= room) lo = mid;
    else hi = mid - 1;
  }
  return ELLIPSIS + tail(domain, lo) + rest;
}

/** The last `n` code units of `s`, less one when they would begin inside a surrogate pair. */
function tail(s: string, n: number): string {
  const from = s.length - n;
  const c = s.charCodeAt(from);
  return s.slice(c >= 0xdc00 && c <= 0xdfff ? from + 1 : from);
}
