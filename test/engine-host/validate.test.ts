import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkBoolean, checkFilter, checkInterfaceName, checkPath, checkStartCapture, checkViewRequest } from '../../src/engine-host/validate.ts';
import { checkOverviewRequest } from '../../src/shared/api.ts';
import { COLUMN_IDS } from '../../src/shared/flows/columns.ts';
import { MAX_FILTER_LENGTH, MAX_VIEW_ROWS } from '../../src/shared/ipc.ts';

test('interface names: the helper regex, and never a leading dash', () => {
  for (const ok of ['eth0', 'lo', 'wlp3s0', 'br-1a2b3c', 'veth.100', 'eth0:1', 'any', 'a@b', 'x'.repeat(15)]) assert.ok(checkInterfaceName(ok).ok, ok);
  for (const bad of ['', 'x'.repeat(16), '-i', '--filter', 'eth0 ', 'eth/0', 'eth0;id', '$(id)', 'ä', null, 1, ['eth0']]) assert.equal(checkInterfaceName(bad).ok, false, String(bad));
});

test('filters: text up to 4096 characters without NUL', () => {
  assert.ok(checkFilter('').ok);
  assert.ok(checkFilter('x'.repeat(4096)).ok);
  assert.equal(checkFilter('x'.repeat(4097)).ok, false);
  assert.equal(checkFilter('tcp\0 or udp').ok, false);
  for (const bad of [null, undefined, 42, {}, ['tcp']]) assert.equal(checkFilter(bad).ok, false);
});

test('booleans are booleans, paths are absolute', () => {
  assert.deepEqual(checkBoolean(true), { ok: true, value: true });
  for (const bad of ['true', 1, 0, null, undefined]) assert.equal(checkBoolean(bad).ok, false);
  assert.ok(checkPath('/home/u/a.pcap').ok);
  for (const bad of ['a.pcap', '', '/a\0b', 7, '/' + 'x'.repeat(5000)]) assert.equal(checkPath(bad).ok, false);
});

test('start requests: exactly interface, filter, promisc; anything else is a bad_arguments AppError', () => {
  assert.deepEqual(checkStartCapture({ interface: 'eth0', filter: 'udp', promisc: true }), { ok: true, value: { interface: 'eth0', filter: 'udp', promisc: true } });
  fc.assert(
    fc.property(fc.anything(), (v) => {
      const r = checkStartCapture(v);
      if (r.ok) {
        assert.deepEqual(Object.keys(r.value).sort(), ['filter', 'interface', 'promisc']);
        assert.ok(checkInterfaceName(r.value.interface).ok);
      } else {
        assert.equal(r.error.code, 'bad_arguments');
        assert.ok(r.error.message.length > 0 && r.error.action.length > 0);
      }
    }),
    { numRuns: 500 },
  );
});

const VIEW = { seq: 3, sortColumn: 'bytes', sortDir: 'desc', filter: 'proc:firefox', start: 40, end: 120, select: null, have: null } as const;

test('view requests: the fields of a ViewRequest, each checked, returned as a fresh object', () => {
  const ok = checkViewRequest(VIEW);
  assert.deepEqual(ok, { ok: true, value: VIEW });
  assert.ok(ok.ok && ok.value !== (VIEW as unknown));
  for (const good of [
    { ...VIEW, seq: 0 },
    { ...VIEW, seq: Number.MAX_SAFE_INTEGER },
    { ...VIEW, sortDir: 'asc' },
    { ...VIEW, filter: '' },
    { ...VIEW, filter: 'x'.repeat(MAX_FILTER_LENGTH) },
    { ...VIEW, filter: 'port:abc' }, // does not parse: the host reports it, it is still a valid request
    { ...VIEW, start: 0, end: 0 },
    { ...VIEW, start: 5, end: 5 + MAX_VIEW_ROWS },
    { ...VIEW, start: 1e9, end: 1e9 + 10 },
    { ...VIEW, select: { id: 7 } },
    { ...VIEW, select: { id: -1 } },
    { ...VIEW, select: { index: 0 } },
    { ...VIEW, have: { start: 0, end: 100, order: 0 } },
    { ...VIEW, have: { start: 7, end: 7, order: Number.MAX_SAFE_INTEGER } },
    { ...VIEW, have: { start: 1e9, end: 1e9 + MAX_VIEW_ROWS, order: 12 } },
    ...COLUMN_IDS.map((sortColumn) => ({ ...VIEW, sortColumn })),
  ]) {
    assert.deepEqual(checkViewRequest(good), { ok: true, value: good }, JSON.stringify(good));
  }
  // The selection is copied too, so nothing the caller still holds is kept.
  const sel = { id: 7 };
  const r = checkViewRequest({ ...VIEW, select: sel });
  assert.ok(r.ok && r.value.select !== sel);
  const have = { start: 1, end: 2, order: 3 };
  const h = checkViewRequest({ ...VIEW, have });
  assert.ok(h.ok && h.value.have !== have);
});

