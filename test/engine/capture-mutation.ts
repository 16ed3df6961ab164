/** Shared by the engine fuzzers: captures mutated from seeds, and feeding one to a fresh engine in random chunks. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createEngine, CaptureFormatError, type Engine } from '../../src/engine/index.ts';

export const MAX_FLOWS = 16;

/** Chunk sizes to push a capture in (none: all at once). */
export const chunking = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 0, maxLength: 5 });

/** A seed with bytes flipped, a random run spliced in, and possibly cut short. */
export function mutatedCapture(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.record({
    seed: fc.nat(seeds.length - 1),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
    cut: fc.option(fc.nat()),
    splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 }))),
  }).map((m) => {
    let b = seeds[m.seed].slice();
    for (const [pos, v] of m.flips) b[pos % b.length] = v;
    if (m.splice) {
      const at = m.splice[0] % (b.length + 1);
      b = Uint8Array.from([...b.subarray(0, at), ...m.splice[1], ...b.subarray(at)]);
    }
    if (m.cut !== null) b = b.subarray(0, m.cut % (b.length + 1));
    return b;
  });
}

/**
 * Feeds bytes in the given chunk sizes to an engine bounded to MAX_FLOWS; returns the error if any, rethrowing
 * anything but CaptureFormatError. Every flow must still render, and `check` sees the engine, whatever happened.
 */
export function feed(bytes: Uint8Array, chunks: number[], check?: (e: Engine) => void): CaptureFormatError | null {
  const e = createEngine({ maxFlows: MAX_FLOWS });
  try {
    let i = 0;
    for (let c = 0; i < bytes.length; c++) {
      const n = chunks.length ? chunks[c % chunks.length] : bytes.length;
      e.push(bytes.subarray(i, i + n));
      i += n;
    }
    e.end();
  } catch (err) {
    if (err instanceof CaptureFormatError) return err;
    throw err;
  } finally {
    for (const f of e.flows()) e.toRow(f);
    assert.ok(e.stats.liveFlows <= MAX_FLOWS);
    check?.(e);
  }
  return null;
}
