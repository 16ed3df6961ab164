import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHelperArgs, DEFAULT_BUFFER_MB, DEFAULT_SNAPLEN } from '../../src/shared/helper-protocol.ts';
import { parseHelperArgs, quote, resolveTargetUser } from '../../src/privileged-helper/args.ts';

test('defaults are filled in', () => {
  const r = parseHelperArgs(['--interface', 'eth0']);
  assert.deepEqual(r, {
    ok: true,
    options: {
      interface: 'eth0', filter: '', snaplen: DEFAULT_SNAPLEN, promisc: false, bufferMb: DEFAULT_BUFFER_MB,
      count: null, durationSeconds: null, sandboxStrict: false, user: null, maxLandlockAbi: null,
    },
  });
});

test('every flag parses, in any order, and round-trips through buildHelperArgs', () => {
  const argv = buildHelperArgs({
    interface: 'any', filter: 'tcp port 443', snaplen: 96, promisc: true, bufferMb: 16, count: 10,
    durationSeconds: 5, sandboxStrict: true, user: 1000, maxLandlockAbi: 4,
  });
  const r = parseHelperArgs([...argv.slice(2), ...argv.slice(0, 2)]);
  assert.ok(r.ok);
  assert.deepEqual(r.options, {
    interface: 'any', filter: 'tcp port 443', snaplen: 96, promisc: true, bufferMb: 16, count: 10,
    durationSeconds: 5, sandboxStrict: true, user: 1000, maxLandlockAbi: 4,
  });
});

test('bounds are inclusive', () => {
  for (const [flag, lo, hi] of [['--snaplen', 1, 262144], ['--buffer-mb', 1, 256], ['--count', 1, 2 ** 31 - 1], ['--max-landlock-abi', 0, 8]] as const) {
    for (const v of [lo, hi]) assert.equal(parseHelperArgs(['--interface', 'lo', flag, String(v)]).ok, true, `${flag} ${v}`);
    for (const v of [lo - 1, hi + 1]) assert.equal(parseHelperArgs(['--interface', 'lo', flag, String(v)]).ok, false, `${flag} ${v}`);
  }
});

test('--buffer-mb above 256 is refused: it is kernel memory pinned per capture', () => {
  for (const v of ['257', '1024']) {
    const r = parseHelperArgs(['--interface', 'lo', '--buffer-mb', v]);
    assert.equal(r.ok, false, v);
    assert.equal(!r.ok && r.code, 'bad_arguments');
  }
  assert.equal(parseHelperArgs(['--interface', 'lo', '--buffer-mb', '256']).ok, true);
});

test('under sudo --user may only name the invoking user or nobody, as under pkexec', () => {
  assert.deepEqual(resolveTargetUser(1004, { SUDO_UID: '1003' }), { ok: false, message: 'under sudo --user may only name the invoking user (1003) or 65534' });
  assert.deepEqual(resolveTargetUser(1003, { SUDO_UID: '1003' }), { ok: true, uid: 1003, source: '--user' });
  assert.deepEqual(resolveTargetUser(65534, { SUDO_UID: '1003' }), { ok: true, uid: 65534, source: '--user' });
  // Without pkexec or sudo (root starting the helper directly) --user names anyone but root.
  assert.deepEqual(resolveTargetUser(1234, {}), { ok: true, uid: 1234, source: '--user' });
});

test('numbers must be plain decimals', () => {
  for (const v of ['abc', '', ' 5', '5 ', '+5', '-5', '1e3', '0x10', '05', '5.0', '١٢', '99999999999999999999']) {
    const r = parseHelperArgs(['--interface', 'lo', '--count', v]);
    assert.equal(r.ok, false, JSON.stringify(v));
    assert.equal(!r.ok && r.code, 'bad_arguments');
  }
});

test('interface names are checked against INTERFACE_NAME_RE', () => {
  for (const name of ['eth0;rm', '../x', 'a/b', 'abcdefghijklmnop', '', 'eth 0', 'eth0\n', '$(id)']) {
    const r = parseHelperArgs(['--interface', name]);
    assert.equal(r.ok, false, JSON.stringify(name));
    assert.equal(!r.ok && r.code, 'no_such_interface');
  }
  for (const name of ['eth0', 'wlp2s0', 'br-1a2b', 'vlan.10', 'abcdefghijklmno', 'any']) assert.equal(parseHelperArgs(['--interface', name]).ok, true, name);
});

test('filters longer than 4096 characters are refused', () => {
  assert.equal(parseHelperArgs(['--interface', 'lo', '--filter', 'x'.repeat(4096)]).ok, true);
  const r = parseHelperArgs(['--interface', 'lo', '--filter', 'x'.repeat(4097)]);
  assert.equal(!r.ok && r.code, 'bad_filter');
});

test('unknown, repeated, valueless flags and a missing interface are errors', () => {
  for (const argv of [['--interface', 'lo', '--bogus'], ['--interface', 'lo', 'extra'], ['--interface', 'lo', '--interface', 'lo'], ['--interface'], ['--interface', 'lo', '--count'], ['--promisc'], [], ['--interface', 'lo', '--promisc', '--promisc']]) {
    const r = parseHelperArgs(argv);
    assert.equal(r.ok, false, argv.join(' '));
    assert.equal(!r.ok && r.code, 'bad_arguments');
    assert.match(!r.ok ? r.message : '', /Usage: sandpiper-helper/);
  }
});

test('error messages quote user input safely and briefly', () => {
  assert.equal(quote('a\nb'), '"a\\nb"');
  assert.ok(quote('x'.repeat(500)).length < 50);
});

test('target user: --user, then PKEXEC_UID, then SUDO_UID, then nobody', () => {
  assert.deepEqual(resolveTargetUser(1001, { PKEXEC_UID: '1000', SUDO_UID: '1002' }), { ok: false, message: 'under pkexec --user may only name the invoking user (1000) or 65534' });
  assert.deepEqual(resolveTargetUser(1000, { PKEXEC_UID: '1000' }), { ok: true, uid: 1000, source: '--user' });
  assert.deepEqual(resolveTargetUser(65534, { PKEXEC_UID: '1000' }), { ok: true, uid: 65534, source: '--user' });
  assert.deepEqual(resolveTargetUser(null, { PKEXEC_UID: '1000', SUDO_UID: '1002' }), { ok: true, uid: 1000, source: 'PKEXEC_UID' });
  assert.deepEqual(resolveTargetUser(null, { SUDO_UID: '1002' }), { ok: true, uid: 1002, source: 'SUDO_UID' });
  assert.deepEqual(resolveTargetUser(null, {}), { ok: true, uid: 65534, source: 'default' });
});

test('target user is never root', () => {
  assert.equal(resolveTargetUser(0, {}).ok, false);
  assert.deepEqual(resolveTargetUser(null, { PKEXEC_UID: '0' }), { ok: true, uid: 65534, source: 'PKEXEC_UID' });
  assert.deepEqual(resolveTargetUser(null, { SUDO_UID: '0' }), { ok: true, uid: 65534, source: 'SUDO_UID' });
  assert.equal(resolveTargetUser(0, { PKEXEC_UID: '0' }).ok, false);
});

test('malformed environment uids are ignored', () => {
  for (const v of ['', 'abc', '-1', '1;id', '1 2', '99999999999']) {
    assert.deepEqual(resolveTargetUser(null, { SUDO_UID: v }), { ok: true, uid: 65534, source: 'default' }, v);
  }
});
