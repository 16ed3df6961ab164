/**
 * The renderer's cost of fitting remote cells to their column (src/renderer/flows/shorten.ts, with the summed
 * measure text-fit.ts uses), per frame of 40 rows coming into view as the table scrolls: rows with long, medium and short
 * names and without one, IPv4 and IPv6 addresses, at the Remote column's room at 1024 px (188 px of text) and at
 * 1400 px (326 px). Widths are a table by character class standing for the cells' 14 px sans-serif (the canvas is
 * asked once per character in the app; the cache is warm after the first frame here as there). Budget
 * (`meetsTarget`): at most 0.25 ms per 40-row frame at the median, 1.5% of a 60 Hz frame.
 * `BENCH_ROUNDS=N node bench/run.mjs remote-fit`. Writes bench/results/remote-fit.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { shortenRemote, summedMeasure } from '../src/renderer/flows/shorten.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROWS_PER_FRAME = 40;
const FRAMES = 2000;
const TARGET_MS = 0.25;
const ROOMS = { '1024px': 188, '1400px': 326 } as const;

/** Approximate advances of a 14 px sans-serif by character class. */
function widthOf(ch: string): number {
  if (ch === '…') return 14;
  if (/[0-9]/.test(ch)) return 7.8;
  if (/[a-z]/.test(ch)) return /[ijlt]/.test(ch) ? 3.5 : /[mw]/.test(ch) ? 11 : 7.2;
  if (/[A-Z]/.test(ch)) return 9.2;
  return 3.9;
}

/** Remote cell texts as rowTexts makes them: "host · address:port · CC", or the address alone. */
function rows(n: number): { text: string; host: string | null }[] {
  const out: { text: string; host: string | null }[] = [];
  for (let i = 0; i < n; i++) {
    const addr = i % 4 === 0 ? `[2001:db8:${(i % 65536).toString(16)}::${(i % 251).toString(16)}]:443` : `203.0.${i % 256}.${(i * 7) % 256}:${[443, 80, 53, 8443][i % 4]}`;
    const rest = ` · ${addr} · ${['US', 'DE', 'GB', 'FR'][i % 4]}`;
    let host: string | null;
    switch (i % 5) {
      case 0: host = `r${i % 9}---sn-${(i * 2654435761 >>> 0).toString(36)}.googlevideo-like.example.com`; break;
      case 1: host = `login.eu-west-${i % 3}.accounts.internal.shop-${i % 97}.co.uk`; break;
      case 2: host = `api-${i % 13}.example.org`; break;
      case 3: host = `www.example${i % 7}.net`; break;
      default: host = null;
    }
    out.push({ text: host === null ? rest.slice(3) : host + rest, host });
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const all = rows(FRAMES * ROWS_PER_FRAME);
const results: Record<string, { msPerFrame: number[]; medianMsPerFrame: number; shortenedShare: number }> = {};
let sink = 0;
for (const [name, room] of Object.entries(ROOMS)) {
  const measure = summedMeasure(widthOf, new Map());
  let shortened = 0;
  for (const r of all) if (shortenRemote(r.text, r.host, room, measure) !== r.text) shortened++;
  const msPerFrame: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    for (const r of all) sink += shortenRemote(r.text, r.host, room, measure).length;
    msPerFrame.push((performance.now() - t) / FRAMES);
  }
  results[name] = { msPerFrame, medianMsPerFrame: median(msPerFrame), shortenedShare: shortened / all.length };
  console.log(`${name} (${room} px of text): ${(median(msPerFrame) * 1000).toFixed(1)} µs per ${ROWS_PER_FRAME}-row frame (median of ${ROUNDS}), ${Math.round((100 * shortened) / all.length)}% of rows shortened`);
}
const meetsTarget = Object.values(results).every((r) => r.medianMsPerFrame <= TARGET_MS);
console.log(`target ≤ ${TARGET_MS} ms per frame: ${meetsTarget ? 'met' : 'NOT met'} (${sink > 0 ? 'checked' : ''})`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/remote-fit.json'), JSON.stringify({ rowsPerFrame: ROWS_PER_FRAME, frames: FRAMES, rounds: ROUNDS, targetMs: TARGET_MS, meetsTarget, results }, null, 2));
if (!meetsTarget) process.exitCode = 1;
