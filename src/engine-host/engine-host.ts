/**
 * The engine host's state: one source at a time (a live capture or a file), its engine, and the flows view over
 * the engine's table (view/flow-view-model.ts). Updates go out at most once per `intervalMs` (100 ms → ≤ 10 a
 * second), never per packet; each carries only what the renderer's last ViewRequest asks for (the rows of its
 * window, counts, the selected flow), the stats, and the traffic chart when it changed. A setView is answered with
 * an update of its own, promptly, which leaves out the rows the renderer says it holds (ViewRequest.have).
 * Time: a live capture's clock advances with wall time at every update, so rates fall to zero when a flow goes quiet;
 * a stopped or paused capture, and a file read to its end, show no rates.
 * A live capture is recorded for "Save capture" by the same backpressure-aware sink as `sandpiper capture --write`,
 * bounded (MAX_RECORDING_BYTES, or a quarter of the free space where it goes) and private; this user's recordings
 * left by a host that died are removed at start.
 * Electron-free: the utility process (main.ts) and `sandpiper ui` both drive it.
 */
import { lstat, mkdtemp, open, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Engine } from '../engine/engine.ts';
import type { FlowRow } from '../shared/flow.ts';
import { copyToPrivateFile, preparePcapFileSink, reason, type PcapFileSink } from '../capture-client/pcap-file-sink.ts';
import type { AttributionMessage, SandboxMessage, StatsMessage } from '../shared/helper-protocol.ts';
import { EMPTY_STATS, type AppError, type CaptureStatusView, type ChartSeries, type EngineUpdate, type IpfixExportRequest, type IpfixStatsView, type OverviewRequest, type Result, type FlowPacketsSave, type StartCaptureRequest, type StatsView, type TableExport, type TableExportRequest, type ViewRequest } from '../shared/ipc.ts';
import { actionFor, appError, fileError } from './app-errors.ts';
import { createSourceEngine } from './engine-adapter.ts';
import { StatsMeter } from './stats-meter.ts';
import { splitIpfixArgs, startIpfix, type IpfixSession } from './ipfix/ipfix-cli.ts';
import { EMPTY_STORE, FlowViewModel } from './view/flow-view-model.ts';
import { exportTable } from './export/table-export.ts';
import { tableRows } from './export/table-rows.ts';
import { FlowPacketsError, FlowSeriesReader, saveFlowPackets } from './export/flow-packets.ts';
import { OverviewModel } from './view/overview-model.ts';
import { NoticeDetector } from './notifications.ts';
import type { FavouritesRequest } from '../shared/flows/favourites.ts';
import type { Notice, NotificationRules } from '../shared/notices.ts';
import { describeFormatError, type CreateEngine, type LiveCaptureHandle, type StartLiveCapture } from './types.ts';

export interface EngineHostOptions {
  /** The engine for a new source; default: the real engine (engine-adapter.ts). */
  createEngine?: CreateEngine;
  /** Absent where live capture is not wired (then startCapture answers with an error). */
  startLive?: StartLiveCapture;
  /** Minimum time between two updates; default 100 ms. */
  intervalMs?: number;
  /** Wall clock in ms; default Date.now. */
  now?: () => number;
  /** Read size for capture files; default 1 MiB. */
  chunkBytes?: number;
  /** Where recordings go; default the system's temporary directory. */
  recordingDir?: string;
  /** Bound of a live recording; default MAX_RECORDING_BYTES or a quarter of the space free where it goes, if less. */
  maxRecordingBytes?: number;
}

type Listener<T> = (v: T) => void;

/** A live recording stops growing here (or sooner on a fuller disk, or a small tmpfs); the capture goes on. */
export const MAX_RECORDING_BYTES = 1 << 30;
const RECORDING_PREFIX = 'sandpiper-rec-';

const IDLE: CaptureStatusView = { state: 'idle', source: null, sandbox: null, error: null, devWarning: null, recordingFullAt: null };

interface Recording {
  dir: string;
  sink: PcapFileSink;
}

