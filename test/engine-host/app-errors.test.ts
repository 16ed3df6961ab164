import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapCaptureFailure, fileError, actionFor } from '../../src/engine-host/app-errors.ts';
import { describeHelperEnding } from '../../src/capture-client/capture-failure.ts';
import { HELPER_ERROR_EXIT, type ErrorMessage, type HelperErrorCode } from '../../src/shared/helper-protocol.ts';
import type { AppErrorCode } from '../../src/shared/ipc.ts';

const err = (code: ErrorMessage['code'], message = 'x'): ErrorMessage => ({ type: 'error', code, message });

test('capture failures map to AppErrors with a sentence and an action', () => {
  const cases: [Parameters<typeof mapCaptureFailure>[0]['kind'], ErrorMessage | null, AppErrorCode][] = [
    ['dismissed', null, 'auth_dismissed'],
    ['not_authorised', null, 'not_authorised'],
    ['not_privileged', null, 'not_authorised'],
    ['sandbox_strict', err('sandbox_strict'), 'sandbox_strict'],
    ['sandbox_failed', err('sandbox_failed'), 'sandbox_failed'],
    ['privilege_drop_failed', err('privilege_drop_failed'), 'privilege_drop_failed'],
    ['capture_failed', err('capture_failed'), 'capture_failed'],
    ['helper_internal', err('internal'), 'helper_internal'],
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

/** The AppError the app shows after the helper ran `fail(code, message)`. */
function appErrorAfter(code: HelperErrorCode, message: string) {
  const lastError = err(code, message);
  const f = describeHelperEnding({
    code: HELPER_ERROR_EXIT[code],
    signal: null,
    viaPkexec: true,
    lastError,
    exitMessage: { type: 'exit', reason: 'error', code: HELPER_ERROR_EXIT[code] },
    stopRequested: false,
  });
  assert.ok(f, code);
  return mapCaptureFailure(f, lastError);
}

test('each helper error code ends as its own AppError', () => {
  const expected: Record<HelperErrorCode, AppErrorCode> = {
    bad_arguments: 'bad_arguments',
    no_such_interface: 'interface_gone',
    bad_filter: 'bad_filter',
    capture_open_failed: 'capture_open_failed',
    not_privileged: 'not_authorised',
    sandbox_strict: 'sandbox_strict',
    sandbox_failed: 'sandbox_failed',
    privilege_drop_failed: 'privilege_drop_failed',
    capture_failed: 'capture_failed',
    internal: 'helper_internal',
  };
  for (const code of Object.keys(HELPER_ERROR_EXIT) as HelperErrorCode[]) {
    const e = appErrorAfter(code, 'the detail');
    assert.equal(e.code, expected[code], code);
    assert.equal(e.action, actionFor(expected[code]));
    assert.match(e.message, /: the detail\.$/);
  }
});

test('only a strict-mode refusal advises turning strict mode off', () => {
  for (const code of Object.keys(HELPER_ERROR_EXIT) as HelperErrorCode[]) {
    const e = appErrorAfter(code, 'x');
    if (code === 'sandbox_strict') assert.match(e.action, /strict sandbox mode/);
    else assert.doesNotMatch(`${e.message} ${e.action}`, /strict (sandbox )?mode|sandbox-strict/i, code);
  }
});

test('the advice fits the failure', () => {
  const drop = appErrorAfter('privilege_drop_failed', 'could not become uid 1000 gid 1000: EPERM, Operation not permitted');
  assert.equal(drop.message, 'The capture helper could not give up root, so it did not capture: could not become uid 1000 gid 1000: EPERM, Operation not permitted.');
  assert.match(drop.action, /user and group/);
  const setup = appErrorAfter('sandbox_failed', 'could not restrict the helper before starting the capture: PR_CAPBSET_DROP 0 failed (errno 1)');
  assert.match(setup.message, /could not set up its sandbox.*PR_CAPBSET_DROP 0 failed/);
  assert.match(setup.action, /sandpiper helper status/);
  // An internal error is a bug: the user is asked to report it together with what the helper said.
  const bug = appErrorAfter('internal', 'internal error in the capture helper: x is undefined');
  assert.equal(bug.message, 'The capture helper hit an internal error: internal error in the capture helper: x is undefined.');
  assert.match(bug.action, /bug/);
  assert.match(bug.action, /report it with the message/);
  const stopped = appErrorAfter('capture_failed', 'the capture stopped: The interface disappeared');
  assert.match(stopped.action, /interface/);
  const actions = new Set(['sandbox_strict', 'sandbox_failed', 'privilege_drop_failed', 'capture_failed', 'helper_internal', 'capture_open_failed', 'bad_arguments'].map((c) => actionFor(c as AppErrorCode)));
  assert.equal(actions.size, 7, 'no two of these failures share one piece of advice');
});

test('file errors name the file, say why, and give the byte offset of corruption', () => {
  assert.equal(fileError('/a/b/x.pcap', { code: 'ENOENT' }).message, 'Cannot read x.pcap: the file does not exist.');
  assert.equal(fileError('/a/b/x.pcap', { code: 'EACCES' }).message, 'Cannot read x.pcap: permission denied.');
  assert.equal(fileError('/x.pcap', { reason: 'bad magic', offset: 0 }).message, 'Cannot read x.pcap: bad magic at byte 0.');
  assert.equal(fileError('/x.pcap', { reason: 'bad magic', offset: 0 }).code, 'unreadable_file');
});
