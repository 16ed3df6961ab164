import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NoticeDetector } from '../../src/engine-host/notifications.ts';
import { NOTICE_INTERVAL_MS, NOTICE_NAMES, NO_NOTIFICATIONS, checkNotificationRules, isNoticeList, type NotificationRules } from '../../src/shared/notices.ts';
import type { FlowRow } from '../../src/shared/flow.ts';
import { row } from '../shared/fixtures.ts';
import { RowStore } from '../support/row-store.ts';

const T0 = 1_700_000_000;
const rules = (p: Partial<NotificationRules>): NotificationRules => ({ ...NO_NOTIFICATIONS, ...p });
/** A flow first seen at T0 + id (the fixture's), still quiet. */
const flow = (p: Partial<FlowRow> & { id: number }) => row({ rate_fwd_1s: 0, rate_rev_1s: 0, ...p });

function setup(r: Partial<NotificationRules>) {
  const store = new RowStore();
  const d = new NoticeDetector();
  d.show(store);
  d.setRules(rules(r));
  return { store, d };
}

describe('notifications', () => {
  it('with no rule on, looks at nothing: no row is read', () => {
    const store = new RowStore();
    store.apply([flow({ id: 1 })]);
    let reads = 0;
    const row0 = store.row.bind(store);
    store.row = (slot, rates) => {
      reads++;
      return row0(slot, rates);
    };
    const d = new NoticeDetector();
    d.show(store);
    assert.equal(d.tick(0, T0 + 10, true), null);
    assert.equal(reads, 0);
  });

  it('a new program once, coalesced with the others of its interval; the next batch waits NOTICE_INTERVAL_MS', () => {
    const { store, d } = setup({ newProgram: true });
    store.apply([flow({ id: 1, process: 'curl' }), flow({ id: 2, process: 'firefox' }), flow({ id: 3, process: 'curl' }), flow({ id: 4, process: null })]);
    const first = d.tick(0, T0 + 10, true);
    assert.deepEqual(first, [{ kind: 'new_program', count: 2, names: ['curl', 'firefox'], threshold: null, ts: T0 + 10 }]);
    assert.ok(isNoticeList(first));
    // The process of flow 4 is found later; a known program says nothing.
    store.apply([flow({ id: 4, process: 'ssh' }), flow({ id: 5, process: 'curl' })]);
    assert.equal(d.tick(100, T0 + 10, true), null, 'within the interval: waits');
    store.apply([flow({ id: 6, process: 'git' })]);
    assert.equal(d.tick(NOTICE_INTERVAL_MS - 1, T0 + 12, true), null);
    assert.deepEqual(d.tick(NOTICE_INTERVAL_MS, T0 + 13, true), [{ kind: 'new_program', count: 2, names: ['ssh', 'git'], threshold: null, ts: T0 + 13 }]);
    assert.equal(d.tick(NOTICE_INTERVAL_MS * 3, T0 + 20, true), null, 'nothing new: nothing sent');
  });

  it('many new hosts are one notice with a count and the first few names (by registrable domain)', () => {
    const { store, d } = setup({ newHost: true });
    store.apply(Array.from({ length: 40 }, (_, i) => flow({ id: i + 1, host: `www.site${i % 12}.org`, dns_queries: [] })));
    store.apply([flow({ id: 100, host: 'cdn.site0.org' })]);
    const got = d.tick(0, T0 + 200, true);
    assert.equal(got?.length, 1);
    assert.equal(got[0].kind, 'new_host');
    assert.equal(got[0].count, 12);
    assert.equal(got[0].names.length, NOTICE_NAMES);
    assert.deepEqual(got[0].names, ['site0.org', 'site1.org', 'site2.org', 'site3.org', 'site4.org']);
  });

  it('a young flow known only by its address waits for its name before it is a new host', () => {
    const { store, d } = setup({ newHost: true });
    // First seen at T0 + 1 (the fixture's first_seen), no name yet.
    store.apply([flow({ id: 1, host: null, dst: '198.51.100.9' })]);
    assert.equal(d.tick(0, T0 + 1.2, true), null);
    store.apply([flow({ id: 1, host: 'api.example.org', dst: '198.51.100.9' })]);
    assert.deepEqual(d.tick(100, T0 + 1.4, true)?.[0].names, ['example.org']);
    // Another flow that never gets a name is reported by its address once it is old enough.
    store.apply([flow({ id: 2, host: null, dst: '203.0.113.5' })]);
    assert.equal(d.tick(NOTICE_INTERVAL_MS + 100, T0 + 2.5, true), null);
    assert.deepEqual(d.tick(NOTICE_INTERVAL_MS + 200, T0 + 3.5, true)?.[0].names, ['203.0.113.5']);
  });

  it('a flow above N bytes once; a program above N bytes counts its flows that left', () => {
    const { store, d } = setup({ flowBytes: 10_000, programBytes: 25_000 });
    store.apply([flow({ id: 1, process: 'curl', bytes_fwd: 500, bytes_rev: 8000 }), flow({ id: 2, process: 'curl', bytes_fwd: 100, bytes_rev: 9000 })]);
    assert.equal(d.tick(0, T0 + 5, true), null);
    store.apply([flow({ id: 1, process: 'curl', bytes_fwd: 500, bytes_rev: 12_000, host: 'dl.example.net' })]);
    assert.deepEqual(d.tick(1000, T0 + 6, true), [{ kind: 'flow_bytes', count: 1, names: ['curl → dl.example.net'], threshold: 10_000, ts: T0 + 6 }]);
    // Flow 1 leaves (its 12 500 bytes stay with curl); a third flow brings curl past 25 000.
    d.retire(store.slotOfId(1));
    store.apply([], [1]);
    store.apply([flow({ id: 3, process: 'curl', bytes_fwd: 0, bytes_rev: 4000 })]);
    const got = d.tick(NOTICE_INTERVAL_MS + 1000, T0 + 9, true);
    assert.deepEqual(got, [{ kind: 'program_bytes', count: 1, names: ['curl'], threshold: 25_000, ts: T0 + 9 }]);
    store.apply([flow({ id: 2, process: 'curl', bytes_fwd: 100, bytes_rev: 90_000 })]);
    assert.deepEqual(d.tick(2 * NOTICE_INTERVAL_MS + 2000, T0 + 12, true)?.map((n) => n.kind), ['flow_bytes'], 'curl was already told; flow 2 is new news');
  });

  it('a rate above N B/s each time it rises past it (re-armed below half), never while rates are not live', () => {
    const { store, d } = setup({ flowRate: 1000 });
    const at = (ms: number, rate: number, live = true) => {
      store.apply([flow({ id: 1, rate_fwd_1s: 0, rate_rev_1s: rate })]);
      return d.tick(ms, T0 + ms / 1000, live);
    };
    assert.equal(at(0, 500), null);
    assert.deepEqual(at(10_000, 5000)?.map((n) => [n.kind, n.threshold]), [['flow_rate', 1000]]);
    assert.equal(at(20_000, 800), null, 'still above half: not re-armed');
    assert.equal(at(30_000, 1500), null);
    assert.equal(at(40_000, 100), null);
    assert.equal(at(50_000, 9000, false), null, 'a paused capture shows no rates');
    assert.equal(at(60_000, 2000)?.length, 1);
  });

  it('rules turned on mid-capture start from what is there, quietly; a rule turned off drops what waited', () => {
    const store = new RowStore();
    const d = new NoticeDetector();
    d.show(store);
    store.apply([flow({ id: 1, process: 'curl' }), flow({ id: 2, process: 'ssh', bytes_rev: 1e6 })]);
    assert.equal(d.tick(0, T0 + 5, true), null);
    d.setRules(rules({ newProgram: true, flowBytes: 1000 }));
    assert.equal(d.tick(100, T0 + 5, true), null, 'curl, ssh and the big flow were there before');
    store.apply([flow({ id: 3, process: 'git' })]);
    d.setRules(rules({ flowBytes: 1000 }));
    assert.equal(d.tick(200, T0 + 6, true), null, 'the new program rule is off again');
    // A new source forgets everything.
    const next = new RowStore();
    d.show(next);
    d.setRules(rules({ newProgram: true }));
    next.apply([flow({ id: 1, process: 'curl' })]);
    assert.deepEqual(d.tick(NOTICE_INTERVAL_MS * 2, T0 + 7, true)?.[0].names, ['curl']);
  });

  it('stays bounded: 50 000 new hosts in one interval are one notice', () => {
    const { store, d } = setup({ newHost: true });
    store.apply(Array.from({ length: 50_000 }, (_, i) => flow({ id: i + 1, host: `h${i}.example`, dns_queries: [] })));
    const got = d.tick(0, T0 + 100_000, true);
    assert.equal(got?.length, 1);
    assert.equal(got[0].count, 50_000);
    assert.equal(got[0].names.length, NOTICE_NAMES);
  });

  it('checks rules exactly: booleans and whole thresholds from 1', () => {
    assert.equal(checkNotificationRules(rules({ flowBytes: 5 })).ok, true);
    for (const bad of [null, [], { ...NO_NOTIFICATIONS, extra: 1 }, rules({ flowBytes: 0 }), rules({ flowRate: -1 }), rules({ programBytes: 2.5 }), { ...NO_NOTIFICATIONS, desktop: 1 }, rules({ programRate: 1e16 })]) {
      assert.equal(checkNotificationRules(bad).ok, false, JSON.stringify(bad));
    }
    assert.equal(isNoticeList([{ kind: 'nope', count: 1, names: [], threshold: null, ts: 0 }]), false);
    assert.equal(isNoticeList([{ kind: 'new_host', count: 0, names: [], threshold: null, ts: 0 }]), false);
    assert.equal(isNoticeList([{ kind: 'new_host', count: 1, names: Array(NOTICE_NAMES + 1).fill('a'), threshold: null, ts: 0 }]), false);
  });
});