export class EngineHost {
  private readonly opts: EngineHostOptions;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly createEngine: CreateEngine;
  private readonly updateListeners = new Set<Listener<EngineUpdate>>();
  private readonly statusListeners = new Set<Listener<CaptureStatusView>>();
  private readonly noticeListeners = new Set<Listener<Notice[]>>();
  /** The user's notifications, looked for in live captures only. */
  private readonly notices = new NoticeDetector();
  private status: CaptureStatusView = IDLE;
  private engine: Engine | null = null;
  private meter: StatsMeter | null = null;
  private readonly model = new FlowViewModel();
  private readonly overview = new OverviewModel();
  private live: LiveCaptureHandle | null = null;
  /** Bumped whenever the source changes, so callbacks of an old source are ignored. */
  private generation = 0;
  private seq = 0;
  private paused = false;
  private lastEmit = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** A reply to setView is due (one for every setView of the same event-loop turn). */
  private reply: ReturnType<typeof setImmediate> | null = null;
  /** Stats and time of the last engine update, repeated in replies to setView. */
  private stats: StatsView = EMPTY_STATS;
  private statsTs: number | null = null;
  /** What the chart last sent held: the timeline's version and its whole bins; -1 forces a send. */
  private chartVersion = -1;
  private chartBins = -1;
  private recording: Recording | null = null;
  /** The live capture's IPFIX export (as `sandpiper capture --ipfix`), kept after it ends for its final counts. */
  private ipfix: IpfixSession | null = null;
  private ipfixTicked = 0;
  private ipfixFinished: Promise<void> | null = null;
  private sourceFile: string | null = null;
  /** The details drawer's flow chart, read on from where the last ask stopped, and the flow it is of. */
  private readonly flowSeriesReader = new FlowSeriesReader();
  private chartedId: number | null = null;
  private readonly staleSwept: Promise<void>;

  constructor(opts: EngineHostOptions = {}) {
    this.opts = opts;
    this.intervalMs = opts.intervalMs ?? 100;
    this.now = opts.now ?? Date.now;
    this.createEngine = opts.createEngine ?? createSourceEngine;
    this.staleSwept = sweepStaleRecordings(this.recordingDir());
  }

  onUpdate(l: Listener<EngineUpdate>): () => void {
    this.updateListeners.add(l);
    // A new listener has no chart yet.
    this.chartVersion = -1;
    return () => this.updateListeners.delete(l);
  }

  onStatus(l: Listener<CaptureStatusView>): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  onNotice(l: Listener<Notice[]>): () => void {
    this.noticeListeners.add(l);
    return () => this.noticeListeners.delete(l);
  }

  getStatus(): CaptureStatusView {
    return this.status;
  }

