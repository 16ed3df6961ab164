/**
 * The `--group-by process|domain|app|country|asn` argument of `sandpiper read` (the grouping itself, with the Public Suffix
 * List, is loaded only when asked for: ./group-by.ts).
 */
import { GROUP_BYS, type GroupBy } from '../shared/flows/group-key.ts';

export const GROUP_BY_USAGE = `--group-by ${GROUP_BYS.join('|')}`;

export type GroupByArg = { ok: true; by: GroupBy | null; rest: string[] } | { ok: false; error: string };

/** Takes `--group-by X` or `--group-by=X` out of argv. */
export function parseGroupBy(argv: readonly string[]): GroupByArg {
  const rest: string[] = [];
  let by: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let v: string | undefined;
    if (a === '--group-by') {
      v = argv[++i];
      if (v === undefined) return { ok: false, error: `--group-by needs one of ${GROUP_BYS.join(', ')}` };
    } else if (a.startsWith('--group-by=')) v = a.slice('--group-by='.length);
    else {
      rest.push(a);
      continue;
    }
    if (by !== null) return { ok: false, error: '--group-by given twice' };
    by = v;
  }
  if (by === null) return { ok: true, by: null, rest };
  if (!(GROUP_BYS as readonly string[]).includes(by)) return { ok: false, error: `cannot group by '${by}': use one of ${GROUP_BYS.join(', ')}` };
  return { ok: true, by: by as GroupBy, rest };
}
