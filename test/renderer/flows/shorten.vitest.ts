import { describe, expect, it } from 'vitest';
import { domainStart, shortenRemote, summedMeasure, ELLIPSIS, MAX_CHARS } from '../../../src/renderer/flows/shorten.ts';

// Every character 7 px wide, but "W" and "…" 14 and "." 3 (widths are the measure's, not the character count).
const measure = (s: string) => [...s].reduce((w, c) => w + (c === 'W' || c === '…' ? 14 : c === '.' ? 3 : 7), 0);
const chars = (n: number) => n * 7;

const HOST = 'api.eu-west-1.storage.example.com';
const REST = ' · 203.0.113.9:443 · DE';
const TEXT = HOST + REST;

describe('the registrable domain of a host name (renderer heuristic)', () => {
  it('keeps the last two labels, or three under a short second-level label', () => {
    expect(HOST.slice(domainStart(HOST))).toBe('example.com');
    expect('www.example.co.uk'.slice(domainStart('www.example.co.uk'))).toBe('example.co.uk');
    expect('other.e2e.sandpiper.test'.slice(domainStart('other.e2e.sandpiper.test'))).toBe('sandpiper.test');
  });

  it('is the whole host when there is no subdomain, or for an address', () => {
    for (const host of ['example.com', 'example.co.uk', 'localhost', '192.0.2.1', '2001:db8::1']) expect(domainStart(host)).toBe(0);
  });
});

