// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { numberOrder, selectRange, textOrder } from '../../../src/engine-host/view/select-range.ts';

function fullOrder(slots: number[], before: (a: number, b: number) => boolean): number[] {
  return [...slots].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
}

describe('window selection', () => {
  it('numeric keys: any window equals the same slice of a full sort (ties by slot, NaN smallest)', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.double({ noDefaultInfinity: true }), fc.constant(Number.NaN));
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 1200 }), fc.boolean(), fc.nat(), fc.nat(), (vals, desc, a, b) => {
        const keys = Float64Array.from(vals);
        const slots = vals.map((_, i) => i);
        const before = numberOrder(keys, desc);
        const want = fullOrder(slots, before);
        const lo = a % vals.length;
        const hi = lo + 1 + (b % 600);
        expect(selectRange(Int32Array.from(slots), before, lo, hi)).toEqual(want.slice(lo, hi));
      }),
      { numRuns: 300 },
    );
  });

  it('orders NaN below every number and ties by slot in both directions', () => {
    const keys = Float64Array.from([3, Number.NaN, 3, -1, Number.NaN]);
    expect(fullOrder([0, 1, 2, 3, 4], numberOrder(keys, false))).toEqual([1, 4, 3, 0, 2]);
    expect(fullOrder([0, 1, 2, 3, 4], numberOrder(keys, true))).toEqual([0, 2, 3, 1, 4]);
  });

  it('text keys, and input in reverse of the wanted order', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${String(i % 997).padStart(4, '0')}`);
    const slots = Int32Array.from(keys.keys());
    for (const desc of [false, true]) {
      const before = textOrder(keys, desc);
      const want = fullOrder([...slots], before);
      for (const [lo, hi] of [[0, 40], [10, 60], [2000, 2046], [4990, 5100]]) {
        expect(selectRange(Int32Array.from(slots), before, lo, hi)).toEqual(want.slice(lo, hi));
      }
    }
    const rising = Float64Array.from({ length: 5000 }, (_, i) => i);
    expect(selectRange(Int32Array.from(rising.keys()), numberOrder(rising, true), 0, 3)).toEqual([4999, 4998, 4997]);
    expect(selectRange(Int32Array.from([1, 2]), numberOrder(rising, true), 5, 9)).toEqual([]);
  });
});
