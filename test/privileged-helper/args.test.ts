import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BPF_MAXINSNS, buildHelperArgs, DEFAULT_BUFFER_MB, DEFAULT_SNAPLEN, formatBpfProgram, type BpfInsn } from '../../src/shared/helper-protocol.ts';
import { invokingUid, parseHelperArgs, quote, resolveTargetUser } from '../../src/privileged-helper/args.ts';

test('defaults are filled in', () => {
  const r = parseHelperArgs(['--interface', 'eth0']);
  assert.deepEqual(r, {
    ok: true,
    options: {
      interface: 'eth0', filter: null, snaplen: DEFAULT_SNAPLEN, promisc: false, bufferMb: DEFAULT_BUFFER_MB,
      count: null, durationSeconds: null, sandboxStrict: false, user: null, maxLandlockAbi: null,
      attributeProcesses: false, noEbpf: false, eventsFifo: null,
    },
  });
});

test('every flag parses, in any order, and round-trips through buildHelperArgs', () => {
  // tcpdump -ddd -y LINUX_SLL 'ip' (any number of instructions would do: the helper only checks the numbers).
  const filter = { linktype: 113, insns: [[40, 0, 0, 14], [21, 0, 1, 2048], [6, 0, 0, 262144], [6, 0, 0, 0]] as BpfInsn[] };
  const argv = buildHelperArgs({
    interface: 'any', filter, snaplen: 96, promisc: true, bufferMb: 16, count: 10,
    durationSeconds: 5, sandboxStrict: true, user: 1000, maxLandlockAbi: 4, attributeProcesses: true, noEbpf: true,
  });
  const r = parseHelperArgs([...argv.slice(2), ...argv.slice(0, 2)]);
  assert.ok(r.ok);
  assert.ok(argv.includes('--filter-bpf') && argv.includes('40 0 0 14') === false, 'one argument holds the whole program');
  assert.deepEqual(r.options, {
    interface: 'any', filter, snaplen: 96, promisc: true, bufferMb: 16, count: 10,
    durationSeconds: 5, sandboxStrict: true, user: 1000, maxLandlockAbi: 4, attributeProcesses: true, noEbpf: true, eventsFifo: null,
  });
  const withFifo = buildHelperArgs({ interface: 'lo', attributeProcesses: true, eventsFifo: '/run/user/1000/sandpiper-x/events' });
  assert.deepEqual(withFifo, ['--interface', 'lo', '--attribute-processes', '--events-fifo', '/run/user/1000/sandpiper-x/events']);
  const back = parseHelperArgs(withFifo);
  assert.ok(back.ok && back.options.eventsFifo === '/run/user/1000/sandpiper-x/events');
});

test('--events-fifo: an absolute, normalised path, only with --attribute-processes and never with --no-ebpf', () => {
  const parse = (...extra: string[]) => parseHelperArgs(['--interface', 'lo', '--attribute-processes', ...extra]);
  for (const [value, why] of [
    ['', 'must be 1 to 1024 bytes long'],
    ['events', 'must be an absolute path'],
    ['./events', 'must be an absolute path'],
    ['/tmp/../etc/events', 'must be a normalised path'],
    ['/tmp/./events', 'must be a normalised path'],
    ['/tmp//events', 'must be a normalised path'],
    ['/tmp/dir/', 'must be a normalised path'],
    ['/', 'must be a normalised path'],
    ['/tmp/ev\nents', 'must not contain control characters'],
    [`/tmp/${'x'.repeat(1100)}`, 'must be 1 to 1024 bytes long'],
  ] as const) {
    const r = parse('--events-fifo', value);
    assert.ok(!r.ok, JSON.stringify(value));
    assert.equal(r.code, 'bad_arguments');
    assert.ok(r.message.startsWith(`--events-fifo ${why}`), r.message);
    assert.doesNotMatch(r.message.split('. Usage:')[0], /\n/, 'the value is quoted, never echoed raw');
  }
  assert.ok(parse('--events-fifo', '/tmp/sandpiper-events-AbC123/events').ok);
  const without = parseHelperArgs(['--interface', 'lo', '--events-fifo', '/tmp/x/events']);
  assert.ok(!without.ok && without.message.startsWith('--events-fifo only goes with --attribute-processes'));
  const noEbpf = parse('--no-ebpf', '--events-fifo', '/tmp/x/events');
  assert.ok(!noEbpf.ok && noEbpf.message.startsWith('--events-fifo and --no-ebpf do not go together'));
  assert.equal(parse('--events-fifo', '/tmp/a', '--events-fifo', '/tmp/b').ok, false, 'given twice');
  assert.deepEqual(buildHelperArgs({ interface: 'lo', attributeProcesses: true, noEbpf: true, eventsFifo: '/tmp/x' }), ['--interface', 'lo', '--attribute-processes', '--no-ebpf'], 'not sent with --no-ebpf');
  assert.deepEqual(buildHelperArgs({ interface: 'lo', eventsFifo: '/tmp/x' }), ['--interface', 'lo'], 'not sent without --attribute-processes');
});

test('the events FIFO belongs to PKEXEC_UID, else SUDO_UID, else the real uid', () => {
  assert.equal(invokingUid({ PKEXEC_UID: '1000', SUDO_UID: '1001' }, 0), 1000);
  assert.equal(invokingUid({ SUDO_UID: '1001' }, 0), 1001);
  assert.equal(invokingUid({}, 0), 0);
  assert.equal(invokingUid({ PKEXEC_UID: '1x' }, 0), 0, 'a malformed variable names no one');
});