  /** Starts a live capture; resolves once it runs (first sandbox report or packet) or failed to start. */
  async startCapture(req: StartCaptureRequest): Promise<Result> {
    const startLive = this.opts.startLive;
    if (!startLive) return { ok: false, error: appError('internal', 'Live capture is not available in this build.', 'Open a capture file instead.') };
    await this.stopSource();
    const gen = this.reset(true);
    this.setStatus({ state: 'starting', source: { kind: 'live', interface: req.interface }, sandbox: null, error: null, devWarning: null, recordingFullAt: null });
    await this.staleSwept;
    const dir = await mkdtemp(path.join(this.recordingDir(), `${RECORDING_PREFIX}${process.pid}-`));
    if (gen !== this.generation) {
      await rm(dir, { recursive: true, force: true });
      return { ok: false, error: appError('internal', 'The capture was replaced before it started.', actionFor('internal')) };
    }
    const recording: Recording = { dir, sink: preparePcapFileSink(path.join(dir, 'capture.pcap'), 0o600) };
    this.recording = recording;
    const maxRecordingBytes = this.opts.maxRecordingBytes ?? (await recordingBound(dir));
    if (gen !== this.generation) return { ok: false, error: appError('internal', 'The capture was replaced before it started.', actionFor('internal')) };
    const engine = this.engine as Engine;
    if (req.ipfix) {
      const started = await this.startExport(engine, req.ipfix);
      if (gen !== this.generation) return { ok: false, error: appError('internal', 'The capture was replaced before it started.', actionFor('internal')) };
      if (!started.ok) {
        this.finishSource(started.error);
        return started;
      }
    }
    return new Promise<Result>((resolve) => {
      let settled = false;
      const settle = (r: Result) => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const running = () => {
        if (this.status.state === 'starting') this.setStatus({ ...this.status, state: this.paused ? 'paused' : 'capturing' });
        settle({ ok: true, value: undefined });
      };
      let handle: LiveCaptureHandle;
      try {
        handle = startLive(req, { engine, recording: recording.sink, maxRecordingBytes }, {
          packets: () => {
            if (gen !== this.generation) return;
            running();
            this.schedule();
          },
          sandbox: (m: SandboxMessage) => {
            if (gen !== this.generation) return;
            this.setStatus({ ...this.status, sandbox: m });
            running();
          },
          attribution: (m: AttributionMessage) => {
            if (gen !== this.generation) return;
            this.setStatus({ ...this.status, attribution: m });
          },
          stats: (m: StatsMessage) => {
            if (gen !== this.generation) return;
            this.meter?.helperStats(m);
            this.schedule();
          },
          recordingFull: () => {
            if (gen !== this.generation) return;
            this.setStatus({ ...this.status, recordingFullAt: maxRecordingBytes });
          },
          streamInvalid: (reason: string) => {
            if (gen !== this.generation) return;
            const error = appError('helper_exited', `The capture stream is corrupt: ${reason}.`, actionFor('helper_exited'));
            this.setStatus({ ...this.status, state: 'error', error });
          },
          end: (error: AppError | null, pipeDrops: number) => {
            if (gen !== this.generation) return;
            this.live = null;
            if (this.meter) this.meter.pipeDrops = pipeDrops;
            this.finishSource(error);
            void this.finishExport();
            settle(error ? { ok: false, error } : { ok: true, value: undefined });
          },
        });
      } catch (e) {
        const error = appError('internal', `The capture could not start: ${e instanceof Error ? e.message : String(e)}.`, actionFor('internal'));
        this.finishSource(error);
        void this.finishExport();
        settle({ ok: false, error });
        return;
      }
      if (gen !== this.generation) return;
      this.live = handle;
      if (handle.devWarning) this.setStatus({ ...this.status, devWarning: handle.devWarning });
    });
  }

  /** Stops a live capture; resolves after its IPFIX export (if any) sent the flows left. */
  async stopCapture(): Promise<void> {
    await this.live?.stop();
    await this.finishExport();
  }

  /**
   * Pausing stops the updates and shows no rates (packets are still counted; a setView is still answered, from the
   * table as it is then); resuming brings in everything the engine changed meanwhile.
   */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    const st = this.status.state;
    if (paused && st === 'capturing') this.setStatus({ ...this.status, state: 'paused' });
    if (!paused && st === 'paused') this.setStatus({ ...this.status, state: 'capturing' });
    this.model.setRates(this.ratesLive());
    this.overview.setRates(this.ratesLive());
    if (!paused) this.schedule();
    else if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /**
   * Reads a pcap/pcapng file through a fresh engine; resolves when the whole file is read (or failed). A file that
   * cannot be opened, or is not a capture from its first bytes, is refused before anything is replaced: the
   * current capture or file stays on screen.
   */
  async openFile(file: string): Promise<Result<{ path: string }>> {
    const size = this.opts.chunkBytes ?? 1 << 20;
    let fh;
    let engine: Engine;
    let firstError: AppError | null = null;
    try {
      fh = await open(file, 'r');
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      // A fresh buffer per chunk: the engine may keep a tail of it across pushes.
      const { bytesRead, buffer } = await fh.read(Buffer.allocUnsafe(size), 0, size, null);
      engine = this.createEngine({ live: false });
      try {
        if (bytesRead > 0) engine.push(buffer.subarray(0, bytesRead));
        else engine.end();
      } catch (e) {
        const fmt = describeFormatError(e);
        // Corruption past the first bytes: show the flows read up to it. At byte 0 it is not a capture at all.
        if (!fmt || !fmt.offset) throw e;
        firstError = fileError(file, fmt);
      }
    } catch (e) {
      await fh?.close();
      const fmt = describeFormatError(e);
      return { ok: false, error: fmt ? fileError(file, fmt) : fileError(file, { code: (e as { code?: string }).code, reason: e instanceof Error ? e.message : undefined }) };
    }
    await this.stopSource();
    const gen = this.reset(false, engine);
    this.sourceFile = file;
    this.setStatus({ state: firstError ? 'error' : 'reading', source: { kind: 'file', path: file }, sandbox: null, error: firstError, devWarning: null, recordingFullAt: null });
    let error: AppError | null = firstError;
    try {
      while (!error) {
        const { bytesRead, buffer } = await fh.read(Buffer.allocUnsafe(size), 0, size, null);
        if (gen !== this.generation) return { ok: false, error: appError('internal', 'The file was replaced by another source.', actionFor('internal')) };
        if (bytesRead === 0) break;
        if (!this.feed(buffer.subarray(0, bytesRead), file)) {
          error = this.status.error;
          break;
        }
        this.schedule();
      }
    } catch (e) {
      error = fileError(file, { code: (e as { code?: string }).code, reason: e instanceof Error ? e.message : undefined });
    } finally {
      await fh.close();
    }
    // Ending the engine may find the file cut short inside its last record.
    if (gen === this.generation) error = this.finishSource(error);
    return error ? { ok: false, error } : { ok: true, value: { path: file } };
  }

