import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/privileged-helper');
const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ f, text: readFileSync(path.join(dir, f), 'utf8') }));

test('the helper binds no filter compiler, resolver or user database (NSS) entry point', () => {
  assert.ok(sources.some((s) => s.f === 'stage1.ts'));
  for (const name of ['pcap_compile', 'pcap_open_dead', 'pcap_freecode', 'getpwuid', 'getpwnam', 'getgrgid', 'getgrouplist', 'initgroups', 'getaddrinfo', 'gethostbyname', 'getservbyname', 'node:dns', 'node:os']) {
    for (const { f, text } of sources) assert.equal(text.includes(name), false, `${f} mentions ${name}`);
  }
});

test('stage 1 (unrestricted root) does not load libpcap', () => {
  const stage1 = sources.find((s) => s.f === 'stage1.ts')?.text ?? '';
  assert.doesNotMatch(stage1, /native\/libpcap/);
});
