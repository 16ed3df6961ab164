/**
 * A flow that is over is dimmed, but its text must still meet WCAG AA (4.5:1) in both themes, on a plain row and on
 * the selected one. The colours are the ones the row's classes name, read from Tailwind's own theme.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { row } from '../fixtures.ts';
import { renderApp } from '../render-app.tsx';

const theme = readFileSync(createRequire(import.meta.url).resolve('tailwindcss/theme.css'), 'utf8');

/** A Tailwind colour (e.g. "zinc-500", "white") as linear sRGB. */
function linearRgb(name: string): [number, number, number] {
  if (name === 'white') return [1, 1, 1];
  const m = new RegExp(`--color-${name}: oklch\\(([\\d.]+)% ([\\d.]+) ([\\d.]+|none)\\)`).exec(theme);
  if (!m) throw new Error(`no colour ${name} in tailwindcss/theme.css`);
  const L = Number(m[1]) / 100, C = Number(m[2]), h = m[3] === 'none' ? 0 : (Number(m[3]) * Math.PI) / 180;
  const a = C * Math.cos(h), b = C * Math.sin(h);
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const mm = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return [
    clamp(4.0767416621 * l - 3.3077115913 * mm + 0.2309699292 * s),
    clamp(-1.2684380046 * l + 2.6097574011 * mm - 0.3413193965 * s),
    clamp(-0.0041960863 * l - 0.7034186147 * mm + 1.707614701 * s),
  ];
}

/** Mixes a colour with opacity over a background (compositing is done on gamma-encoded values, as browsers do). */
function over(fg: [number, number, number], alpha: number, bg: [number, number, number]): [number, number, number] {
  const enc = (x: number) => (x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055);
  const dec = (x: number) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
  return [0, 1, 2].map((i) => dec(alpha * enc(fg[i]) + (1 - alpha) * enc(bg[i]))) as [number, number, number];
}

const luminance = ([r, g, b]: [number, number, number]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
function contrast(a: [number, number, number], b: [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The colour a class list gives for a utility (e.g. "text" → zinc-500), in light or dark, with its opacity. */
function classColour(classes: string, utility: string, dark: boolean): { name: string; alpha: number } | null {
  const re = new RegExp(`(?:^|\\s)${dark ? 'dark:' : ''}${utility}-([a-z]+-\\d+|white)(?:/(\\d+))?(?=\\s|$)`);
  const m = re.exec(classes);
  return m ? { name: m[1], alpha: m[2] ? Number(m[2]) / 100 : 1 } : null;
}

describe('closed rows', () => {
  it('meet 4.5:1 in light and dark, selected or not', async () => {
    const flows = [row({ id: 1, state: 'closed', process: 'curl', pid: 2 }), row({ id: 2, state: 'reset', ended: true, process: 'wget', pid: 3 })];
    const { user } = await renderApp(flows, { tab: 'flows' });
    await user.keyboard('{ArrowDown}');
    const rows = screen.getAllByRole('row').filter((r) => r.getAttribute('data-over') !== null);
    expect(rows.length).toBe(2);
    const app = document.querySelector('.h-screen')!.className;
    for (const dark of [false, true]) {
      const page = classColour(app, 'bg', dark)!;
      const pageRgb = linearRgb(page.name);
      for (const r of rows) {
        const text = classColour(r.className, 'text', dark);
        expect(text, `${dark ? 'dark' : 'light'}: the closed row names its text colour`).not.toBeNull();
        const bg = classColour(r.className, 'bg', dark);
        const bgRgb = bg === null ? pageRgb : over(linearRgb(bg.name), bg.alpha, pageRgb);
        const ratio = contrast(linearRgb(text!.name), bgRgb);
        expect(ratio, `${dark ? 'dark' : 'light'} ${r.getAttribute('aria-selected') === 'true' ? 'selected' : 'plain'} row: ${text!.name} on ${bg?.name ?? page.name}`).toBeGreaterThanOrEqual(4.5);
      }
    }
  });
});
