/**
 * Build step (build/build.mjs): the @ip-location-db/asn CSVs (`start,end,asn,name`, addresses as decimal numbers)
 * → the AS range table of ./asn-table.ts. Ranges are sorted by start; an AS keeps the first name the data gives it.
 */
import { ASN_TABLE_HEADER_WORDS, ASN_TABLE_MAGIC, ASN_TABLE_VERSION } from './asn-table.ts';

interface Row {
  start: bigint;
  end: bigint;
  asn: number;
}

/** One CSV line's fields; a quoted field may hold commas and doubled quotes. */
function fields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quote in ${JSON.stringify(line)}`);
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      i++; // the comma
    } else {
      const c = line.indexOf(',', i);
      const e = c < 0 ? line.length : c;
      out.push(line.slice(i, e));
      i = e + 1;
    }
  }
  return out;
}

function parse(csv: string, max: bigint, names: Map<number, string>): Row[] {
  const rows: Row[] = [];
  for (const raw of csv.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    const f = fields(line);
    if (f.length < 3) throw new Error(`AS CSV line has ${f.length} fields: ${JSON.stringify(line)}`);
    const start = BigInt(f[0]);
    const end = BigInt(f[1]);
    const asn = Number(f[2]);
    if (start > end || end > max || !Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) throw new Error(`bad AS CSV line: ${JSON.stringify(line)}`);
    rows.push({ start, end, asn });
    const name = (f[3] ?? '').trim();
    if (name !== '' && !names.has(asn)) names.set(asn, name);
  }
  rows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  // Overlaps would make the binary search answer for the wrong range: keep each range's part after the last end.
  const kept: Row[] = [];
  for (const r of rows) {
    const prev = kept[kept.length - 1];
    if (prev && r.start <= prev.end) {
      if (r.end <= prev.end) continue;
      r.start = prev.end + 1n;
    }
    kept.push(r);
  }
  return kept;
}

export function buildAsnTable(csv4: string, csv6: string): Uint8Array {
  const names = new Map<number, string>();
  const v4 = parse(csv4, 0xffffffffn, names);
  const v6 = parse(csv6, (1n << 128n) - 1n, names);
  const nameAsns = [...names.keys()].sort((a, b) => a - b);
  const enc = new TextEncoder();
  const encoded = nameAsns.map((a) => enc.encode(names.get(a)));
  const nameBytes = encoded.reduce((n, b) => n + b.length, 0);
  const words = ASN_TABLE_HEADER_WORDS + 3 * v4.length + 9 * v6.length + 2 * nameAsns.length + 1 + Math.ceil(nameBytes / 4);
  const u = new Uint32Array(words);
  u.set([ASN_TABLE_MAGIC, ASN_TABLE_VERSION, v4.length, v6.length, nameAsns.length, nameBytes]);
  let at = ASN_TABLE_HEADER_WORDS;
  for (const r of v4) u[at++] = Number(r.start);
  for (const r of v4) u[at++] = Number(r.end);
  for (const r of v4) u[at++] = r.asn;
  const put6 = (x: bigint) => {
    for (let k = 3; k >= 0; k--) u[at++] = Number((x >> BigInt(32 * k)) & 0xffffffffn);
  };
  for (const r of v6) put6(r.start);
  for (const r of v6) put6(r.end);
  for (const r of v6) u[at++] = r.asn;
  for (const a of nameAsns) u[at++] = a;
  let off = 0;
  for (const b of encoded) {
    u[at++] = off;
    off += b.length;
  }
  u[at++] = off;
  const bytes = new Uint8Array(u.buffer);
  let p = at * 4;
  for (const b of encoded) {
    bytes.set(b, p);
    p += b.length;
  }
  return bytes;
}
