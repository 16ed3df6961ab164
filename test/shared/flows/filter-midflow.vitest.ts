// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { parseFilterQuery } from '../../../src/shared/flows/filter-query.ts';
import { row } from '../fixtures.ts';

describe('the mid-flow state in the flows filter', () => {
  const rows = [row({ id: 1, state: 'mid-flow' }), row({ id: 2, state: 'established' }), row({ id: 3, state: 'closed' })];
  const match = (q: string) => {
    const r = parseFilterQuery(q);
    if (!r.ok) throw new Error(r.error);
    return rows.filter((x) => r.predicate?.(x) ?? true).map((x) => x.id);
  };
  it('state:mid-flow selects it, -state:mid-flow leaves it out, state:open counts it as open', () => {
    expect(match('state:mid-flow')).toEqual([1]);
    expect(match('-state:mid-flow')).toEqual([2, 3]);
    expect(match('state:open')).toEqual([1, 2]);
  });
});
