import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileFilter } from '../../src/capture-client/bpf-compile.ts';
import { prepareHelperOptions } from '../../src/capture-client/capture-request.ts';
import { DLT, linkTypeFor } from '../../src/capture-client/link-type.ts';
import { buildHelperArgs, formatBpfProgram } from '../../src/shared/helper-protocol.ts';
import { parseHelperArgs } from '../../src/privileged-helper/args.ts';
import { inTempDir } from '../support/temp-dir.ts';

/** tcpdump's own compilation of `filter` for `dlt`, in the -ddd form, or null when tcpdump is not installed. */
function tcpdumpDdd(filter: string, dlt: 'EN10MB' | 'LINUX_SLL'): string | null {
  // tcpdump accepts -y only for a DLT the device offers.
  const r = spawnSync('tcpdump', ['-ddd', '-y', dlt, '-i', dlt === 'EN10MB' ? 'lo' : 'any', filter], { encoding: 'utf8' });
  if (r.error) return null;
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').join(',');
}
const hasTcpdump = spawnSync('tcpdump', ['--version']).error === undefined;

test('filters compile as the user to the numbers tcpdump -ddd gives (names from /etc/services and /etc/hosts)', { skip: hasTcpdump ? false : 'tcpdump is not installed' }, () => {
  for (const [filter, dltName, dlt] of [
    ['port http', 'EN10MB', DLT.EN10MB],
    ['host localhost', 'EN10MB', DLT.EN10MB],
    ['net loopback or udp port domain', 'EN10MB', DLT.EN10MB],
    ['port http', 'LINUX_SLL', DLT.LINUX_SLL],
  ] as const) {
    const r = compileFilter(filter, dlt);
    assert.ok(r.ok, `${filter}: ${JSON.stringify(r)}`);
    assert.equal(formatBpfProgram(r.insns), tcpdumpDdd(filter, dltName), `${filter} for ${dltName}`);
  }
});

test('the compiled program crosses to the helper as numbers and reads back the same', () => {
  const r = compileFilter('port http or host localhost', DLT.EN10MB);
  assert.ok(r.ok);
  const argv = buildHelperArgs({ interface: 'lo', filter: { linktype: DLT.EN10MB, insns: r.insns } });
  assert.ok(!argv.some((a) => /http|localhost/.test(a)), 'no filter text in the helper argv');
  const parsed = parseHelperArgs(argv);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.options.filter, { linktype: DLT.EN10MB, insns: r.insns });
});

test('an invalid filter is refused with libpcap message', () => {
  for (const bad of ['tcp port', 'hots 1.2.3.4', 'port 99999', '(((', 'port nosuchservice']) {
    const r = compileFilter(bad, DLT.EN10MB);
    assert.equal(r.ok, false, bad);
    assert.equal(!r.ok && r.reason, 'invalid', bad);
    assert.ok(!r.ok && r.message.length > 0 && !r.message.includes('\n'), bad);
  }
  const p = prepareHelperOptions({ interface: 'lo', filter: 'udp and and' });
  assert.equal(p.ok, false);
  assert.match(!p.ok ? p.message : '', /^the capture filter is not valid: .*syntax error/);
});

test('prepareHelperOptions compiles for the interface link type; no filter, or a blank one, sends none', async () => {
  await inTempDir('sp-linktype-', async (dir) => {
    const sys = path.join(dir, 'net');
    for (const [name, type] of [['eth0', '1'], ['lo', '772'], ['tun0', '65534'], ['ppp0', '512'], ['wg0', '65534'], ['mon0', '803']] as const) {
      mkdirSync(path.join(sys, name), { recursive: true });
      writeFileSync(path.join(sys, name, 'type'), `${type}\n`);
    }
    assert.equal(linkTypeFor('eth0', sys), DLT.EN10MB);
    assert.equal(linkTypeFor('lo', sys), DLT.EN10MB);
    assert.equal(linkTypeFor('tun0', sys), DLT.RAW);
    assert.equal(linkTypeFor('wg0', sys), DLT.RAW);
    assert.equal(linkTypeFor('mon0', sys), DLT.IEEE802_11_RADIO);
    assert.equal(linkTypeFor('ppp0', sys), DLT.LINUX_SLL, 'types without a header mapping are captured cooked');
    assert.equal(linkTypeFor('any', sys), DLT.LINUX_SLL);
    const tun = prepareHelperOptions({ interface: 'tun0', filter: 'tcp', count: 3 }, sys);
    const raw = compileFilter('tcp', DLT.RAW);
    assert.ok(tun.ok && raw.ok);
    assert.deepEqual(tun.options, { interface: 'tun0', count: 3, filter: { linktype: DLT.RAW, insns: raw.insns } });
    for (const filter of [undefined, '', '   ']) {
      assert.deepEqual(prepareHelperOptions({ interface: 'eth0', filter, count: 1 }, sys), { ok: true, options: { interface: 'eth0', count: 1 } });
    }
  });
});
