import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCaptureArgs } from '../../src/capture-client/capture-args.ts';

test('parses every option, both --opt VALUE and --opt=VALUE', () => {
  const r = parseCaptureArgs([
    '--interface', 'eth0', '--filter=udp port 53', '--count', '10', '--duration=5', '--write', 'out.pcap', '--json', '--promisc', '--sandbox-strict',
  ]);
  assert.deepEqual(r, {
    ok: true,
    args: {
      helper: { interface: 'eth0', filter: 'udp port 53', count: 10, durationSeconds: 5, promisc: true, sandboxStrict: true },
      write: 'out.pcap',
      json: true,
    },
  });
  const minimal = parseCaptureArgs(['--interface', 'lo']);
  assert.deepEqual(minimal, { ok: true, args: { helper: { interface: 'lo' }, write: null, json: false } });
  assert.deepEqual(parseCaptureArgs(['--help']), { ok: 'help' });
  assert.deepEqual(parseCaptureArgs(['--interface', 'lo', '--attribute-processes']), { ok: true, args: { helper: { interface: 'lo', attributeProcesses: true }, write: null, json: false } });
  assert.deepEqual(parseCaptureArgs(['--interface', 'lo', '--buffer-mb', '256']), { ok: true, args: { helper: { interface: 'lo', bufferMb: 256 }, write: null, json: false } });
});

test('bad values give one line naming the problem', () => {
  const bad: Array<[string[], RegExp]> = [
    [[], /--interface is required/],
    [['--interface'], /--interface needs a value/],
    [['--interface', 'eth0; rm -rf /'], /not a valid interface name/],
    [['--interface', 'a'.repeat(16)], /not a valid interface name/],
    [['--interface', 'lo', '--count', '0'], /--count must be between 1 and/],
    [['--interface', 'lo', '--count', '-3'], /--count must be a whole number/],
    [['--interface', 'lo', '--count', '1e3'], /--count must be a whole number/],
    [['--interface', 'lo', '--count', '99999999999'], /--count must be between/],
    [['--interface', 'lo', '--duration', '1.5'], /--duration must be a whole number/],
    [['--interface', 'lo', '--duration', '0'], /--duration must be between/],
    [['--interface', 'lo', '--buffer-mb', '257'], /--buffer-mb must be between 1 and 256, got 257/],
    [['--interface', 'lo', '--buffer-mb', '1024'], /--buffer-mb must be between 1 and 256, got 1024/],
    [['--interface', 'lo', '--buffer-mb', '0'], /--buffer-mb must be between/],
    [['--interface', 'lo', '--filter', 'x'.repeat(5000)], /--filter is longer than 4096/],
    [['--interface', 'lo', '--filter', 'udp\nport 1'], /single line/],
    [['--interface', 'lo', '--write', ''], /--write needs a file name/],
    [['--interface', 'lo', '--write'], /--write needs a value/],
    [['--interface', 'lo', '--json=yes'], /--json takes no value/],
    [['--interface', 'lo', '--bogus'], /unknown option '--bogus'/],
    [['--interface', 'lo', 'extra'], /unexpected argument 'extra'/],
    [['--interface', 'lo', '--interface', 'eth0'], /given more than once/],
  ];
  for (const [argv, re] of bad) {
    const r = parseCaptureArgs(argv);
    assert.equal(r.ok, false, JSON.stringify(argv));
    if (r.ok === false) {
      assert.match(r.error, re, JSON.stringify(argv));
      assert.doesNotMatch(r.error, /\n/);
    }
  }
});
