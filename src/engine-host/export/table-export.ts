/**
 * The visible table as text to save: CSV (RFC 4180) or JSON. JSON carries, per flow, exactly the fields of a
 * `read --json` flow line in the same key order, so a saved table and a CLI run can be compared line for line.
 */
import type { FlowRecord, FlowRow } from '../../shared/flow.ts';
import { FlowJsonWriter } from '../../engine/flow-json.ts';

export type ExportFormat = 'csv' | 'json';

/** A row as its `read --json` flow line: the record's keys only, in the CLI's order, optional ones only when present. */
export function recordOf(r: FlowRow): FlowRecord {
  const rec: FlowRecord = {
    type: 'flow',
    id: r.id,
    proto: r.proto,
    src: r.src,
    sport: r.sport,
    dst: r.dst,
    dport: r.dport,
    src_country: r.src_country,
    dst_country: r.dst_country,
    src_asn: r.src_asn,
    dst_asn: r.dst_asn,
    src_as_name: r.src_as_name,
    dst_as_name: r.dst_as_name,
    packets_fwd: r.packets_fwd,
    bytes_fwd: r.bytes_fwd,
    packets_rev: r.packets_rev,
    bytes_rev: r.bytes_rev,
    first_seen: r.first_seen,
    last_seen: r.last_seen,
    state: r.state,
    app: r.app,
    host: r.host,
    dns_queries: [...r.dns_queries],
    pid: r.pid,
    process: r.process,
  };
  // Key order as the CLI writes it: tunnel, then dns_queries_dropped.
  rec.tunnel = r.tunnel ?? null;
  if (r.dns_queries_dropped !== undefined && r.dns_queries_dropped > 0) rec.dns_queries_dropped = r.dns_queries_dropped;
  if (r.icmp_type !== undefined) rec.icmp_type = r.icmp_type;
  if (r.icmp_code !== undefined) rec.icmp_code = r.icmp_code;
  if (r.dhcp_hostname !== undefined) rec.dhcp_hostname = r.dhcp_hostname;
  if (r.dhcp_vendor_class !== undefined) rec.dhcp_vendor_class = r.dhcp_vendor_class;
  if (r.ftp_control !== undefined) rec.ftp_control = r.ftp_control;
  if (r.user !== undefined) rec.user = r.user;
  if (r.peer_pid !== undefined) rec.peer_pid = r.peer_pid;
  if (r.peer_process !== undefined) rec.peer_process = r.peer_process;
  if (r.peer_user !== undefined) rec.peer_user = r.peer_user;
  // A file's rows say why they have no process; its read --json lines do not.
  if (r.process_unknown !== undefined && r.process_unknown !== 'file') rec.process_unknown = r.process_unknown;
  return rec;
}

/**
 * One flow per line inside the array, so a large export stays readable and greppable. The lines are the CLI's own
 * writer's, so the two cannot drift apart; JSON text holds no raw newline, so each newline ends one flow.
 */
export function tableToJson(rows: Iterable<FlowRow>): string {
  const chunks: Buffer[] = [];
  const writer = new FlowJsonWriter((c) => chunks.push(c));
  for (const r of rows) writer.flow(recordOf(r));
  writer.flush();
  if (chunks.length === 0) return '[]\n';
  const lines = Buffer.concat(chunks).toString('utf8');
  return `[\n${lines.slice(0, -1).replaceAll('\n', ',\n')}\n]\n`;
}

type Cell = string | number | null;

const CSV_COLUMNS: readonly (readonly [string, (r: FlowRecord) => Cell])[] = [
  ['id', (r) => r.id],
  ['proto', (r) => r.proto],
  ['src', (r) => r.src],
  ['sport', (r) => r.sport],
  ['dst', (r) => r.dst],
  ['dport', (r) => r.dport],
  ['src_country', (r) => r.src_country],
  ['dst_country', (r) => r.dst_country],
  ['src_asn', (r) => r.src_asn],
  ['dst_asn', (r) => r.dst_asn],
  ['src_as_name', (r) => r.src_as_name],
  ['dst_as_name', (r) => r.dst_as_name],
  ['packets_fwd', (r) => r.packets_fwd],
  ['bytes_fwd', (r) => r.bytes_fwd],
  ['packets_rev', (r) => r.packets_rev],
  ['bytes_rev', (r) => r.bytes_rev],
  ['first_seen', (r) => r.first_seen],
  ['last_seen', (r) => r.last_seen],
  ['state', (r) => r.state],
  ['app', (r) => r.app],
  ['host', (r) => r.host],
  // A DNS name holds no space, so one cell keeps the list unambiguous.
  ['dns_queries', (r) => r.dns_queries.join(' ')],
  ['dns_queries_dropped', (r) => r.dns_queries_dropped ?? 0],
  ['pid', (r) => r.pid],
  ['process', (r) => r.process],
  ['tunnel', (r) => (r.tunnel ? r.tunnel.kinds.join('+') : null)],
  ['tunnel_src', (r) => r.tunnel?.src ?? null],
  ['tunnel_dst', (r) => r.tunnel?.dst ?? null],
];

/** RFC 4180: a field holding a quote, comma, CR or LF is quoted, with its quotes doubled; null is an empty field. */
export function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Header line, then one line per flow; lines end in CRLF as RFC 4180 says. */
export function tableToCsv(rows: Iterable<FlowRow>): string {
  const out: string[] = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const r of rows) {
    const rec = recordOf(r);
    out.push(CSV_COLUMNS.map(([, get]) => csvField(get(rec))).join(','));
  }
  return out.join('\r\n') + '\r\n';
}

export function exportTable(rows: Iterable<FlowRow>, format: ExportFormat): string {
  return format === 'csv' ? tableToCsv(rows) : tableToJson(rows);
}
