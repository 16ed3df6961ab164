import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapCaptureFailure, fileError, actionFor } from '../../src/engine-host/app-errors.ts';
import type { ErrorMessage } from '../../src/shared/helper-protocol.ts';
import type { AppErrorCode } from '../../src/shared/ipc.ts';

const err = (code: ErrorMessage['code'], message = 'x'): ErrorMessage => ({ type: 'error', code, message });

test('capture failures map to AppErrors with a sentence and an action', () => {
  const cases: [Parameters<typeof mapCaptureFailure>[0]['kind'], ErrorMessage | null, AppErrorCode][] = [
    ['dismissed', null, 'auth_dismissed'],
    ['not_authorised', null, 'not_authorised'],
    ['not_privileged', null, 'not_authorised'],
    ['sandbox_strict', err('sandbox_strict'), 'sandbox_strict'],
    ['bad_arguments', null, 'bad_arguments'],
    ['bad_arguments', err('bad_filter'), 'bad_filter'],
    ['capture_open_failed', null, 'capture_open_failed'],
    ['capture_open_failed', err('no_such_interface'), 'interface_gone'],
    ['capture_open_failed', err('bad_filter'), 'bad_filter'],
    ['spawn_failed', null, 'helper_exited'],
    ['killed', null, 'helper_exited'],
    ['helper_failed', err('capture_failed'), 'helper_exited'],
  ];
  for (const [kind, last, code] of cases) {
    const e = mapCaptureFailure({ kind, message: 'cannot open the capture: eth9: No such device exists' }, last);
    assert.equal(e.code, code, `${kind}/${last?.code}`);
    assert.equal(e.message, 'Cannot open the capture: eth9: No such device exists.');
    assert.equal(e.action, actionFor(code));
    assert.ok(e.action.length > 10);
  }
  assert.equal(mapCaptureFailure({ kind: 'killed', message: '' }, null).message, 'The capture failed.');
});

test('file errors name the file, say why, and give the byte offset of corruption', () => {
  assert.equal(fileError('/a/b/x.pcap', { code: 'ENOENT' }).message, 'Cannot read x.pcap: the file does not exist.');
  assert.equal(fileError('/a/b/x.pcap', { code: 'EACCES' }).message, 'Cannot read x.pcap: permission denied.');
  assert.equal(fileError('/x.pcap', { reason: 'bad magic', offset: 0 }).message, 'Cannot read x.pcap: bad magic at byte 0.');
  assert.equal(fileError('/x.pcap', { reason: 'bad magic', offset: 0 }).code, 'unreadable_file');
});
