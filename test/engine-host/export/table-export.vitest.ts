// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { csvField, exportTable, tableToCsv, tableToJson } from '../../../src/engine-host/export/table-export.ts';
import { FlowJsonWriter } from '../../../src/engine/flow-json.ts';
import type { FlowRecord } from '../../../src/shared/flow.ts';
import { row } from '../../shared/fixtures.ts';

/** The CLI's own `read --json` flow line for a record. */
function cliLine(r: FlowRecord): string {
  const chunks: Buffer[] = [];
  const w = new FlowJsonWriter((c) => chunks.push(Buffer.from(c)));
  w.flow(r);
  w.flush();
  return Buffer.concat(chunks).toString('utf8').trimEnd();
}

/** A minimal RFC 4180 reader, to check the writer's output round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let rowCells: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      cell += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { rowCells.push(cell); cell = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { rowCells.push(cell); rows.push(rowCells); rowCells = []; cell = ''; i += 2; continue; }
    cell += c; i++;
  }
  if (cell !== '' || rowCells.length > 0) { rowCells.push(cell); rows.push(rowCells); }
  return rows;
}

const tricky = row({ id: 7, process: 'a "quoted", odd\r\nname', host: 'example.test', dns_queries: ['a.test', 'b.test'], dns_queries_dropped: 3 });
const tunneled = row({ id: 8, tunnel: { kinds: ['gre', 'vxlan'], src: '10.0.0.1', dst: '10.0.0.2' } });

describe('table export', () => {
  it('JSON: each flow is exactly its read --json line (fields and key order)', () => {
    const rows = [tricky, tunneled, row({ id: 9 })];
    const parsed = JSON.parse(tableToJson(rows)) as unknown[];
    expect(parsed).toHaveLength(3);
    rows.forEach((r, i) => {
      expect(JSON.stringify(parsed[i])).toBe(cliLine({ ...r, tunnel: r.tunnel ?? null }));
      // Detail-only fields of the row stay out.
      expect(Object.keys(parsed[i] as object)).not.toContain('sni');
    });
  });

  it('JSON: any string survives the round trip (quotes, controls, newlines, non-ASCII, lone surrogates)', () => {
    const names = ['plain', 'a "q" \\ b', 'tab\tnul\u0000bell\u0007', 'line\nbreak\r\n', 'café ✓ 名前', 'emoji 🦩', 'lone \ud800 high', 'lone \udfff low', '\u2028\u2029'];
    const rows = names.map((n, i) => row({ id: i + 1, process: n, host: n, dns_queries: [n] }));
    const text = tableToJson(rows);
    const parsed = JSON.parse(text) as FlowRecord[];
    expect(parsed.map((p) => [p.process, p.host, p.dns_queries[0]])).toEqual(names.map((n) => [n, n, n]));
    // Still one flow per line.
    expect(text.split('\n')).toHaveLength(names.length + 3);
  });

  it('JSON of no rows is an empty array', () => {
    expect(JSON.parse(tableToJson([]))).toEqual([]);
  });

  it('CSV quotes per RFC 4180 and round-trips', () => {
    const text = tableToCsv([tricky, tunneled]);
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, a, b] = parseCsv(text);
    expect(parseCsv(text)).toHaveLength(3);
    const col = (name: string): number => header.indexOf(name);
    expect(a).toHaveLength(header.length);
    expect(a[col('process')]).toBe('a "quoted", odd\r\nname');
    expect(a[col('dns_queries')]).toBe('a.test b.test');
    expect(a[col('dns_queries_dropped')]).toBe('3');
    expect(a[col('id')]).toBe('7');
    expect(b[col('tunnel')]).toBe('gre+vxlan');
    expect(b[col('tunnel_src')]).toBe('10.0.0.1');
    expect(b[col('pid')]).toBe(tunneled.pid === null ? '' : String(tunneled.pid));
  });

  it('csvField', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(12)).toBe('12');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
  });

  it('exportTable picks the format', () => {
    expect(exportTable([], 'csv').startsWith('id,proto,')).toBe(true);
    expect(exportTable([], 'json')).toBe('[]\n');
  });
});
