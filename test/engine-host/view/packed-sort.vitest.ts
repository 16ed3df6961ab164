// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sortByNumber, sortByText } from '../../../src/engine-host/view/packed-sort.ts';

function reference(ids: number[], keys: ArrayLike<number | string>, desc: boolean): number[] {
  const pos = ids.map((_, i) => i);
  pos.sort((a, b) => {
    const ka = keys[a];
    const kb = keys[b];
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return (desc ? -c : c) || a - b;
  });
  return pos.map((i) => ids[i]);
}

describe('packed numeric sort', () => {
  it('orders integers exactly, ascending and descending, ties in previous order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 34 }), { maxLength: 300 }), fc.boolean(), (vals, desc) => {
        const ids = vals.map((_, i) => 1000 + i);
        expect(sortByNumber(ids, Float64Array.from(vals), desc)).toEqual(reference(ids, vals, desc));
      }),
    );
  });

  it('orders floats such as timestamps with microseconds', () => {
    const vals = [1_700_000_000.000002, 1_700_000_000.000001, 1_700_000_000.5, 1_699_999_999.999999];
    expect(sortByNumber([0, 1, 2, 3], Float64Array.from(vals), false)).toEqual([3, 1, 0, 2]);
    expect(sortByNumber([0, 1, 2, 3], Float64Array.from(vals), true)).toEqual([2, 0, 1, 3]);
  });

  it('keeps order when all keys are equal and handles tiny inputs', () => {
    expect(sortByNumber([5, 3, 9], Float64Array.from([1, 1, 1]), true)).toEqual([5, 3, 9]);
    expect(sortByNumber([], new Float64Array(0), false)).toEqual([]);
    expect(sortByNumber([7], Float64Array.from([3]), false)).toEqual([7]);
  });

  it('works beyond 2^17 rows', () => {
    const n = 140_000;
    const ids = Array.from({ length: n }, (_, i) => i);
    const keys = Float64Array.from(ids, (i) => (i * 7919) % n);
    const out = sortByNumber(ids, keys, false);
    let misordered = 0;
    for (let i = 1; i < n; i++) if (keys[out[i - 1]] > keys[out[i]]) misordered++;
    expect(misordered).toBe(0);
    expect(new Set(out).size).toBe(n);
  });
});

describe('text sort', () => {
  it('matches a stable reference sort', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 4 }), { maxLength: 200 }), fc.boolean(), (vals, desc) => {
        const ids = vals.map((_, i) => i * 3);
        expect(sortByText(ids, vals, desc)).toEqual(reference(ids, vals, desc));
      }),
    );
  });
});
