/**
 * `sandpiper read FILE --group-by process|domain|app|country|asn [--json]`: the file's flows totalled by group with the
 * Overview's grouping (src/engine/aggregate.ts), largest first by bytes. JSON: one line per group,
 *   {"type":"group","key":…,"flows":…,"packets_fwd":…,"bytes_fwd":…,"packets_rev":…,"bytes_rev":…}
 * (key null: no process known, or a private/special remote address for country and asn), whose counts add up to the flows'; text: an aligned table.
 */
import { GroupTotals, groupKey } from '../engine/aggregate.ts';
import type { FlowRecord } from '../shared/flow.ts';
import type { GroupBy } from '../shared/flows/group-key.ts';

/** A `group` line of `read --group-by --json`. */
export interface GroupRecord {
  type: 'group';
  key: string | null;
  flows: number;
  packets_fwd: number;
  bytes_fwd: number;
  packets_rev: number;
  bytes_rev: number;
}

const HEAD = ['FLOWS', 'PKTS>', 'BYTES>', 'PKTS<', 'BYTES<'];

export class GroupPrinter {
  private readonly totals = new GroupTotals();
  private readonly by: GroupBy;

  constructor(by: GroupBy) {
    this.by = by;
  }

  add(r: FlowRecord): void {
    const t = this.totals;
    t.add(t.groupOf(groupKey(this.by, r)), r.packets_fwd, r.bytes_fwd, r.packets_rev, r.bytes_rev);
  }

  /** The groups, largest first. */
  records(): GroupRecord[] {
    const t = this.totals;
    return t.top(t.size, 'bytes').map((g) => ({
      type: 'group',
      key: t.keys[g],
      flows: t.flows[g],
      packets_fwd: t.packetsA[g],
      bytes_fwd: t.bytesA[g],
      packets_rev: t.packetsB[g],
      bytes_rev: t.bytesB[g],
    }));
  }

  /** Prints the groups: JSON lines, or a table whose key column is as wide as its longest key. */
  print(line: (s: string) => void, json: boolean): void {
    const groups = this.records();
    if (json) {
      for (const g of groups) line(JSON.stringify(g));
      return;
    }
    const keyOf = (g: GroupRecord) => g.key ?? '(unknown)';
    const rows = groups.map((g) => [keyOf(g), String(g.flows), String(g.packets_fwd), String(g.bytes_fwd), String(g.packets_rev), String(g.bytes_rev)]);
    const head = [this.by.toUpperCase(), ...HEAD];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    // The key reads left to right; numbers line up on their last digit.
    const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : c.padStart(widths[i]))).join('  ').trimEnd();
    line(fmt(head));
    for (const r of rows) line(fmt(r));
  }
}