test('--attribute-processes alone; --no-ebpf only with it; neither twice', () => {
  const r = parseHelperArgs(['--interface', 'lo', '--attribute-processes']);
  assert.ok(r.ok && r.options.attributeProcesses && !r.options.noEbpf);
  const alone = parseHelperArgs(['--interface', 'lo', '--no-ebpf']);
  assert.ok(!alone.ok && alone.code === 'bad_arguments' && alone.message.includes('--no-ebpf only goes with --attribute-processes'));
  assert.equal(parseHelperArgs(['--interface', 'lo', '--attribute-processes', '--attribute-processes']).ok, false);
  assert.deepEqual(buildHelperArgs({ interface: 'lo', noEbpf: true }), ['--interface', 'lo'], '--no-ebpf is never sent without the flag it refines');
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

const prog = (n: number, insn = '6 0 0 262144') => [String(n), ...Array.from({ length: n }, () => insn)].join(',');
const withBpf = (value: string, linktype = '1') => ['--interface', 'lo', '--filter-bpf', value, '--filter-linktype', linktype];

test('--filter-bpf takes tcpdump -ddd numbers: count, then code jt jf k per instruction', () => {
  const r = parseHelperArgs(withBpf('2,6 0 0 65535,6 0 0 0', '12'));
  assert.ok(r.ok);
  assert.deepEqual(r.options.filter, { linktype: 12, insns: [[6, 0, 0, 65535], [6, 0, 0, 0]] });
  assert.equal(formatBpfProgram([[6, 0, 0, 65535], [6, 0, 0, 0]]), '2,6 0 0 65535,6 0 0 0');
  // Every field at its largest, and the longest program.
  assert.ok(parseHelperArgs(withBpf('1,65535 255 255 4294967295')).ok);
  const longest = parseHelperArgs(withBpf(prog(BPF_MAXINSNS, '65535 255 255 4294967295')));
  assert.ok(longest.ok && longest.options.filter?.insns.length === BPF_MAXINSNS);
});

test('a bad program is bad_filter with a one-line message', () => {
  const cases: [string, RegExp][] = [
    [prog(BPF_MAXINSNS + 1), /instruction count must be 1 to 4096, not 4097/],
    ['0', /instruction count must be 1 to 4096, not 0/],
    ['', /must start with the instruction count/],
    ['3,6 0 0 1,6 0 0 0', /says 3 instructions but holds 2/],
    ['1,6 0 0 1,6 0 0 0', /says 1 instructions but holds 2/],
    ['1,6 0 0', /instruction 1 is not four numbers/],
    ['1,6 0 0 1 9', /instruction 1 is not four numbers/],
    ['1,6  0 0 1', /instruction 1 is not four numbers/],
    ['1,6 0 0 -1', /instruction 1 is not four numbers/],
    ['1,0x6 0 0 1', /instruction 1 is not four numbers/],
    ['1,6 0 0 1e3', /instruction 1 is not four numbers/],
    ['1,06 0 0 1', /instruction 1 is not four numbers/],
    ['1, 6 0 0 1', /instruction 1 is not four numbers/],
    ['2,6 0 0 1,', /instruction 2 is not four numbers/],
    ['1,65536 0 0 1', /code 65536 is above 65535/],
    ['1,6 256 0 1', /jt 256 is above 255/],
    ['1,6 0 256 1', /jf 256 is above 255/],
    ['1,6 0 0 4294967296', /k 4294967296 is above 4294967295/],
    ['1,6 0 0 99999999999', /instruction 1 is not four numbers/],
    ['port http', /must start with the instruction count/],
    ['1,port http', /instruction 1 is not four numbers/],
    [`${'1'.repeat(200000)}`, /longer than any program/],
  ];
  for (const [value, why] of cases) {
    const r = parseHelperArgs(withBpf(value));
    assert.equal(r.ok, false, value.slice(0, 40));
    assert.equal(!r.ok && r.code, 'bad_filter', value.slice(0, 40));
    assert.match(!r.ok ? r.message : '', why, value.slice(0, 40));
    assert.ok(!r.ok && !r.message.includes('\n') && r.message.length < 200, value.slice(0, 40));
  }
});

test('the program and its link type go together, and the link type is a plain number in range', () => {
  for (const argv of [['--interface', 'lo', '--filter-bpf', '1,6 0 0 0'], ['--interface', 'lo', '--filter-linktype', '1']]) {
    const r = parseHelperArgs(argv);
    assert.equal(!r.ok && r.code, 'bad_filter', argv.join(' '));
  }
  for (const lt of ['0', '65535']) assert.ok(parseHelperArgs(withBpf('1,6 0 0 0', lt)).ok, lt);
  for (const lt of ['65536', '-1', 'EN10MB', '0x1', '']) assert.equal(parseHelperArgs(withBpf('1,6 0 0 0', lt)).ok, false, lt);
});

test('filter text is not accepted: the helper compiles nothing', () => {
  const r = parseHelperArgs(['--interface', 'lo', '--filter', 'port http']);
  assert.equal(!r.ok && r.code, 'bad_arguments');
  assert.match(!r.ok ? r.message : '', /--filter \(filter text\) is not accepted since helper protocol 4/);
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
