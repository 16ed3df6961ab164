/**
 * The notifications the user set (src/shared/notices.ts), looked for in a live capture's table: a program or host
 * seen for the first time, a flow or a program above a number of bytes or a rate.
 * Cheap and bounded: nothing is looked at while no rule is on; per update the slots are compared with the id and text
 * version last seen (typed arrays), and one row is read only for a slot whose text changed; thresholds are checked
 * once a second over the engine's counters, a program's sum kept per program number. The programs and hosts
 * remembered are capped (the oldest forgotten first). What fires waits per kind and goes out at most once every
 * NOTICE_INTERVAL_MS, coalesced ("12 new hosts"), so a burst never becomes a storm.
 */
import type { FlowStore } from '../engine/engine.ts';
import { registrableDomain } from '../engine/aggregate.ts';
import { flowName } from '../shared/flows/group-key.ts';
import { remoteAddr } from '../shared/flows/endpoints.ts';
import { MAX_NOTICE_NAME_LENGTH, NOTICE_INTERVAL_MS, NOTICE_KINDS, NOTICE_NAMES, NO_NOTIFICATIONS, anyRule, type Notice, type NoticeKind, type NotificationRules } from '../shared/notices.ts';
import { EMPTY_STORE } from './view/flow-view-model.ts';
import { grown } from './view/grown.ts';

/** Programs and hosts remembered per source, at most. */
export const MAX_PROGRAMS = 4096;
export const MAX_HOSTS = 16_384;
/** Thresholds are checked this often (wall clock). */
const THRESHOLD_EVERY_MS = 1000;
/** A flow that has only an address to name it yet is given this long (capture time) to learn its name. */
const NAME_SETTLE_S = 1;

// Per-slot flags.
const BYTES_SENT = 1;
const RATE_ABOVE = 2;
const HOST_DONE = 4;

const KIND_INDEX = new Map<NoticeKind, number>(NOTICE_KINDS.map((k, i) => [k, i]));

export class NoticeDetector {
  private store: FlowStore = EMPTY_STORE;
  private rules: NotificationRules = NO_NOTIFICATIONS;
  private knownId = new Float64Array(0);
  private knownText = new Uint32Array(0);
  private flags = new Uint8Array(0);
  /** Per slot: its program's number, or -1. */
  private prog = new Int32Array(0);
  private programs = new Map<string, number>();
  private programNames: string[] = [];
  /** Per program: bytes of its flows that left, and its flags (as a slot's). */
  private programBase = new Float64Array(0);
  private programFlags = new Uint8Array(0);
  private programSum = new Float64Array(0);
  private programRate = new Float64Array(0);
  private hosts = new Set<string>();
  /** Per kind (NOTICE_KINDS order): how many fired since the last batch, and the first names. */
  private pendingCount = new Array<number>(NOTICE_KINDS.length).fill(0);
  private pendingNames: string[][] = NOTICE_KINDS.map(() => []);
  private lastSent = Number.NEGATIVE_INFINITY;
  private lastThresholds = Number.NEGATIVE_INFINITY;

  /** A new source (a live capture's store; EMPTY_STORE for anything else): nothing it saw is remembered. */
  show(store: FlowStore): void {
    this.store = store;
    this.knownId = new Float64Array(0);
    this.knownText = new Uint32Array(0);
    this.flags = new Uint8Array(0);
    this.prog = new Int32Array(0);
    this.programs = new Map();
    this.programNames = [];
    this.programBase = new Float64Array(0);
    this.programFlags = new Uint8Array(0);
    this.hosts = new Set();
    this.pendingCount.fill(0);
    for (const names of this.pendingNames) names.length = 0;
    this.lastThresholds = Number.NEGATIVE_INFINITY;
  }

  setRules(rules: NotificationRules): void {
    const was = this.rules;
    this.rules = rules;
    // A kind turned off says nothing of what it had found; a kind turned on starts from what is there now, quietly.
    let turnedOn = false;
    NOTICE_KINDS.forEach((k, i) => {
      if (!ruleOn(rules, k)) {
        this.pendingCount[i] = 0;
        this.pendingNames[i].length = 0;
      } else if (!ruleOn(was, k) || thresholdOf(was, k) !== thresholdOf(rules, k)) turnedOn = true;
    });
    if (turnedOn) this.learnQuietly();
  }

