// @vitest-environment node
/** The page's <meta> CSP must say what the app:// protocol's header says (meta cannot carry frame-ancestors). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function directives(policy: string): string[] {
  return policy
    .split(';')
    .map((d) => d.trim().replace(/\s+/g, ' '))
    .filter((d) => d !== '');
}

describe('renderer CSP meta tag', () => {
  it('equals the response header minus frame-ancestors', () => {
    const html = readFileSync(path.join(root, 'src/renderer/index.html'), 'utf8');
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)];
    expect(metas.length).toBe(1);
    const header = directives(CONTENT_SECURITY_POLICY).filter((d) => !d.startsWith('frame-ancestors'));
    expect(directives(metas[0][1])).toEqual(header);
    expect(header.length).toBeGreaterThan(10);
  });
});
