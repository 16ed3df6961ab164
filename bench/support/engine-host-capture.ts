/**
 * The engine host capturing live, as the app runs it (bench/helper-capture.bench.ts starts this inside the test
 * namespace): the real EngineHost with the real live pipeline and recording, an update listener standing in for the
 * renderer (the default window of rows, every update), until SIGINT or the helper's end; then one JSON line with what it
 * kept.
 * Usage: node engine-host-capture.ts IFACE
 */
import { EngineHost } from '../../src/engine-host/engine-host.ts';
import { createLiveCaptureStarter } from '../../src/engine-host/live-capture-adapter.ts';
import type { EngineUpdate } from '../../src/shared/ipc.ts';

const iface = process.argv[2];
const host = new EngineHost({ startLive: createLiveCaptureStarter({ launch: 'direct' }) });
let last: EngineUpdate | null = null;
let updates = 0;
let rows = 0;
host.onUpdate((u) => {
  last = u;
  updates++;
  rows += u.rows.length;
});
host.setView({ seq: 1, sortColumn: 'down', sortDir: 'desc', filter: '', start: 0, end: 60, select: null, have: null });
const started = await host.startCapture({ interface: iface, filter: '', promisc: false });
if (!started.ok) {
  process.stderr.write(`engine host capture failed: ${started.error.message}\n`);
  process.exit(1);
}
process.stdout.write(JSON.stringify({ type: 'started' }) + '\n');
let finishing = false;
/** One summary line of what the host kept, then exit. */
const finish = async (stop: boolean) => {
  if (finishing) return;
  finishing = true;
  if (stop) await host.stopCapture();
  const endedAt = Date.now();
  // The last update follows the end of the capture.
  await new Promise((r) => setTimeout(r, 300));
  const u = last as EngineUpdate | null;
  process.stdout.write(
    JSON.stringify({ type: 'summary', packets: u?.stats.packets ?? 0, dropped_kernel: u?.stats.kernelDrops ?? null, flows: u?.total ?? 0, updates, rows, status: host.getStatus().state, ended_at: endedAt }) + '\n',
  );
  await host.dispose();
  process.exit(0);
};
process.on('SIGINT', () => void finish(true));
// A helper that ends by itself (a stand-in replaying a file, bench/capture-pipeline.bench.ts) ends the run too.
host.onStatus((st) => {
  if (st.state === 'stopped' || st.state === 'error') void finish(false);
});