  /**
   * Writes the current capture (the file read, or the live stream recorded so far, whole records only) to dest,
   * private and never through a link planted at its name (pcap-file-sink.ts).
   */
  async saveCapture(dest: string): Promise<Result<{ path: string }>> {
    const rec = this.recording;
    const from = this.sourceFile ?? rec?.sink.path ?? null;
    if (!from) return { ok: false, error: appError('bad_arguments', 'There is no capture to save yet.', 'Start a capture or open a file first.') };
    try {
      if (rec && from === rec.sink.path) {
        // A capture still running may have written half a record: the copy stops at the last whole one.
        const cut = this.live?.recordingCut() ?? null;
        await rec.sink.flush();
        await copyToPrivateFile(from, dest, cut);
      } else await copyToPrivateFile(from, dest, null);
      return { ok: true, value: { path: dest } };
    } catch (e) {
      return { ok: false, error: appError('internal', `Cannot save to ${path.basename(dest)}: ${reason(e)}.`, 'Choose a folder you can write to.') };
    }
  }

  /**
   * The flows table as the request's filter and sort show it, every matching flow (not the renderer's window), as
   * CSV or JSON; rates as the table shows them now.
   */
  exportTable(req: TableExportRequest): Result<TableExport> {
    const r = tableRows(this.engine ?? EMPTY_STORE, req, this.ratesLive());
    if (!r.ok) return { ok: false, error: appError('bad_arguments', `The flows filter does not parse: ${r.reason}`, 'Correct the filter, then export again.') };
    return { ok: true, value: { format: req.format, text: exportTable(r.rows, req.format), flows: r.rows.length } };
  }

  /**
   * Writes one flow's packets as pcap to dest: read again from the file, or from the live recording (whole records
   * only, so far); a live capture whose recording holds none of them says so.
   */
  async saveFlowPackets(req: FlowPacketsSave): Promise<Result<{ path: string; packets: number }>> {
    const got = await this.packetsOf(req.id, 'Open the capture as a file to save single flows.');
    if (!got.ok) return got;
    const { row, from, limit } = got.value;
    try {
      const { packets } = await saveFlowPackets(from, limit, row, req.path);
      return { ok: true, value: { path: req.path, packets } };
    } catch (e) {
      const why = this.notRead(e, 'Save the whole capture instead.');
      if (why !== null) return { ok: false, error: why };
      return { ok: false, error: appError('internal', `Cannot save to ${path.basename(req.path)}: ${reason(e)}.`, 'Choose a folder you can write to.') };
    }
  }

  /**
   * One flow's traffic over capture time for the details drawer, binned as the traffic chart is, from its packets read
   * again (the file, or the live recording so far); while a capture runs, whole bins only, as the chart sends them.
   */
  async flowSeries(id: number): Promise<Result<ChartSeries>> {
    const got = await this.packetsOf(id, 'Open the capture as a file to chart single flows.');
    if (!got.ok) return got;
    const { row, from, limit } = got.value;
    this.chartedId = id;
    const engine = this.engine;
    const until = this.live !== null && this.ratesLive() && engine !== null ? (engine.clock ?? Infinity) : Infinity;
    const gen = this.generation;
    try {
      const series = await this.flowSeriesReader.series(from, limit, row, until);
      // Another source opened meanwhile: this flow is not in its table.
      if (gen !== this.generation) return { ok: false, error: appError('bad_arguments', 'This flow is no longer in the table.', 'Choose a flow the table shows.') };
      return { ok: true, value: series };
    } catch (e) {
      const why = this.notRead(e, 'Open the capture as a file to chart this flow.');
      if (why !== null) return { ok: false, error: why };
      return { ok: false, error: appError('internal', `Cannot read this flow’s packets: ${reason(e)}.`, actionFor('internal')) };
    }
  }

