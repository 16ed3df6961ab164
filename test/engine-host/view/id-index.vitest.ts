// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdIndex } from '../../../src/engine-host/view/id-index.ts';

describe('flow id index', () => {
  it('behaves like a Map for any ids: dense bands, far-off, negative, huge and fractional ids', () => {
    const id = fc.oneof(
      fc.integer({ min: 1, max: 3000 }),
      fc.integer({ min: 1_000_000, max: 1_000_100 }),
      fc.integer({ min: -50, max: 0 }),
      fc.constantFrom(2 ** 40, 2 ** 53 - 1, 0.5, 7.25),
    );
    const op = fc.record({ kind: fc.constantFrom('set' as const, 'set' as const, 'delete' as const, 'clear' as const, 'rebuild' as const), id, slot: fc.nat(100_000) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const ix = new IdIndex();
        const ref = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            ix.set(o.id, o.slot);
            ref.set(o.id, o.slot);
          } else if (o.kind === 'delete') {
            ix.delete(o.id);
            ref.delete(o.id);
          } else if (o.kind === 'clear') {
            ix.clear();
            ref.clear();
          } else ix.rebuild(ref.entries());
          expect(ix.size).toBe(ref.size);
        }
        for (const [k, v] of ref) expect(ix.get(k)).toBe(v);
        for (const o of ops) if (!ref.has(o.id)) expect(ix.get(o.id)).toBe(-1);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps 100 k sequential ids, added out of order, findable', () => {
    const ix = new IdIndex();
    const ids = Array.from({ length: 100_000 }, (_, i) => 5_000_000 + ((i * 7919) % 100_000));
    ids.forEach((id, slot) => ix.set(id, slot));
    expect(ix.size).toBe(100_000);
    ids.forEach((id, slot) => expect(ix.get(id)).toBe(slot));
    expect(ix.get(4_999_999)).toBe(-1);
  });
});
