/**
 * A stand-in engine for session tests: each input byte is one "packet" of flow id = byte value (0..253);
 * 0xFE removes the flow last touched; 0xFF is corruption (throws CaptureFormatError at that byte's stream offset).
 */
import { CaptureFormatError } from '../../src/engine/capture-format-error.ts';
import type { FlowRow } from '../../src/shared/flow.ts';
import type { EngineCounters, SessionEngine } from '../../src/engine-host/types.ts';

export function makeRow(id: number, over: Partial<FlowRow> = {}): FlowRow {
  return {
    type: 'flow', id, proto: 'tcp', src: '10.0.0.1', sport: 40000 + id, dst: '10.0.0.2', dport: 443,
    packets_fwd: 0, bytes_fwd: 0, packets_rev: 0, bytes_rev: 0, first_seen: 1000, last_seen: 1000,
    state: 'established', app: 'tls', host: `h${id}.example`, dns_queries: [], pid: null, process: null,
    sni: `h${id}.example`, alpn: [], http_host: null, ssh_client: null, ssh_server: null, dns_answers: [], dns_rcode: null,
    rate_fwd_1s: 0, rate_rev_1s: 0, rate_fwd_10s: 0, rate_rev_10s: 0, exe: null, user: null, process_hidden: false, local: null, ended: false,
    ...over,
  };
}

export class FakeEngine implements SessionEngine {
  readonly rows = new Map<number, FlowRow>();
  private changed = new Set<number>();
  private removed: number[] = [];
  private offset = 0;
  private last = -1;
  packets = 0;
  ended = false;
  drains = 0;

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++, this.offset++) {
      const b = chunk[i];
      if (b === 0xff) throw new CaptureFormatError('corrupt record', this.offset);
      if (b === 0xfe) {
        if (this.rows.delete(this.last)) {
          this.removed.push(this.last);
          this.changed.delete(this.last);
        }
        continue;
      }
      this.packets++;
      const row = this.rows.get(b) ?? makeRow(b);
      row.packets_fwd++;
      row.bytes_fwd += 100;
      row.last_seen = 1000 + this.packets / 1000;
      this.rows.set(b, row);
      this.changed.add(b);
      this.last = b;
    }
  }

  end(): void {
    this.ended = true;
  }

  drainChanged(): FlowRow[] {
    this.drains++;
    const out = [...this.changed].map((id) => ({ ...this.rows.get(id)! }));
    this.changed.clear();
    return out;
  }

  drainRemoved(): number[] {
    const r = this.removed;
    this.removed = [];
    return r;
  }

  snapshot(): FlowRow[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  counters(): EngineCounters {
    return { packets: this.packets, bytes: this.packets * 100, flows: this.rows.size, firstTs: this.packets ? 1000 : null, lastTs: this.packets ? 1000 + this.packets / 1000 : null };
  }
}
