/**
 * The `--write` / recording sink: private files, never written through a planted link or into someone else's file,
 * an existing file of the user's overwritten in place, and the cut-off last record trimmed through the descriptor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, linkSync, lstatSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileSinkError, preparePcapFileSink, type PcapFileSink } from '../../src/capture-client/pcap-file-sink.ts';
import { inTempDir } from '../support/temp-dir.ts';

const root = process.geteuid?.() === 0;
const mode = (p: string) => statSync(p).mode & 0o777;

/** Writes `bytes` then closes, trimming to `complete`; resolves with the close error's message, if any. */
async function writeAll(sink: PcapFileSink, bytes: string, complete = 0): Promise<string | null> {
  const errors: string[] = [];
  sink.onError((m) => errors.push(m));
  sink.write(Buffer.from(bytes));
  try {
    await sink.close(complete);
  } catch (e) {
    assert.ok(e instanceof FileSinkError);
    return e.message;
  }
  return errors[0] ?? null;
}

test('a new file is created 0600 whatever the umask', async () => {
  await inTempDir('sp-sink-', async (dir) => {
    const file = path.join(dir, 'out.pcap');
    const old = process.umask(0);
    try {
      assert.equal(await writeAll(preparePcapFileSink(file), 'abcdef'), null);
    } finally {
      process.umask(old);
    }
    assert.equal(readFileSync(file, 'utf8'), 'abcdef');
    assert.equal(mode(file), 0o600);
  });
});

test('a symbolic link at the name is refused before the capture, and when planted after the check', async () => {
  await inTempDir('sp-sink-', async (dir) => {
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'precious');
    const file = path.join(dir, 'out.pcap');
    symlinkSync(victim, file);
    assert.throws(() => preparePcapFileSink(file), /cannot write .*out\.pcap: is a symbolic link/);
    // Dangling links (to a file that would be created) too.
    const dangling = path.join(dir, 'dangling.pcap');
    symlinkSync(path.join(dir, 'created-through-link'), dangling);
    assert.throws(() => preparePcapFileSink(dangling), /is a symbolic link/);

    // The check passes, then the link appears before the first bytes arrive.
    const late = path.join(dir, 'late.pcap');
    const sink = preparePcapFileSink(late);
    symlinkSync(victim, late);
    assert.match((await writeAll(sink, 'captured bytes')) ?? '', /cannot write .*late\.pcap: is a symbolic link/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(mode(victim), 0o644);
    assert.equal(lstatSync(path.join(dir, 'created-through-link'), { throwIfNoEntry: false }), undefined);
  });
});

test("an existing file of the user's is overwritten in place, shortened, and made private", async () => {
  await inTempDir('sp-sink-', async (dir) => {
    const file = path.join(dir, 'old.pcap');
    writeFileSync(file, 'old contents that are longer than the new ones');
    chmodSync(file, 0o644);
    const ino = statSync(file).ino;
    assert.equal(await writeAll(preparePcapFileSink(file), 'new'), null);
    assert.equal(readFileSync(file, 'utf8'), 'new');
    assert.equal(statSync(file).ino, ino, 'the same file');
    assert.equal(mode(file), 0o600);
  });
});

test('an existing file with another hard link is refused, untouched', async () => {
  await inTempDir('sp-sink-', async (dir) => {
    const other = path.join(dir, 'other');
    writeFileSync(other, 'keep');
    const file = path.join(dir, 'linked.pcap');
    linkSync(other, file);
    assert.throws(() => preparePcapFileSink(file), /linked\.pcap: has other hard links/);
    // The same when the hard link appears after the check.
    const late = path.join(dir, 'late.pcap');
    const sink = preparePcapFileSink(late);
    linkSync(other, late);
    assert.match((await writeAll(sink, 'captured')) ?? '', /late\.pcap: has other hard links/);
    assert.equal(readFileSync(other, 'utf8'), 'keep');
  });
});

test("a file planted by another user is refused, untouched", { skip: root ? false : 'needs root to chown' }, async () => {
  await inTempDir('sp-sink-', async (dir) => {
    const file = path.join(dir, 'planted.pcap');
    writeFileSync(file, 'theirs');
    chmodSync(file, 0o666);
    chownSync(file, 65534, 65534);
    assert.throws(() => preparePcapFileSink(file), /planted\.pcap: belongs to another user \(uid 65534\)/);
    const late = path.join(dir, 'late.pcap');
    const sink = preparePcapFileSink(late);
    writeFileSync(late, 'theirs');
    chownSync(late, 65534, 65534);
    assert.match((await writeAll(sink, 'captured')) ?? '', /late\.pcap: belongs to another user/);
    assert.equal(readFileSync(late, 'utf8'), 'theirs');
  });
});

test('close trims the cut-off last record through the descriptor, not the path', async () => {
  await inTempDir('sp-sink-', async (dir) => {
    const file = path.join(dir, 'out.pcap');
    const sink = preparePcapFileSink(file);
    sink.write(Buffer.from('0123456789'));
    await sink.flush();
    assert.equal(await writeAll(sink, 'abc', 8), null);
    assert.equal(readFileSync(file, 'utf8'), '01234567');

    // The name now leads somewhere else by the time the capture ends: that file is left alone.
    const moved = path.join(dir, 'moved.pcap');
    const sink2 = preparePcapFileSink(file);
    sink2.write(Buffer.from('0123456789'));
    await sink2.flush();
    renameSync(file, moved);
    writeFileSync(file, 'someone else now');
    assert.equal(await writeAll(sink2, '', 4), null);
    assert.equal(readFileSync(file, 'utf8'), 'someone else now');
    assert.equal(readFileSync(moved, 'utf8'), '0123');
  });
});

test('flush and close after close do nothing (Save after the capture ended), and report no error', async () => {
  await inTempDir('sp-sink-', async (dir) => {
    const file = path.join(dir, 'out.pcap');
    const sink = preparePcapFileSink(file);
    const errors: string[] = [];
    sink.onError((m) => errors.push(m));
    sink.write(Buffer.from('abc'));
    await sink.close(0);
    await sink.flush();
    await sink.close(0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors, []);
    assert.equal(readFileSync(file, 'utf8'), 'abc');
  });
});

test('the sink takes megabytes before asking the pipe to wait: a flood is not paused after every 64 KiB read', async () => {
  await inTempDir('sp-sink-', async (dir) => {
    const file = path.join(dir, 'out.pcap');
    const sink = preparePcapFileSink(file);
    const chunk = Buffer.alloc(64 << 10, 1);
    let accepted = 0;
    while (accepted < 64 && sink.write(chunk)) accepted++;
    assert.ok(accepted >= 64, `only ${accepted} reads of 64 KiB before the sink asked to wait`);
    await sink.close(accepted * chunk.length);
    assert.equal(statSync(file).size, accepted * chunk.length);
  });
});