  /** The flow in `slot` is leaving the table (still readable): its bytes stay in its program's total. */
  retire(slot: number): void {
    if (slot >= this.prog.length || this.knownId[slot] !== this.store.idAt(slot)) return;
    const p = this.prog[slot];
    if (p >= 0) this.programBase[p] += this.store.bytesAt(slot, 0) + this.store.bytesAt(slot, 1);
    this.knownId[slot] = 0;
  }

  /**
   * Looks at what changed since the last call (`nowMs`: wall clock; `clock`: capture time, seconds; `rates`: rates
   * are live). Returns the notices due now, or null.
   */
  tick(nowMs: number, clock: number, rates: boolean): Notice[] | null {
    if (!anyRule(this.rules)) return null;
    this.scan(clock, true);
    if (nowMs - this.lastThresholds >= THRESHOLD_EVERY_MS) {
      this.lastThresholds = nowMs;
      this.thresholds(rates);
    }
    if (nowMs - this.lastSent < NOTICE_INTERVAL_MS || this.pendingCount.every((c) => c === 0)) return null;
    this.lastSent = nowMs;
    const out: Notice[] = [];
    NOTICE_KINDS.forEach((kind, i) => {
      if (this.pendingCount[i] === 0) return;
      out.push({ kind, count: this.pendingCount[i], names: this.pendingNames[i].slice(), threshold: thresholdOf(this.rules, kind), ts: clock });
      this.pendingCount[i] = 0;
      this.pendingNames[i].length = 0;
    });
    return out;
  }

  /** Rules turned on mid-capture: what is in the table already is not news. */
  private learnQuietly(): void {
    const count = this.pendingCount.slice();
    this.scan(Infinity, false);
    this.thresholds(false, false);
    this.pendingCount = count;
  }

  private grow(n: number): void {
    if (this.knownId.length >= n) return;
    const cap = Math.max(n, this.knownId.length * 2, 1024);
    this.knownId = grown(this.knownId, cap);
    this.flags = grown(this.flags, cap);
    const t = new Uint32Array(cap);
    t.set(this.knownText);
    this.knownText = t;
    const p = new Int32Array(cap).fill(-1);
    p.set(this.prog);
    this.prog = p;
  }

  /** First-seen programs and hosts: one row per slot whose text changed (or whose name was still settling). */
  private scan(clock: number, report: boolean): void {
    const store = this.store;
    const n = store.slotCount;
    this.grow(n);
    const needRow = this.rules.newProgram || this.rules.newHost || this.rules.programBytes !== null || this.rules.programRate !== null;
    for (let slot = 0; slot < n; slot++) {
      const id = store.idAt(slot);
      if (id === 0) continue;
      const version = store.textVersionAt(slot);
      if (this.knownId[slot] !== id) {
        this.knownId[slot] = id;
        this.knownText[slot] = version - 1;
        this.flags[slot] = 0;
        this.prog[slot] = -1;
      }
      const settling = (this.flags[slot] & HOST_DONE) === 0;
      if (this.knownText[slot] === version && !(settling && this.rules.newHost)) continue;
      if (!needRow) {
        this.knownText[slot] = version;
        continue;
      }
      const r = store.row(slot, false);
      this.knownText[slot] = version;
      if (r.process !== null && r.process !== '') {
        const p = this.programOf(r.process, report);
        this.prog[slot] = p;
      }
      if (settling) {
        const name = flowName(r);
        // An address may yet become a name (SNI, a DNS answer): wait a little before calling it a new host.
        if (name === remoteAddr(r) && clock - r.first_seen < NAME_SETTLE_S) continue;
        this.flags[slot] |= HOST_DONE;
        const host = registrableDomain(name);
        if (!this.hosts.has(host)) {
          if (this.hosts.size >= MAX_HOSTS) this.hosts.delete(this.hosts.values().next().value as string);
          this.hosts.add(host);
          if (report && this.rules.newHost) this.fire('new_host', host);
        }
      }
    }
  }