  /** Flow `id`'s row and where its packets can be read again: the file read, or the live recording's whole records. */
  private async packetsOf(id: number, noRecording: string): Promise<Result<{ row: FlowRow; from: string; limit: number | null }>> {
    const engine = this.engine;
    const slot = engine === null ? -1 : engine.slotOfId(id);
    if (engine === null || slot < 0) return { ok: false, error: appError('bad_arguments', 'This flow is no longer in the table.', 'Choose a flow the table shows.') };
    const row = engine.row(slot, false);
    const rec = this.recording;
    if (this.sourceFile !== null) return { ok: true, value: { row, from: this.sourceFile, limit: null } };
    if (rec === null) return { ok: false, error: appError('bad_arguments', 'This flow’s packets are not available: no recording of this capture is kept.', noRecording) };
    const limit = this.live?.recordingCut() ?? null;
    await rec.sink.flush();
    return { ok: true, value: { row, from: rec.sink.path, limit } };
  }

  /** The error for a flow whose packets a re-read did not find (or whose recording is gone), or null for another failure. */
  private notRead(e: unknown, action: string): AppError | null {
    const recorded = this.recording !== null && this.sourceFile === null;
    const notKept = appError('bad_arguments', 'This flow’s packets are not available: the recording of this capture holds none of them.', 'Save the whole capture instead, or capture again.');
    if (e instanceof FlowPacketsError) return recorded && /none/.test(e.message) ? notKept : appError('bad_arguments', `${e.message}.`, action);
    if (recorded && (e as { code?: string }).code === 'ENOENT') return notKept;
    return null;
  }

