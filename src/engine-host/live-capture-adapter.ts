/**
 * Wires src/capture-client (the helper behind pkexec, or directly when root) to the session's LiveCaptureSink.
 * The engine consumes chunks synchronously, so no backpressure pause is needed here.
 */
import { startHelperRun, type HelperRun } from '../capture-client/helper-run.ts';
import { locateHelper, HelperNotFoundError } from '../capture-client/locate-helper.ts';
import type { ErrorMessage } from '../shared/helper-protocol.ts';
import { actionFor, appError, mapCaptureFailure } from './app-errors.ts';
import type { LiveCaptureHandle, StartLiveCapture } from './types.ts';

export interface LiveCaptureOptions {
  /** Explicit helper path (tests); else SANDPIPER_HELPER, an installed copy, or the checkout's dev build. */
  helperPath?: string;
  launch?: 'auto' | 'direct' | 'pkexec';
  /** Environment for a direct launch. */
  env?: NodeJS.ProcessEnv;
}

export function createLiveCaptureStarter(o: LiveCaptureOptions = {}): StartLiveCapture {
  return (req, sink) => {
    let located;
    try {
      located = locateHelper({ explicit: o.helperPath });
    } catch (e) {
      const msg = e instanceof HelperNotFoundError ? e.message : String(e);
      throw new Error(msg);
    }
    let lastError: ErrorMessage | null = null;
    let session: HelperRun | null = null;
    session = startHelperRun(
      {
        helperPath: located.path,
        launch: o.launch ?? 'auto',
        env: o.env,
        helper: { interface: req.interface, filter: req.filter, promisc: req.promisc },
      },
      (s) => {
        s.on('data', (chunk) => {
          sink.data(chunk);
        });
        s.on('sandbox', (m) => sink.sandbox(m));
        s.on('stats', (m) => sink.stats(m));
        s.on('error', (m) => {
          lastError = m;
        });
        s.on('end', (r) => {
          if (r.failure) sink.end(mapCaptureFailure(r.failure, lastError));
          else if (r.streamInvalid) sink.end(appError('helper_exited', `The capture stream was not valid pcap: ${r.streamInvalid}.`, actionFor('helper_exited')));
          else sink.end(null);
        });
      },
    );
    const handle: LiveCaptureHandle = {
      devWarning: located.devWarning,
      stop: async () => {
        await session?.stop();
      },
    };
    return handle;
  };
}