describe('a remote cell text shortened in the middle', () => {
  it('is left whole when it fits', () => {
    expect(shortenRemote(TEXT, HOST, measure(TEXT), measure)).toBe(TEXT);
    expect(shortenRemote(TEXT, HOST, 10_000, measure)).toBe(TEXT);
  });

  it('gives up the labels after the first before the leading one, a label at a time', () => {
    // One character short: the label after the first goes.
    expect(shortenRemote(TEXT, HOST, measure(TEXT) - 1, measure)).toBe(`api${ELLIPSIS}storage.example.com${REST}`);
    const oneGone = `api${ELLIPSIS}storage.example.com${REST}`;
    // Narrower than that: the leading label goes instead of the one after it (still one label given up).
    const leading = `${ELLIPSIS}eu-west-1.storage.example.com${REST}`;
    expect(measure(leading)).toBeGreaterThan(measure(oneGone));
    expect(shortenRemote(TEXT, HOST, measure(oneGone) - 1, measure)).toBe(`api${ELLIPSIS}example.com${REST}`);
    // Then every subdomain but as many of the host's first characters as fit ("…storage.example.com" is wider than
    // "api…example.com", so it fits no better).
    expect(shortenRemote(TEXT, HOST, measure(`api${ELLIPSIS}example.com${REST}`) - 1, measure)).toBe(`ap${ELLIPSIS}example.com${REST}`);
    expect(shortenRemote(TEXT, HOST, measure(`a${ELLIPSIS}example.com${REST}`) - 1, measure)).toBe(`${ELLIPSIS}example.com${REST}`);
  });

  it('keeps the first characters of hosts that differ only there, rather than none', () => {
    const rest = ' · 10.213.192.2:443';
    const names = ['secure.e2e.sandpiper.test', 'other.e2e.sandpiper.test', 'web.e2e.sandpiper.test'];
    const room = measure(`${ELLIPSIS}e2e.sandpiper.test${rest}`) - 1;
    const shown = names.map((h) => shortenRemote(h + rest, h, room, measure));
    expect(shown).toEqual([`sec${ELLIPSIS}sandpiper.test${rest}`, `oth${ELLIPSIS}sandpiper.test${rest}`, `web${ELLIPSIS}sandpiper.test${rest}`]);
    // A single subdomain likewise.
    const www = `www.example.com${rest}`;
    expect(shortenRemote(www, 'www.example.com', measure(www) - 1, measure)).toBe(`w${ELLIPSIS}example.com${rest}`);
  });

  it('drops a long leading label before a short one after it when that is what fits', () => {
    const host = 'e3a1b2c4d5f6a7b8c9.cdn.example.com';
    const text = host + REST;
    // Room for "…cdn.example.com" but not for the 18-character first label with "…".
    const room = measure(`${ELLIPSIS}cdn.example.com${REST}`);
    expect(shortenRemote(text, host, room, measure)).toBe(`${ELLIPSIS}cdn.example.com${REST}`);
  });

  it('keeps the registrable domain, the address, its port and the country whenever they fit', () => {
    for (let room = measure(`${ELLIPSIS}example.com${REST}`); room < measure(TEXT); room += 3) {
      const shown = shortenRemote(TEXT, HOST, room, measure);
      expect(measure(shown)).toBeLessThanOrEqual(room);
      expect(shown.endsWith(`example.com${REST}`)).toBe(true);
      expect(shown).toContain(ELLIPSIS);
    }
  });

  it('then cuts the start of the domain, never the address', () => {
    const room = measure(`${ELLIPSIS}ple.com${REST}`) + chars(1) - 1;
    expect(shortenRemote(TEXT, HOST, room, measure)).toBe(`${ELLIPSIS}ple.com${REST}`);
    // Not even the address fits: the address stays whole (the cell clips what overflows).
    expect(shortenRemote(TEXT, HOST, chars(5), measure)).toBe(`${ELLIPSIS}${REST}`);
    expect(shortenRemote(TEXT, HOST, 0, measure)).toBe(`${ELLIPSIS}${REST}`);
  });

  it('measures with the measure, not by counting characters', () => {
    const host = 'WWW.WWW.example.com';
    const text = host + REST;
    const shown = shortenRemote(text, host, measure(text) - 1, measure);
    expect(shown).toBe(`WWW${ELLIPSIS}example.com${REST}`);
    expect(measure(shown)).toBeLessThan(measure(text));
  });

  it('shortens a host that is its own domain from its start only when it must', () => {
    const host = 'a-very-long-registrable-name.example';
    const text = host + REST;
    expect(shortenRemote(text, host, measure(text), measure)).toBe(text);
    const shown = shortenRemote(text, host, measure(text) - 1, measure);
    expect(shown).toBe(`${ELLIPSIS}ery-long-registrable-name.example${REST}`);
  });

  it('leaves alone a text with no name, or an address as its host', () => {
    const addressOnly = '[2001:db8:1234:5678:9abc:def0:1234:5678]:443 · DE';
    expect(shortenRemote(addressOnly, null, 10, measure)).toBe(addressOnly);
    expect(shortenRemote(addressOnly, '', 10, measure)).toBe(addressOnly);
    expect(shortenRemote('192.0.2.1 · 192.0.2.1:80', '192.0.2.1', 10, measure)).toBe('192.0.2.1 · 192.0.2.1:80');
    // A host the text does not begin with is not the text's to cut.
    expect(shortenRemote('203.0.113.9:443', HOST, 10, measure)).toBe('203.0.113.9:443');
  });

  it('never splits a character made of two code units', () => {
    const host = 'x.😀😀😀😀.example';
    const text = host + REST;
    for (let room = 0; room < measure(text); room += 1) {
      const shown = shortenRemote(text, host, room, measure);
      expect(shown).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });
});

describe('the summed text measure', () => {
  it('adds up character widths, asking for each character once', () => {
    const asked: string[] = [];
    const measure = summedMeasure((ch) => {
      asked.push(ch);
      return ch === 'W' ? 10 : 5;
    }, new Map());
    expect(measure('WaW')).toBe(25);
    expect(measure('aWa')).toBe(20);
    expect(measure('')).toBe(0);
    expect(asked).toEqual(['W', 'a']);
  });

  it('measures a surrogate pair as one character, and a lone surrogate as itself', () => {
    const asked: string[] = [];
    const measure = summedMeasure((ch) => {
      asked.push(ch);
      return 8;
    }, new Map());
    expect(measure('a😀b')).toBe(24);
    expect(asked).toEqual(['a', '😀', 'b']);
    expect(measure('\uD83D')).toBe(8);
    // A high surrogate before an ordinary character is a character of its own, and so is that one.
    expect(measure('\uD83Dx')).toBe(16);
  });

  it('keeps at most MAX_CHARS widths', () => {
    const cache = new Map<number, number>();
    const measure = summedMeasure(() => 1, cache);
    let text = '';
    for (let c = 0x4e00; c < 0x4e00 + MAX_CHARS + 10; c++) text += String.fromCharCode(c);
    expect(measure(text)).toBe(MAX_CHARS + 10);
    expect(cache.size).toBeLessThanOrEqual(MAX_CHARS);
  });
});