  /** Opens the collector's transport and attaches an exporter to the capture's engine (the CLI's own code). */
  private async startExport(engine: Engine, req: IpfixExportRequest): Promise<Result> {
    const args = ['--ipfix', req.collector, '--ipfix-transport', req.transport];
    if (req.activeTimeout !== undefined) args.push('--ipfix-active', String(req.activeTimeout));
    if (req.idleTimeout !== undefined) args.push('--ipfix-idle', String(req.idleTimeout));
    const o = splitIpfixArgs(args);
    const fail = (why: string): Result => ({
      ok: false,
      error: appError('bad_arguments', `Cannot export flows to ${req.collector}: ${why}.`, 'Check the collector address, or start without IPFIX export.'),
    });
    // The CLI's messages name its options; the app names what the user typed.
    if (typeof o === 'string' || o.ipfix === null) return fail(typeof o === 'string' ? o.replace(/^--ipfix: /, '') : 'no collector');
    try {
      this.ipfix = await startIpfix(engine, o.ipfix);
      this.ipfixTicked = this.now();
      return { ok: true, value: undefined };
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** The final export of every flow left; the counts stay on screen. */
  private finishExport(): Promise<void> {
    const x = this.ipfix;
    if (x === null) return Promise.resolve();
    if (this.ipfixFinished !== null) return this.ipfixFinished;
    const gen = this.generation;
    this.ipfixFinished = x.finish().then(
      () => {
        if (gen !== this.generation || !this.meter || !this.engine) return;
        this.stats = { ...this.stats, ipfix: ipfixView(x) };
        this.emit(false);
      },
      () => {},
    );
    return this.ipfixFinished;
  }

  /** What the flows table shows from now on (already validated); an update reflecting it follows promptly. */
  setView(req: ViewRequest): void {
    this.model.setView(req);
    // The charted flow is no longer the one selected: its re-read (a second engine's table) is let go.
    if (this.chartedId !== null && !(req.select !== null && 'id' in req.select && req.select.id === this.chartedId)) {
      this.chartedId = null;
      this.flowSeriesReader.clear();
    }
    // Calls of one turn (scrolling, typing) get one reply; an engine update before it reflects the request as well.
    this.reply ??= setImmediate(() => {
      this.reply = null;
      this.emit(false);
    });
  }

  /** Puts these favourites first in the flows table (already validated); an update reflecting it follows promptly. */
  setFavourites(req: FavouritesRequest): void {
    this.model.setFavourites(req);
    this.reply ??= setImmediate(() => {
      this.reply = null;
      this.emit(false);
    });
  }

  /** What to notify the user of from now on (already validated). */
  setNotificationRules(rules: NotificationRules): void {
    this.notices.setRules(rules);
  }

  /** Shows or hides the Overview; an update reflecting it follows promptly. */
  setOverview(req: OverviewRequest): void {
    this.overview.setRequest(req);
    this.reply ??= setImmediate(() => {
      this.reply = null;
      this.emit(false);
    });
  }

  /** Stops everything and removes temporary files. */
  async dispose(): Promise<void> {
    await this.stopSource();
    await this.finishExport();
    this.ipfix = null;
    this.ipfixFinished = null;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.reply) clearImmediate(this.reply);
    this.reply = null;
    await this.dropRecording();
    this.updateListeners.clear();
    this.statusListeners.clear();
    this.noticeListeners.clear();
  }

  // ---- internals

  private recordingDir(): string {
    return this.opts.recordingDir ?? tmpdir();
  }

  /** Rates are shown while the source is read: a capture running and not paused, or a file being read. */
  private ratesLive(): boolean {
    const st = this.status.state;
    return !this.paused && (st === 'capturing' || st === 'starting' || st === 'reading');
  }

  private async stopSource(): Promise<void> {
    const live = this.live;
    if (live) {
      this.live = null;
      await live.stop();
    }
  }

  /** A fresh engine for a new source; returns the new generation. */
  private reset(live: boolean, engine?: Engine): number {
    // The old source's exporter sends what it has left; its counts are not this source's.
    void this.finishExport();
    this.generation++;
    this.ipfix = null;
    this.ipfixFinished = null;
    void this.dropRecording();
    this.sourceFile = null;
    this.flowSeriesReader.clear();
    this.chartedId = null;
    const e = engine ?? this.createEngine({ live });
    this.engine = e;
    this.meter = new StatsMeter(live, this.now());
    this.model.show(e);
    this.overview.show(e);
    this.notices.show(live ? e : EMPTY_STORE);
    // A flow leaving the table stays in the Overview's totals, and in its program's for the notifications.
    e.onFlowEvicted((slot) => {
      this.overview.retire(slot);
      this.notices.retire(slot);
    });
    this.stats = EMPTY_STATS;
    this.statsTs = null;
    this.chartVersion = -1;
    this.paused = false;
    this.schedule();
    return this.generation;
  }

  /** Pushes file bytes into the engine; on a format error records it and returns false. */
  private feed(chunk: Uint8Array, file: string): boolean {
    const engine = this.engine;
    if (!engine || this.status.state === 'error') return false;
    try {
      engine.push(chunk);
      return true;
    } catch (e) {
      const fmt = describeFormatError(e);
      const error = fmt
        ? fileError(file, { reason: fmt.reason, offset: fmt.offset })
        : appError('internal', `The engine failed: ${e instanceof Error ? e.message : String(e)}.`, actionFor('internal'));
      this.setStatus({ ...this.status, state: 'error', error });
      return false;
    }
  }

  /** Ends the source; returns the error it ended with (null for a clean end). */
  private finishSource(error: AppError | null): AppError | null {
    // A live capture's pipeline ends its own engine; a file's ends here.
    if (this.sourceFile !== null) {
      try {
        this.engine?.end();
      } catch (e) {
        const fmt = describeFormatError(e);
        if (fmt && !error) error = fileError(this.sourceFile, fmt);
      }
    }
    const prior = this.status.state === 'error' ? this.status.error : null;
    const finalError = prior ?? error;
    this.paused = false;
    this.setStatus({ ...this.status, state: finalError ? 'error' : 'stopped', error: finalError });
    this.schedule();
    return finalError;
  }

  private schedule(): void {
    if (this.timer || this.paused || !this.engine) return;
    const delay = Math.max(0, this.lastEmit + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.emitUpdate();
    }, delay);
  }

