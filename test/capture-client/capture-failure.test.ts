import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeHelperEnding, type HelperEnding } from '../../src/capture-client/capture-failure.ts';
import type { ErrorMessage } from '../../src/shared/helper-protocol.ts';

const base: HelperEnding = { code: 0, signal: null, viaPkexec: true, lastError: null, exitMessage: null, stopRequested: false };
const err = (message: string): ErrorMessage => ({ type: 'error', code: 'capture_open_failed', message });

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

test('helper exits 2..5 map to their meaning with the last error line', () => {
  const cases: Array<[number, string, number]> = [
    [2, 'bad_arguments', 2],
    [3, 'capture_open_failed', 3],
    [4, 'sandbox_strict', 4],
    [5, 'not_privileged', 5],
  ];
  for (const [code, kind, cliExit] of cases) {
    const f = describeHelperEnding({ ...base, code, lastError: err(`detail ${code}`) });
    assert.equal(f?.kind, kind);
    assert.equal(f?.cliExit, cliExit);
    assert.match(f?.message ?? '', new RegExp(`: detail ${code}$`));
    assert.doesNotMatch(f?.message ?? '', /\n/);
  }
});

test('a clean exit, or a signal we asked for, is no failure; an unexpected signal is', () => {
  assert.equal(describeHelperEnding(base), null);
  assert.equal(describeHelperEnding({ ...base, code: null, signal: 'SIGTERM', stopRequested: true }), null);
  const k = describeHelperEnding({ ...base, code: null, signal: 'SIGKILL' });
  assert.equal(k?.kind, 'killed');
  assert.match(k?.message ?? '', /SIGKILL/);
  assert.equal(describeHelperEnding({ ...base, code: 9 })?.kind, 'helper_failed');
});