test('view requests: anything else is a bad_arguments AppError', () => {
  const { select: _s, ...noSelect } = VIEW;
  const { have: _h, ...noHave } = VIEW;
  for (const bad of [
    null,
    undefined,
    'view',
    [VIEW],
    {},
    noSelect,
    noHave,
    { ...VIEW, extra: 1 },
    { ...VIEW, __proto__: null, toString: 1 },
    { ...VIEW, seq: -1 },
    { ...VIEW, seq: 1.5 },
    { ...VIEW, seq: '3' },
    { ...VIEW, seq: 2 ** 53 },
    { ...VIEW, seq: Number.NaN },
    { ...VIEW, sortColumn: 'id' },
    { ...VIEW, sortColumn: 'constructor' },
    { ...VIEW, sortColumn: null },
    { ...VIEW, sortDir: 'up' },
    { ...VIEW, sortDir: 'DESC' },
    { ...VIEW, filter: null },
    { ...VIEW, filter: ['tcp'] },
    { ...VIEW, filter: 'x'.repeat(MAX_FILTER_LENGTH + 1) },
    { ...VIEW, start: -1 },
    { ...VIEW, start: 1.5 },
    { ...VIEW, end: 39 },
    { ...VIEW, end: '120' },
    { ...VIEW, end: Infinity },
    { ...VIEW, start: 0, end: MAX_VIEW_ROWS + 1 },
    { ...VIEW, select: undefined },
    { ...VIEW, select: 7 },
    { ...VIEW, select: [] },
    { ...VIEW, select: {} },
    { ...VIEW, select: { id: 1.5 } },
    { ...VIEW, select: { id: '7' } },
    { ...VIEW, select: { index: -1 } },
    { ...VIEW, select: { index: 0.5 } },
    { ...VIEW, select: { id: 1, index: 1 } },
    { ...VIEW, select: { id: 1, extra: true } },
    { ...VIEW, have: undefined },
    { ...VIEW, have: 7 },
    { ...VIEW, have: [] },
    { ...VIEW, have: {} },
    { ...VIEW, have: { start: 0, end: 10 } },
    { ...VIEW, have: { start: 0, end: 10, order: 1, extra: 1 } },
    { ...VIEW, have: { start: 10, end: 9, order: 1 } },
    { ...VIEW, have: { start: 0, end: MAX_VIEW_ROWS + 1, order: 1 } },
    { ...VIEW, have: { start: -1, end: 9, order: 1 } },
    { ...VIEW, have: { start: 0, end: 9.5, order: 1 } },
    { ...VIEW, have: { start: 0, end: 9, order: -1 } },
    { ...VIEW, have: { start: 0, end: 9, order: 2 ** 53 } },
    { ...VIEW, have: { start: 0, end: 9, order: '1' } },
  ]) {
    const r = checkViewRequest(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
    assert.ok(!r.ok && r.error.code === 'bad_arguments' && r.error.message.length > 0 && r.error.action.length > 0);
  }
  fc.assert(
    fc.property(fc.anything(), (v) => {
      const r = checkViewRequest(v);
      if (r.ok) assert.deepEqual(Object.keys(r.value).sort(), ['end', 'filter', 'have', 'select', 'seq', 'sortColumn', 'sortDir', 'start']);
      else assert.equal(r.error.code, 'bad_arguments');
    }),
    { numRuns: 500 },
  );
});

test('overview requests: exactly visible and order, each checked, returned as a fresh object', () => {
  const req = { visible: true, order: 'rate' } as const;
  const ok = checkOverviewRequest(req);
  assert.deepEqual(ok, { ok: true, value: req });
  assert.ok(ok.ok && ok.value !== (req as unknown));
  assert.ok(checkOverviewRequest({ visible: false, order: 'bytes' }).ok);
  for (const bad of [null, [], 'x', {}, { visible: true }, { visible: 'yes', order: 'bytes' }, { visible: true, order: 'flows' }, { visible: true, order: 'bytes', top: 5 }]) {
    assert.equal(checkOverviewRequest(bad).ok, false, JSON.stringify(bad));
  }
});

test('start requests with an IPFIX export: HOST:PORT, udp or tcp, optional timeouts; anything else is refused', () => {
  const base = { interface: 'eth0', filter: '', promisc: false };
  const ok = { collector: '127.0.0.1:4739', transport: 'udp', activeTimeout: 30, idleTimeout: 5 };
  assert.deepEqual(checkStartCapture({ ...base, ipfix: ok }), { ok: true, value: { ...base, ipfix: ok } });
  assert.deepEqual(checkStartCapture({ ...base, ipfix: null }), { ok: true, value: base });
  for (const c of ['collector.lan:2055', '[::1]:4739', '10.0.0.1:1']) {
    assert.ok(checkStartCapture({ ...base, ipfix: { collector: c, transport: 'tcp' } }).ok, c);
  }
  const bad: unknown[] = [
    { collector: '127.0.0.1', transport: 'udp' },
    { collector: '127.0.0.1:0', transport: 'udp' },
    { collector: '127.0.0.1:65536', transport: 'udp' },
    { collector: '::1:4739', transport: 'udp' },
    { collector: 'a b:4739', transport: 'udp' },
    { collector: '127.0.0.1:4739', transport: 'sctp' },
    { collector: '127.0.0.1:4739' },
    { collector: '127.0.0.1:4739', transport: 'udp', activeTimeout: 0 },
    { collector: '127.0.0.1:4739', transport: 'udp', idleTimeout: '15' },
    { collector: '127.0.0.1:4739', transport: 'udp', idleTimeout: 86401 },
    { collector: '127.0.0.1:4739', transport: 'udp', domain: 1 },
    '127.0.0.1:4739',
    [],
  ];
  for (const ipfix of bad) {
    const r = checkStartCapture({ ...base, ipfix });
    assert.equal(r.ok, false, JSON.stringify(ipfix));
    if (!r.ok) {
      assert.equal(r.error.code, 'bad_arguments');
      assert.match(r.error.message, /IPFIX/);
    }
  }
});