  /** The program's number (a new one is announced); -1 once MAX_PROGRAMS are known. */
  private programOf(name: string, report: boolean): number {
    let p = this.programs.get(name);
    if (p !== undefined) return p;
    if (this.programs.size >= MAX_PROGRAMS) return -1;
    p = this.programNames.length;
    this.programs.set(name, p);
    this.programNames.push(name);
    if (p >= this.programBase.length) {
      const cap = Math.max(64, this.programBase.length * 2);
      this.programBase = grown(this.programBase, cap);
      this.programFlags = grown(this.programFlags, cap);
      this.programSum = new Float64Array(cap);
      this.programRate = new Float64Array(cap);
    }
    if (report && this.rules.newProgram) this.fire('new_program', name);
    return p;
  }

  /** Bytes and rates against the thresholds: once per flow (bytes), once per rise above (rates, re-armed below half). */
  private thresholds(rates: boolean, report = true): void {
    const { flowBytes, flowRate, programBytes, programRate } = this.rules;
    if (flowBytes === null && flowRate === null && programBytes === null && programRate === null) return;
    const store = this.store;
    const n = Math.min(store.slotCount, this.knownId.length);
    const np = this.programNames.length;
    const sum = this.programSum;
    const rate = this.programRate;
    const wantRate = flowRate !== null || programRate !== null;
    for (let p = 0; p < np; p++) {
      sum[p] = this.programBase[p];
      rate[p] = 0;
    }
    for (let slot = 0; slot < n; slot++) {
      if (store.idAt(slot) === 0 || this.knownId[slot] !== store.idAt(slot)) continue;
      const bytes = store.bytesAt(slot, 0) + store.bytesAt(slot, 1);
      const r = rates && wantRate ? store.numberKey('down', slot, true) + store.numberKey('up', slot, true) : 0;
      const p = this.prog[slot];
      if (p >= 0) {
        sum[p] += bytes;
        rate[p] += r;
      }
      const f = this.flags[slot];
      if (flowBytes !== null && (f & BYTES_SENT) === 0 && bytes > flowBytes) {
        this.flags[slot] |= BYTES_SENT;
        if (report) this.fire('flow_bytes', this.flowLabel(slot));
      }
      if (flowRate !== null && rates) {
        if ((f & RATE_ABOVE) === 0 && r > flowRate) {
          this.flags[slot] |= RATE_ABOVE;
          if (report) this.fire('flow_rate', this.flowLabel(slot));
        } else if ((f & RATE_ABOVE) !== 0 && r < flowRate / 2) this.flags[slot] &= ~RATE_ABOVE;
      }
    }
    for (let p = 0; p < np; p++) {
      const f = this.programFlags[p];
      if (programBytes !== null && (f & BYTES_SENT) === 0 && sum[p] > programBytes) {
        this.programFlags[p] |= BYTES_SENT;
        if (report) this.fire('program_bytes', this.programNames[p]);
      }
      if (programRate !== null && rates) {
        if ((f & RATE_ABOVE) === 0 && rate[p] > programRate) {
          this.programFlags[p] |= RATE_ABOVE;
          if (report) this.fire('program_rate', this.programNames[p]);
        } else if ((f & RATE_ABOVE) !== 0 && rate[p] < programRate / 2) this.programFlags[p] &= ~RATE_ABOVE;
      }
    }
  }

  /** "firefox → example.com": one row, read only when a flow crosses a threshold. */
  private flowLabel(slot: number): string {
    const r = this.store.row(slot, false);
    const name = flowName(r);
    return r.process !== null && r.process !== '' ? `${r.process} → ${name}` : name;
  }

  private fire(kind: NoticeKind, name: string): void {
    const i = KIND_INDEX.get(kind) as number;
    this.pendingCount[i]++;
    const names = this.pendingNames[i];
    if (names.length < NOTICE_NAMES) names.push(name.length > MAX_NOTICE_NAME_LENGTH ? `${name.slice(0, MAX_NOTICE_NAME_LENGTH - 1)}…` : name);
  }
}

function ruleOn(r: NotificationRules, k: NoticeKind): boolean {
  switch (k) {
    case 'new_program':
      return r.newProgram;
    case 'new_host':
      return r.newHost;
    default:
      return thresholdOf(r, k) !== null;
  }
}

function thresholdOf(r: NotificationRules, k: NoticeKind): number | null {
  switch (k) {
    case 'flow_bytes':
      return r.flowBytes;
    case 'program_bytes':
      return r.programBytes;
    case 'flow_rate':
      return r.flowRate;
    case 'program_rate':
      return r.programRate;
    default:
      return null;
  }
}
