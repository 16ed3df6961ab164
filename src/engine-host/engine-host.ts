/**
 * A capture session: one engine fed by a live capture or a file, whose changed flows are drained into the flows
 * table's view model (view/flow-view-model.ts) at most once per `intervalMs` (100 ms → ≤ 10 updates a second), never
 * per packet. Each update carries only what the renderer's last ViewRequest asks for (the rows of its window, counts,
 * the selected flow); a setView is answered with an update of its own, promptly.
 * Electron-free: the engine host (utility process) and the end-to-end test bridge both drive it.
 */
import { copyFile, mkdtemp, open, rm } from 'node:fs/promises';
import { createWriteStream, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import type { SandboxMessage, StatsMessage } from '../shared/helper-protocol.ts';
import { EMPTY_STATS, type AppError, type CaptureStatusView, type EngineUpdate, type Result, type StartCaptureRequest, type StatsView, type ViewRequest } from '../shared/ipc.ts';
import { actionFor, appError, fileError } from './app-errors.ts';
import { StatsMeter } from './stats-meter.ts';
import { FlowViewModel } from './view/flow-view-model.ts';
import { describeFormatError, type CreateEngine, type LiveCaptureHandle, type SessionEngine, type StartLiveCapture } from './types.ts';

export interface EngineHostOptions {
  createEngine: CreateEngine;
  /** Absent where live capture is not wired (then startCapture answers with an error). */
  startLive?: StartLiveCapture;
  /** Minimum time between two updates; default 100 ms. */
  intervalMs?: number;
  /** Wall clock in ms; default Date.now. */
  now?: () => number;
  /** Read size for capture files; default 1 MiB. */
  chunkBytes?: number;
}

type Listener<T> = (v: T) => void;

const IDLE: CaptureStatusView = { state: 'idle', source: null, sandbox: null, error: null, devWarning: null };

export class EngineHost {
  private readonly opts: EngineHostOptions;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly updateListeners = new Set<Listener<EngineUpdate>>();
  private readonly statusListeners = new Set<Listener<CaptureStatusView>>();
  private status: CaptureStatusView = IDLE;
  private engine: SessionEngine | null = null;
  private meter: StatsMeter | null = null;
  private readonly model = new FlowViewModel();
  private live: LiveCaptureHandle | null = null;
  /** Bumped whenever the source changes, so callbacks of an old source are ignored. */
  private generation = 0;
  private seq = 0;
  /** A new source: the next engine update fills the (reset) model from the engine's snapshot, not from a drain. */
  private needSnapshot = false;
  private paused = false;
  private lastEmit = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** A reply to setView is due (one for every setView of the same event-loop turn). */
  private reply: ReturnType<typeof setImmediate> | null = null;
  /** Stats and time of the last engine update, repeated in replies to setView. */
  private stats: StatsView = EMPTY_STATS;
  private statsTs: number | null = null;
  /** The raw pcap stream of a live capture, kept for "Save capture". */
  private recording: { dir: string; file: string; stream: WriteStream } | null = null;
  private sourceFile: string | null = null;

  constructor(opts: EngineHostOptions) {
    this.opts = opts;
    this.intervalMs = opts.intervalMs ?? 100;
    this.now = opts.now ?? Date.now;
  }

  onUpdate(l: Listener<EngineUpdate>): () => void {
    this.updateListeners.add(l);
    return () => this.updateListeners.delete(l);
  }

  onStatus(l: Listener<CaptureStatusView>): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
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
    this.setStatus({ state: 'starting', source: { kind: 'live', interface: req.interface }, sandbox: null, error: null, devWarning: null });
    const recording = await this.startRecording();
    if (gen !== this.generation) {
      recording.stream.end();
      await finished(recording.stream).catch(() => {});
      await rm(recording.dir, { recursive: true, force: true });
      return { ok: false, error: appError('internal', 'The capture was replaced before it started.', actionFor('internal')) };
    }
    this.recording = recording;
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
        handle = startLive(req, {
          data: (chunk) => {
            if (gen !== this.generation) return;
            this.recording?.stream.write(chunk);
            if (!this.feed(chunk, null)) return;
            running();
            this.schedule();
          },
          sandbox: (m: SandboxMessage) => {
            if (gen !== this.generation) return;
            this.setStatus({ ...this.status, sandbox: m });
            running();
          },
          stats: (m: StatsMessage) => {
            if (gen !== this.generation) return;
            this.meter?.helperStats(m);
            this.schedule();
          },
          end: (error: AppError | null) => {
            if (gen !== this.generation) return;
            this.live = null;
            this.finishSource(error);
            settle(error ? { ok: false, error } : { ok: true, value: undefined });
          },
        });
      } catch (e) {
        const error = appError('internal', `The capture could not start: ${e instanceof Error ? e.message : String(e)}.`, actionFor('internal'));
        this.finishSource(error);
        settle({ ok: false, error });
        return;
      }
      if (gen !== this.generation) return;
      this.live = handle;
      if (handle.devWarning) this.setStatus({ ...this.status, devWarning: handle.devWarning });
    });
  }

  async stopCapture(): Promise<void> {
    await this.live?.stop();
  }

  /**
   * Pausing freezes the flows (no engine updates; packets still counted, and the view still answers setView from
   * the frozen flows); resuming drains everything the engine changed meanwhile.
   */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    const st = this.status.state;
    if (paused && st === 'capturing') this.setStatus({ ...this.status, state: 'paused' });
    if (!paused && st === 'paused') this.setStatus({ ...this.status, state: 'capturing' });
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
    let engine: SessionEngine;
    let firstError: AppError | null = null;
    try {
      fh = await open(file, 'r');
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      // A fresh buffer per chunk: the engine may keep a tail of it across pushes.
      const { bytesRead, buffer } = await fh.read(Buffer.allocUnsafe(size), 0, size, null);
      engine = this.opts.createEngine({ live: false });
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
    this.setStatus({ state: firstError ? 'error' : 'reading', source: { kind: 'file', path: file }, sandbox: null, error: firstError, devWarning: null });
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
    if (gen === this.generation) this.finishSource(error);
    return error ? { ok: false, error } : { ok: true, value: { path: file } };
  }

  /** Writes the current capture (the file read, or the live pcap stream so far) to dest. */
  async saveCapture(dest: string): Promise<Result<{ path: string }>> {
    const from = this.sourceFile ?? this.recording?.file ?? null;
    if (!from) return { ok: false, error: appError('bad_arguments', 'There is no capture to save yet.', 'Start a capture or open a file first.') };
    try {
      if (this.recording && from === this.recording.file) await new Promise<void>((r) => this.recording!.stream.write('', () => r()));
      await copyFile(from, dest);
      return { ok: true, value: { path: dest } };
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'error';
      return { ok: false, error: appError('internal', `Cannot save to ${path.basename(dest)}: ${code === 'EACCES' ? 'permission denied' : code}.`, 'Choose a folder you can write to.') };
    }
  }

  /** What the flows table shows from now on (already validated); an update reflecting it follows promptly. */
  setView(req: ViewRequest): void {
    this.model.setView(req);
    // Calls of one turn (scrolling, typing) get one reply; an engine update before it reflects the request as well.
    this.reply ??= setImmediate(() => {
      this.reply = null;
      this.emit(false);
    });
  }

  /** Stops everything and removes temporary files. */
  async dispose(): Promise<void> {
    await this.stopSource();
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.reply) clearImmediate(this.reply);
    this.reply = null;
    await this.dropRecording();
    this.updateListeners.clear();
    this.statusListeners.clear();
  }

  // ---- internals

  private async stopSource(): Promise<void> {
    const live = this.live;
    if (live) {
      this.live = null;
      await live.stop();
    }
  }

  /** A fresh engine for a new source; returns the new generation. */
  private reset(live: boolean, engine?: SessionEngine): number {
    this.generation++;
    void this.dropRecording();
    this.sourceFile = null;
    this.engine = engine ?? this.opts.createEngine({ live });
    this.meter = new StatsMeter(live, this.now());
    this.model.reset();
    this.stats = EMPTY_STATS;
    this.statsTs = null;
    this.paused = false;
    this.needSnapshot = true;
    this.schedule();
    return this.generation;
  }

  /** Pushes bytes into the engine; on a format error records it and returns false. */
  private feed(chunk: Uint8Array, file: string | null): boolean {
    const engine = this.engine;
    if (!engine || this.status.state === 'error') return false;
    try {
      engine.push(chunk);
      return true;
    } catch (e) {
      const fmt = describeFormatError(e);
      const error = fmt
        ? file
          ? fileError(file, { reason: fmt.reason, offset: fmt.offset })
          : appError('helper_exited', `The capture stream is corrupt: ${fmt.reason}.`, actionFor('helper_exited'))
        : appError('internal', `The engine failed: ${e instanceof Error ? e.message : String(e)}.`, actionFor('internal'));
      this.setStatus({ ...this.status, state: 'error', error });
      void this.stopSource();
      return false;
    }
  }

  private finishSource(error: AppError | null): void {
    try {
      this.engine?.end();
    } catch (e) {
      const fmt = describeFormatError(e);
      if (fmt && !error) error = this.sourceFile ? fileError(this.sourceFile, fmt) : appError('helper_exited', `The capture stream ended mid-packet: ${fmt.reason}.`, actionFor('helper_exited'));
    }
    this.recording?.stream.end();
    const prior = this.status.state === 'error' ? this.status.error : null;
    const finalError = prior ?? error;
    this.paused = false;
    this.setStatus({ ...this.status, state: finalError ? 'error' : 'stopped', error: finalError });
    this.schedule();
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
    if (this.live) engine.sweep?.(this.now() / 1000);
    let changed;
    let removed: number[];
    if (this.needSnapshot) {
      this.needSnapshot = false;
      engine.drainChanged();
      engine.drainRemoved();
      changed = engine.snapshot();
      removed = [];
    } else {
      changed = engine.drainChanged();
      removed = engine.drainRemoved();
    }
    const t = this.now();
    meter.account(changed, removed);
    this.model.apply(changed, removed);
    const counters = engine.counters();
    this.stats = meter.view(t, counters);
    this.statsTs = counters.lastTs ?? t / 1000;
    this.lastEmit = t;
    this.emit(true);
  }

  /** Sends the current view: an engine update (`tick`) or a reply to setView, which repeats the last stats. */
  private emit(tick: boolean): void {
    // This update reflects every request so far: a reply still due would say nothing new.
    if (this.reply) {
      clearImmediate(this.reply);
      this.reply = null;
    }
    const update: EngineUpdate = { seq: ++this.seq, ...this.model.view(tick), stats: this.stats, chart: null, ts: this.statsTs ?? this.now() / 1000 };
    for (const l of this.updateListeners) l(update);
  }

  private setStatus(s: CaptureStatusView): void {
    this.status = s;
    for (const l of this.statusListeners) l(s);
  }

  private async startRecording(): Promise<{ dir: string; file: string; stream: WriteStream }> {
    const dir = await mkdtemp(path.join(tmpdir(), 'sandpiper-rec-'));
    const file = path.join(dir, 'capture.pcap');
    const stream = createWriteStream(file, { mode: 0o600 });
    // A failing recording (disk full) must not take the capture down; saveCapture then reports the copy error.
    stream.on('error', () => {});
    return { dir, file, stream };
  }

  private async dropRecording(): Promise<void> {
    const rec = this.recording;
    this.recording = null;
    if (!rec) return;
    rec.stream.end();
    await finished(rec.stream).catch(() => {});
    await rm(rec.dir, { recursive: true, force: true });
  }
}
