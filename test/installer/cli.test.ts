/** `sandpiper helper …` argument handling: usage mistakes are one line and exit 64, never a stack trace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(repo, 'src/cli/sandpiper.ts'), 'helper', ...args], { encoding: 'utf8' });

test('unknown or missing helper commands are usage errors', () => {
  for (const args of [[], ['frob'], ['install', '--bogus'], ['uninstall', 'now']]) {
    const r = run(...args);
    if (args[0] === 'install' || args[0] === 'uninstall') {
      // These reach option parsing only when build info loads (helper built); either way: no stack trace.
      assert.ok(r.status === 64 || r.status === 1, `${args.join(' ')}: ${r.status}`);
    } else {
      assert.equal(r.status, 64, args.join(' '));
    }
    assert.match(r.stderr, /^sandpiper: [^\n]+\n/, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('--help prints the three commands on stdout', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /helper install \[--source DIR\]/);
  assert.match(r.stdout, /helper uninstall/);
  assert.match(r.stdout, /helper status \[--json\]/);
});
