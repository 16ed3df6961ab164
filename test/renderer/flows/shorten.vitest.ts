import { describe, expect, it } from 'vitest';
import { shortenedFrom } from '../../../src/renderer/flows/shorten.ts';

const cut = (text: string, host: string) => [text.slice(0, shortenedFrom(text, host)), text.slice(shortenedFrom(text, host))];

describe('remote cell shortening', () => {
  it('cuts a subdomain, never the domain or the address', () => {
    expect(cut('beta.e2e.sandpiper.test · 10.0.0.1:443', 'beta.e2e.sandpiper.test')).toEqual(['beta.e2e.', 'sandpiper.test · 10.0.0.1:443']);
    expect(cut('www.example.co.uk · 192.0.2.1:443 · GB', 'www.example.co.uk')).toEqual(['www.', 'example.co.uk · 192.0.2.1:443 · GB']);
  });

  it('leaves alone what has no subdomain to give up', () => {
    for (const host of ['example.com', 'example.co.uk', 'localhost']) expect(shortenedFrom(`${host} · 192.0.2.1:80`, host)).toBe(0);
    // The text does not begin with the host (no host shown): nothing is cut.
    expect(shortenedFrom('192.0.2.1:80', 'a.b.example.com')).toBe(0);
  });
});
