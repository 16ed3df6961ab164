/**
 * The built eBPF object (dist/helper/socket-events.bpf.o) against the stream format: its record struct, read back
 * from the object's own BTF, has RECORD's size and offsets; its programs are the ones the loader attaches; the
 * namespace constant sits where the loader writes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { RECORD, RECORD_SIZE } from '../../src/shared/socket-events.ts';
import { BPF_OBJECT_FILE, BPF_PROGRAMS } from '../../src/privileged-helper/socket-events-load.ts';
import { ROOT } from './support/helper-run.ts';

const object = path.join(ROOT, 'dist/helper', BPF_OBJECT_FILE);
const haveBpftool = spawnSync('bpftool', ['version']).status === 0;
const skip = !existsSync(object) ? `${object} is not built (npm run build)` : !haveBpftool ? 'bpftool is not installed' : false;

function btfRaw(): string {
  const r = spawnSync('bpftool', ['btf', 'dump', 'file', object, 'format', 'raw'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bpftool failed: ${r.stderr}`);
  return r.stdout;
}

/** Members of a BTF STRUCT or DATASEC block: name → [byte offset, byte size if given]. */
function block(raw: string, header: RegExp): { size: number; members: Map<string, number> } {
  const lines = raw.split('\n');
  const at = lines.findIndex((l) => header.test(l));
  assert.ok(at >= 0, `no ${header} in the object's BTF`);
  const size = Number(/size=([0-9]+)/.exec(lines[at])?.[1]);
  const members = new Map<string, number>();
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('\t')) break;
    const m = /^\t'([^']+)' type_id=[0-9]+ bits_offset=([0-9]+)/.exec(l);
    if (m) members.set(m[1], Number(m[2]) / 8);
  }
  return { size, members };
}

const C_NAMES: Record<keyof typeof RECORD, string> = {
  kind: 'kind', family: 'family', protocol: 'protocol', flags: 'flags', localPort: 'local_port', remotePort: 'remote_port',
  pid: 'pid', uid: 'uid', timeNs: 'time_ns', localAddress: 'local_addr', remoteAddress: 'remote_addr', comm: 'comm',
};

test('struct socket_event has RECORD_SIZE and every RECORD offset', { skip }, () => {
  const s = block(btfRaw(), /^\[[0-9]+\] STRUCT 'socket_event' /);
  assert.equal(s.size, RECORD_SIZE);
  assert.deepEqual(
    new Map([...s.members]),
    new Map(Object.entries(RECORD).map(([k, off]) => [C_NAMES[k as keyof typeof RECORD], off])),
  );
});

test('the object holds exactly the programs the loader attaches, and the namespace constant first in .rodata', { skip }, () => {
  const raw = btfRaw();
  const funcs = [...raw.matchAll(/^\[[0-9]+\] FUNC '([^']+)' type_id=[0-9]+ linkage=global$/gm)].map((m) => m[1]);
  assert.deepEqual(funcs.sort(), [...BPF_PROGRAMS].sort());
  const lines = raw.split('\n');
  const at = lines.findIndex((l) => /DATASEC '\.rodata'/.test(l));
  assert.ok(at >= 0);
  assert.match(lines[at], /vlen=1$/);
  const varId = /type_id=([0-9]+) offset=0 size=4/.exec(lines[at + 1])?.[1];
  assert.ok(varId, lines[at + 1]);
  assert.match(raw, new RegExp(`^\\[${varId}\\] VAR 'netns_filter'`, 'm'));
});

/** A BTF-defined map's max_entries: VAR → its STRUCT → member max_entries → PTR → ARRAY nr_elems. */
function maxEntries(raw: string, map: string): number {
  const typeOf = (id: string) => raw.split('\n').findIndex((l) => l.startsWith(`[${id}] `));
  const lines = raw.split('\n');
  const varId = new RegExp(`^\\[[0-9]+\\] VAR '${map}' type_id=([0-9]+)`, 'm').exec(raw)?.[1];
  assert.ok(varId, `no map ${map}`);
  const at = typeOf(varId);
  const member = lines.slice(at + 1).find((l) => !l.startsWith('\t') || l.startsWith("\t'max_entries'"));
  const ptr = /type_id=([0-9]+)/.exec(member ?? '')?.[1];
  assert.ok(ptr && member?.startsWith("\t'max_entries'"), `${map} has no max_entries`);
  const arr = /type_id=([0-9]+)/.exec(lines[typeOf(ptr)])?.[1];
  assert.ok(arr);
  return Number(/nr_elems=([0-9]+)/.exec(lines[typeOf(arr)])?.[1]);
}

test('the UDP dedup map holds a flood of 65,536 flows with room, and the ring is a power of two', { skip }, () => {
  const raw = btfRaw();
  assert.ok(maxEntries(raw, 'udp_seen') >= 2 * 65536, 'an LRU smaller than the live flows makes a record per datagram');
  const ring = maxEntries(raw, 'events');
  assert.ok(ring >= 1 << 20 && (ring & (ring - 1)) === 0);
});
