/**
 * Starts the shared live pipeline (src/capture-client/live-capture.ts: the helper behind pkexec, or directly when
 * root, its stream straight into the engine and the recording) for the engine host. As in `sandpiper capture`, the
 * engine ingests through a QueuedIngest, so the helper's pipe is read between slices of ingesting: a burst the engine
 * is behind on waits in bounded memory, not in the kernel ring (which drops what does not fit).
 */
import { LiveCapture } from '../capture-client/live-capture.ts';
import { QueuedIngest, type QueuedIngestOptions } from '../engine/queued-ingest.ts';
import { locateHelper, HelperNotFoundError } from '../capture-client/locate-helper.ts';
import type { ErrorMessage } from '../shared/helper-protocol.ts';
import { actionFor, appError, mapCaptureFailure } from './app-errors.ts';
import type { StartLiveCapture } from './types.ts';

export interface LiveCaptureOptions {
  /** Explicit helper path (tests); else SANDPIPER_HELPER, an installed copy, or the checkout's dev build. */
  helperPath?: string;
  launch?: 'auto' | 'direct' | 'pkexec';
  /** Environment for a direct launch. */
  env?: NodeJS.ProcessEnv;
  /** How the queue in front of the engine ingests (tests run its slices by hand); default QueuedIngest's. */
  ingest?: QueuedIngestOptions;
}

export function createLiveCaptureStarter(o: LiveCaptureOptions = {}): StartLiveCapture {
  return (req, io, events) => {
    let located;
    try {
      located = locateHelper({ explicit: o.helperPath });
    } catch (e) {
      throw new Error(e instanceof HelperNotFoundError ? e.message : String(e));
    }
    let lastError: ErrorMessage | null = null;
    const ingest = new QueuedIngest(io.engine, o.ingest);
    const capture = new LiveCapture({
      helperPath: located.path,
      launch: o.launch ?? 'auto',
      env: o.env,
      // The app always asks for process attribution: the helper falls back to /proc by itself when eBPF cannot load.
      helper: { interface: req.interface, filter: req.filter, promisc: req.promisc, attributeProcesses: true },
      engine: ingest,
      sink: io.recording,
      maxSinkBytes: io.maxRecordingBytes,
    });
    capture.on('sandbox', (m) => events.sandbox(m));
    // Socket events go straight to the engine (not behind queued packets): an event waits there for its flow.
    capture.run.on('socketEvents', (chunk) => io.engine.pushSocketEvents(chunk));
    capture.run.on('attribution', (m) => events.attribution?.(m));
    capture.on('stats', (m) => events.stats(m));
    capture.on('packets', () => events.packets());
    capture.on('sinkFull', () => events.recordingFull());
    capture.on('error', (m) => {
      lastError = m;
    });
    capture.on('streamInvalid', (reason) => {
      events.streamInvalid(reason);
      void capture.stop();
    });
    capture.on('end', (r) => {
      if (r.failure) events.end(mapCaptureFailure(r.failure, lastError), r.pipeDrops);
      else if (r.streamInvalid) events.end(appError('helper_exited', `The capture stream was not valid pcap: ${r.streamInvalid}.`, actionFor('helper_exited')), r.pipeDrops);
      else events.end(null, r.pipeDrops);
    });
    capture.start();
    return {
      devWarning: located.devWarning,
      recordingCut: () => capture.sinkCut,
      queuedBytes: () => ingest.queuedBytes,
      stop: async () => {
        await capture.stop();
      },
    };
  };
}
