import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureCliExit, describeHelperEnding, type HelperEnding } from '../../src/capture-client/capture-failure.ts';
import { HELPER_ERROR_EXIT, type ErrorMessage, type ExitMessage, type HelperErrorCode } from '../../src/shared/helper-protocol.ts';

const base: HelperEnding = { code: 0, signal: null, viaPkexec: true, lastError: null, exitMessage: null, stopRequested: false };
const err = (message: string, code: HelperErrorCode = 'capture_open_failed'): ErrorMessage => ({ type: 'error', code, message });
const exitLine = (code: number): ExitMessage => ({ type: 'exit', reason: 'error', code: code as ExitMessage['code'] });
/** How the helper ends after `fail(code, ...)`: its error line, its exit line, that status. */
const failedWith = (code: HelperErrorCode, message = `detail ${code}`): HelperEnding => ({
  ...base,
  code: HELPER_ERROR_EXIT[code],
  lastError: err(message, code),
  exitMessage: exitLine(HELPER_ERROR_EXIT[code]),
});

test('pkexec 126 and 127 are dismissal and refusal, exit 77', () => {
  const d = describeHelperEnding({ ...base, code: 126 });
  assert.equal(d?.kind, 'dismissed');
  assert.match(d?.message ?? '', /authentication dismissed/);
  assert.equal(d?.cliExit, 77);
  const n = describeHelperEnding({ ...base, code: 127 });
  assert.equal(n?.kind, 'not_authorised');
  assert.match(n?.message ?? '', /not authorised/);
  assert.equal(n?.cliExit, 77);
});

test('127 because no agent could ask for a password says so', () => {
  const f = describeHelperEnding({ ...base, code: 127, otherLine: 'Error executing command as another user: No authentication agent found.' });
  assert.equal(f?.kind, 'not_authorised');
  assert.equal(f?.cliExit, 77);
  assert.match(f?.message ?? '', /no authentication agent \(or terminal\) is there/);
});

test('126/127 without pkexec in front are not read as polkit answers', () => {
  assert.equal(describeHelperEnding({ ...base, viaPkexec: false, code: 127 })?.kind, 'helper_failed');
  assert.equal(describeHelperEnding({ ...base, viaPkexec: false, code: 126 })?.kind, 'helper_failed');
});

test('every helper status maps to its own kind and CLI status, with the last error line', () => {
  const cases: Array<[number, string, number]> = [
    [2, 'bad_arguments', 2],
    [3, 'capture_open_failed', 3],
    [4, 'sandbox_strict', 4],
    [5, 'not_privileged', 5],
    [6, 'sandbox_failed', 6],
    [7, 'privilege_drop_failed', 7],
    [8, 'capture_failed', 8],
    [9, 'helper_internal', 9],
  ];
  for (const [code, kind, cliExit] of cases) {
    for (const viaPkexec of [true, false]) {
      const f = describeHelperEnding({ ...base, viaPkexec, code, lastError: err(`detail ${code}`), exitMessage: exitLine(code) });
      assert.equal(f?.kind, kind, `exit ${code}`);
      assert.equal(f?.cliExit, cliExit);
      assert.match(f?.message ?? '', new RegExp(`: detail ${code}$`));
      assert.doesNotMatch(f?.message ?? '', /\n/);
    }
  }
});

test('what each error code of the helper comes back as', () => {
  const expected: Record<HelperErrorCode, [string, number]> = {
    bad_arguments: ['bad_arguments', CaptureCliExit.badArguments],
    no_such_interface: ['bad_arguments', CaptureCliExit.badArguments],
    bad_filter: ['bad_arguments', CaptureCliExit.badArguments],
    capture_open_failed: ['capture_open_failed', CaptureCliExit.captureOpenFailed],
    sandbox_strict: ['sandbox_strict', CaptureCliExit.sandboxStrictRefused],
    not_privileged: ['not_privileged', CaptureCliExit.notPrivileged],
    sandbox_failed: ['sandbox_failed', CaptureCliExit.sandboxSetupFailed],
    privilege_drop_failed: ['privilege_drop_failed', CaptureCliExit.privilegeDropFailed],
    capture_failed: ['capture_failed', CaptureCliExit.captureFailed],
    internal: ['helper_internal', CaptureCliExit.helperInternal],
  };
  for (const code of Object.keys(HELPER_ERROR_EXIT) as HelperErrorCode[]) {
    const f = describeHelperEnding(failedWith(code));
    assert.deepEqual([f?.kind, f?.cliExit], expected[code], code);
  }
  // Only a strict-mode refusal talks about strict mode.
  for (const code of ['sandbox_failed', 'privilege_drop_failed', 'internal', 'capture_failed'] as const) {
    assert.doesNotMatch(describeHelperEnding(failedWith(code, 'x'))?.message ?? '', /strict (sandbox )?mode|sandbox-strict/i, code);
  }
  assert.match(describeHelperEnding(failedWith('privilege_drop_failed', 'EPERM'))?.message ?? '', /could not give up root.*: EPERM$/);
  assert.match(describeHelperEnding(failedWith('internal', 'boom'))?.message ?? '', /internal error: boom$/);
});

test('CLI statuses are distinct and pass the helper statuses through', () => {
  const values = Object.values(CaptureCliExit);
  assert.equal(new Set(values).size, values.length);
  for (const code of Object.keys(HELPER_ERROR_EXIT) as HelperErrorCode[]) {
    assert.equal(describeHelperEnding(failedWith(code))?.cliExit, HELPER_ERROR_EXIT[code], code);
  }
});

test('a status without the helper\'s matching exit line is not read as the helper\'s word', () => {
  // Node exits 4, 5, 6, 7 or 9 on its own failures (and 1 on an uncaught exception), without an exit line.
  for (const code of [1, 4, 5, 6, 7, 9]) {
    for (const exitMessage of [null, exitLine(0), exitLine(code === 4 ? 5 : 4)]) {
      const f = describeHelperEnding({ ...base, viaPkexec: false, code, lastError: null, exitMessage });
      assert.equal(f?.kind, 'helper_failed', `exit ${code} with ${JSON.stringify(exitMessage)}`);
      assert.equal(f?.cliExit, CaptureCliExit.failed);
      assert.equal(f?.message, `the capture helper failed (exit ${code})`);
    }
  }
  // An error line seen before such an ending is still shown.
  const f = describeHelperEnding({ ...base, code: 6, lastError: err('late', 'sandbox_failed'), exitMessage: null });
  assert.equal(f?.kind, 'helper_failed');
  assert.match(f?.message ?? '', /: late$/);
  // An exit line naming a status the protocol does not know is no meaning either.
  assert.equal(describeHelperEnding({ ...base, code: 42, exitMessage: exitLine(42) })?.kind, 'helper_failed');
});

test('a clean exit, or a signal we asked for, is no failure; an unexpected signal is', () => {
  assert.equal(describeHelperEnding(base), null);
  assert.equal(describeHelperEnding({ ...base, code: null, signal: 'SIGTERM', stopRequested: true }), null);
  const k = describeHelperEnding({ ...base, code: null, signal: 'SIGKILL' });
  assert.equal(k?.kind, 'killed');
  assert.match(k?.message ?? '', /SIGKILL/);
  assert.equal(describeHelperEnding({ ...base, code: 13 })?.kind, 'helper_failed');
});
