import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createPcapStreamCounter } from '../../src/capture-client/pcap-stream-counter.ts';

function pcap(lens: number[], opts: { bigEndian?: boolean; nsec?: boolean } = {}): Buffer {
  const le = !opts.bigEndian;
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const magic = opts.nsec ? 0xa1b23c4d : 0xa1b2c3d4;
  if (le) h.writeUInt32LE(magic, 0);
  else h.writeUInt32BE(magic, 0);
  parts.push(h);
  for (const len of lens) {
    const r = Buffer.alloc(16 + len, 0xee);
    if (le) r.writeUInt32LE(len, 8);
    else r.writeUInt32BE(len, 8);
    parts.push(r);
  }
  return Buffer.concat(parts);
}

function feed(buf: Buffer, chunk: number) {
  const c = createPcapStreamCounter();
  for (let i = 0; i < buf.length; i += chunk) c.push(buf.subarray(i, i + chunk));
  return c;
}

test('counts records across every chunk size, both byte orders and timestamp precisions', () => {
  const lens = [60, 0, 1514, 17, 3];
  for (const opts of [{}, { bigEndian: true }, { nsec: true }, { bigEndian: true, nsec: true }]) {
    const buf = pcap(lens, opts);
    for (let chunk = 1; chunk <= 40; chunk++) {
      const c = feed(buf, chunk);
      assert.equal(c.invalid, null);
      assert.equal(c.packets, lens.length, `chunk ${chunk} ${JSON.stringify(opts)}`);
      assert.equal(c.packetBytes, lens.reduce((a, b) => a + b, 0));
      assert.equal(c.completeBytes, buf.length);
      assert.equal(c.streamBytes, buf.length);
    }
  }
});

test('a stream cut inside a record or header reports where the last whole record ends', () => {
  const whole = pcap([100, 200]);
  const endOfFirst = 24 + 16 + 100;
  for (const cut of [endOfFirst + 5, endOfFirst + 16 + 150, whole.length - 1]) {
    const c = feed(whole.subarray(0, cut), 7);
    assert.equal(c.packets, 1);
    assert.equal(c.completeBytes, endOfFirst);
    assert.equal(c.streamBytes, cut);
  }
  const headerOnly = feed(whole.subarray(0, 10), 3);
  assert.equal(headerOnly.completeBytes, 0);
  assert.equal(headerOnly.packets, 0);
});

test('a stream that is not pcap is flagged, not counted', () => {
  const c = feed(Buffer.from('0a0d0d0a000000001a2b3c4d0000000000000000000000000000', 'hex'), 5);
  assert.match(c.invalid ?? '', /not a pcap stream/);
  assert.equal(c.packets, 0);
  const huge = pcap([10]);
  huge.writeUInt32LE(0x7fffffff, 24 + 8);
  const h = feed(huge, 64);
  assert.match(h.invalid ?? '', /impossible record length/);
});

test('agrees with capinfos on the pcap files of the shared corpus', (t) => {
  const dir = path.resolve(import.meta.dirname, '../../../shared/pcaps/tcpdump');
  if (!existsSync(dir)) return t.skip(`shared pcaps not found at ${dir}`);
  try {
    execFileSync('capinfos', ['-h'], { stdio: 'ignore' });
  } catch {
    return t.skip('capinfos is not installed');
  }
  let compared = 0;
  for (const f of readdirSync(dir).sort()) {
    if (compared >= 40) break;
    const buf = readFileSync(path.join(dir, f));
    if (buf.length < 24 || buf.readUInt32LE(0) !== 0xa1b2c3d4) continue;
    let out: string;
    try {
      out = execFileSync('capinfos', ['-M', '-c', '-T', '-r', path.join(dir, f)], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch {
      continue; // capinfos rejects it: hostile input, nothing to compare against
    }
    const c = feed(buf, 4093);
    if (c.invalid !== null || c.completeBytes !== buf.length) continue;
    const expected = Number(out.trim().split('\t')[1]);
    assert.equal(c.packets, expected, f);
    compared++;
  }
  assert.ok(compared >= 10, `compared only ${compared} files`);
});