  private emitUpdate(): void {
    const engine = this.engine;
    const meter = this.meter;
    if (!engine || !meter || this.paused) return;
    const t = this.now();
    const running = this.ratesLive();
    // A live capture's time goes on when no packet arrives: rates fall, quiet flows end (not while older packets
    // wait to be ingested: their flows would expire early).
    if (this.live && running && (this.live.queuedBytes?.() ?? 0) === 0) engine.advance(t / 1000);
    this.model.setRates(running);
    this.overview.setRates(running);
    const x = this.ipfix;
    if (x !== null && this.live && t - this.ipfixTicked >= 1000) {
      // A router's active and idle timeouts, once a second, as `sandpiper capture --ipfix` ticks them.
      this.ipfixTicked = t;
      x.tick();
    }
    this.stats = meter.view(t, engine, running);
    if (x !== null) this.stats.ipfix = ipfixView(x);
    this.statsTs = engine.clock ?? t / 1000;
    this.lastEmit = t;
    this.emit(true);
    const due = this.live ? this.notices.tick(t, this.statsTs, running) : null;
    if (due !== null) for (const l of this.noticeListeners) l(due);
    // A live capture keeps ticking so its rates fall and its chart moves; a file's last update follows its end.
    if (this.live) this.schedule();
  }

  /**
   * The chart when it changed since the last update sent (or a listener is new), else null. While a capture runs only
   * whole seconds are sent, so it changes when a second completes; a file's changes as it is read.
   */
  private chart(): ChartSeries | null {
    const engine = this.engine;
    if (!engine) return null;
    const tl = engine.timeline;
    const running = this.live !== null && this.ratesLive();
    const until = running ? (engine.clock ?? 0) : Infinity;
    const bins = tl.wholeBins(until);
    const changed = this.chartVersion === -1 || bins !== this.chartBins || (!running && tl.version !== this.chartVersion);
    if (!changed) return null;
    this.chartVersion = tl.version;
    this.chartBins = bins;
    return tl.series(until);
  }

  /** Sends the current view: an engine update (`tick`) or a reply to setView, which repeats the last stats. */
  private emit(tick: boolean): void {
    // This update reflects every request so far: a reply still due would say nothing new.
    if (this.reply) {
      clearImmediate(this.reply);
      this.reply = null;
    }
    const update: EngineUpdate = {
      seq: ++this.seq,
      ...this.model.view(tick),
      stats: this.stats,
      chart: tick || this.chartVersion === -1 ? this.chart() : null,
      ts: this.statsTs ?? this.now() / 1000,
    };
    const overview = this.overview.view();
    if (overview !== null) update.overview = overview;
    for (const l of this.updateListeners) l(update);
  }

  private setStatus(s: CaptureStatusView): void {
    this.status = s;
    this.model.setRates(this.ratesLive());
    this.overview.setRates(this.ratesLive());
    for (const l of this.statusListeners) l(s);
  }

  private async dropRecording(): Promise<void> {
    const rec = this.recording;
    this.recording = null;
    if (!rec) return;
    await rec.sink.close(0).catch(() => {});
    await rm(rec.dir, { recursive: true, force: true });
  }
}

function ipfixView(x: IpfixSession): IpfixStatsView {
  const c = x.counters();
  return {
    collector: c.collector, transport: c.transport, recordsSent: c.records_sent, messagesSent: c.messages_sent,
    sendErrors: c.send_errors, dropped: c.dropped, lastError: c.last_error,
  };
}

/** MAX_RECORDING_BYTES, or a quarter of the space free in `dir` when that is less ($TMPDIR is often a tmpfs). */
async function recordingBound(dir: string): Promise<number> {
  try {
    const fs = await statfs(dir);
    return Math.min(MAX_RECORDING_BYTES, Math.floor((fs.bavail * fs.bsize) / 4));
  } catch {
    return MAX_RECORDING_BYTES;
  }
}

/**
 * Removes recordings whose host process is gone (a crash or a kill leaves them behind): this user's own directories
 * only, so a shared TMPDIR's other entries are never touched.
 */
async function sweepStaleRecordings(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^sandpiper-rec-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    const entry = path.join(dir, name);
    const st = await lstat(entry).catch(() => null);
    if (st === null || !st.isDirectory() || st.uid !== process.getuid?.()) continue;
    await rm(entry, { recursive: true, force: true }).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
